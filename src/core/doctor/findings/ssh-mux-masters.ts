import { fmt, pct } from '../text.js';
import type { Finding } from '../report.js';
import type { FindingDefinition } from '../types.js';

/**
 * SSH ControlMaster processes kept alive by ControlPersist (fleet tools such as Ansible or pssh
 * keep one per host); each counts against nproc.
 */
export const sshMuxMasters: FindingDefinition = {
  id: 'ssh-mux-masters',
  severities: ['warning', 'notice'],
  when: '≥ 10 SSH multiplexing masters (or a quarter of the tasks while nproc is tight)',
  check(ctx) {
    const out: Finding[] = [];
    const { tasks, nprocTight } = ctx;
    const name = ctx.facts.identity.name;
    for (const c of ctx.commands) {
      if (c.hint !== 'ssh-mux' || c.processes < 2) continue;
      const share = tasks > 0 ? c.tasks / tasks : 0;
      if (c.processes < 10 && !(nprocTight && share >= 0.25)) continue;
      const hosts = new Set(c.titles.map((t) => (t.match(/@([^:/\s]+)(?::\d+)?(?:\s|$|\])/)?.[1]) ?? t));
      const sample = c.titles[0] ?? c.example;
      const sockPath = sample.match(/^ssh: (.*) \[mux\]$/)?.[1] ?? '';
      out.push({
        id: 'ssh-mux-masters',
        severity: nprocTight && share >= 0.25 ? 'warning' : 'notice',
        title: `${fmt(c.processes)} SSH multiplexing masters (ControlMaster + ControlPersist) hold ${fmt(c.tasks)} of ${name}'s ${fmt(tasks)} tasks (${pct(share)})`,
        details: [
          `${fmt(c.processes)} × ${c.command} for ${fmt(hosts.size)} distinct control path${hosts.size === 1 ? '' : 's'}, e.g. ${sample}`,
          'Each master stays alive for ControlPersist after its last session (fleet tools such as Ansible or pssh keep one per host), and every one counts against nproc.',
        ],
        usage: null,
        fixes: [
          { description: 'Close the idle masters now (sessions still using a master are cut)', command: `pkill -u ${name} -f '^ssh: .* \\[mux\\]$'` },
          ...(sockPath ? [{ description: 'or close one master cleanly', command: `ssh -O exit -S '${sockPath}' host` }] : []),
          { description: `Keep fewer: a shorter ControlPersist in ~${name}/.ssh/config (or Ansible's ssh_args)`, file: { path: `~${name}/.ssh/config`, content: 'Host *\n    ControlPersist 60s\n' } },
        ],
      });
    }
    return out;
  },
};
