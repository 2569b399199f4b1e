import { fmt, pct } from '../text.js';
import type { Fix } from '../report.js';
import type { FindingDefinition } from '../types.js';

/** A word for a shell command line, quoted when it needs it. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * SSH ControlMaster processes kept alive by ControlPersist (fleet tools such as Ansible or pssh
 * keep one per host); each counts against nproc. Recognised by the `ssh: PATH [mux]` title
 * OpenSSH gives a master it detaches, and by the command line of a master started in the
 * background (`ssh -fN -o ControlMaster=auto -o ControlPersist=15m …`, `ssh -MNf -S PATH host`),
 * which keeps its argv (commands.ts sshMasterOf). All of them make one finding.
 */
export const sshMuxMasters: FindingDefinition = {
  id: 'ssh-mux-masters',
  severities: ['warning', 'notice'],
  when: '≥ 10 SSH multiplexing masters, by `[mux]` title or by argv (`-M`, `ControlMaster`, with `-N`/`-f`) (or a quarter of the tasks while nproc is tight)',
  check(ctx) {
    const { tasks, nprocTight } = ctx;
    const name = ctx.facts.identity.name;
    const groups = ctx.commands.filter((c) => c.hint === 'ssh-mux');
    const processes = groups.reduce((n, c) => n + c.processes, 0);
    const used = groups.reduce((n, c) => n + c.tasks, 0);
    if (processes < 2) return [];
    const share = tasks > 0 ? used / tasks : 0;
    if (processes < 10 && !(nprocTight && share >= 0.25)) return [];
    const masters = groups.flatMap((c) => c.masters);
    // a ControlPath with % tokens (%h, %C ...) is one socket per host
    const paths = new Set(masters.map((m) => (m.controlPath === null || m.controlPath.includes('%') ? `${m.controlPath ?? ''}\u0000${m.host ?? '?'}` : m.controlPath)));
    const persists = [...new Set(masters.map((m) => m.controlPersist).filter((x): x is string => x !== null))];
    const details: string[] = groups.map((c) => `${fmt(c.processes)} × ${c.command}, e.g. ${c.titles[0] ?? c.example}`);
    details.push(`${fmt(paths.size)} distinct control path${paths.size === 1 ? '' : 's'}${persists.length ? `; ControlPersist ${persists.slice(0, 3).join(', ')}${persists.length > 3 ? ', …' : ''} on their command lines` : ''}`);
    details.push('Each master stays alive for ControlPersist after its last session (fleet tools such as Ansible or pssh keep one per host), and every one counts against nproc.');

    const fixes: Fix[] = [];
    const byTitle = groups.some((c) => c.masters.some((m) => m.by === 'title'));
    const byArgv = masters.filter((m) => m.by === 'argv');
    if (byTitle) fixes.push({ description: 'Close the idle masters now (sessions still using a master are cut)', command: `pkill -u ${name} -f '^ssh: .* \\[mux\\]$'` });
    if (byArgv.length > 0) {
      fixes.push({
        description: `Close the masters started in the background now (ssh with -N or -f among the options before the host: also any other background ssh of ${name}, such as a tunnel; sessions using a master are cut)`,
        command: `pkill -u ${name} -f '^(/usr/bin/)?ssh( -[^ ]+( [^- ][^ ]*)?)* -[1246afgknqstvxACGKMNTVXYy]*[Nf]'`,
      });
    }
    const sample = masters[0];
    if (sample) {
      const path = sample.controlPath;
      fixes.push({
        description: `or close one master cleanly (run it for each control path${path && /%/.test(path) ? '; ssh expands the % tokens as it did for the master' : ''})`,
        command: `ssh -O exit${path ? ` -o ControlPath=${sh(path)}` : ''} ${sh(sample.host ?? 'HOST')}`,
      });
    }
    fixes.push(byArgv.length > 0 && byArgv.some((m) => m.controlPersist !== null)
      ? { description: `Keep fewer: a shorter ControlPersist where they are started (-o ControlPersist=60s instead of ${byArgv.find((m) => m.controlPersist !== null)!.controlPersist}; Ansible: ssh_args in ansible.cfg)` }
      : { description: `Keep fewer: a shorter ControlPersist in ~${name}/.ssh/config (or Ansible's ssh_args)`, file: { path: `~${name}/.ssh/config`, content: 'Host *\n    ControlPersist 60s\n' } });
    return [{
      id: 'ssh-mux-masters',
      severity: nprocTight && share >= 0.25 ? 'warning' : 'notice',
      title: `${fmt(processes)} SSH multiplexing masters (ControlMaster + ControlPersist) hold ${fmt(used)} of ${name}'s ${fmt(tasks)} tasks (${pct(share)})`,
      details,
      usage: null,
      fixes,
    }];
  },
};
