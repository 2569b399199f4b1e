import { NEAR } from '../analysis.js';
import type { Finding, Fix } from '../report.js';
import { fmt, pct } from '../text.js';
import type { FindingDefinition } from '../types.js';

/**
 * pids.current against pids.max of the user's slice, sessions, services and their ancestors: a
 * cgroup at pids.max (any ancestor) refuses fork() with EAGAIN, whoever owns the tasks.
 */
export const cgroupPids: FindingDefinition = {
  id: 'cgroup-pids',
  severities: ['critical', 'warning'],
  when: '`pids.current` at 100 % (critical) or 90 % (warning) of `pids.max` of a cgroup holding the user\'s processes (see §3)',
  check(ctx) {
    const facts = ctx.facts;
    const out: Finding[] = [];
    for (const n of ctx.cgNodes) {
      if (n.ratio === null || n.ratio < NEAR || typeof n.pidsMax !== 'bigint') continue;
      const max = Number(n.pidsMax);
      const cur = Number(n.pidsCurrent);
      const next = Math.max(max * 2, 4096);
      const fixes: Fix[] = [];
      const unit = n.unit ?? n.path;
      if (n.kind === 'user-slice') {
        fixes.push({ description: `Raise it for ${unit} now (until reboot)`, command: `systemctl set-property --runtime ${unit} TasksMax=${next}` });
        fixes.push({ description: 'and for every user slice, persistently', file: { path: '/etc/systemd/system/user-.slice.d/60-tasks-max.conf', content: `[Slice]\nTasksMax=${next}\n` } });
        fixes.push({ description: 'then reload systemd', command: 'systemctl daemon-reload' });
      } else if (n.kind === 'session' || n.kind === 'scope') {
        fixes.push({ description: `Raise it for ${unit} now`, command: `systemctl set-property --runtime ${unit} TasksMax=${next}` });
        fixes.push({ description: 'Future scopes and services take DefaultTasksMax', file: { path: '/etc/systemd/system.conf.d/60-tasks-max.conf', content: `[Manager]\nDefaultTasksMax=${next}\n` } });
      } else if (n.kind === 'service' || n.kind === 'user-manager') {
        const name = unit.split('/').pop()!;
        fixes.push({ description: `Raise TasksMax of ${name}`, file: { path: `/etc/systemd/system/${name}.d/60-tasks-max.conf`, content: `[Service]\nTasksMax=${next}\n` } });
        fixes.push({ description: 'then', command: `systemctl daemon-reload && systemctl restart ${name}` });
      } else {
        fixes.push({ description: 'Raise the cgroup\'s pids.max', command: `echo ${next} > /sys/fs/cgroup${facts.cgroups.version === 'v2' ? '' : '/pids'}${n.path}/pids.max` });
      }
      const uts = facts.systemd.userSliceTasksMax;
      const cfg = n.kind === 'user-slice' && uts ? [`Configured: TasksMax=${uts.value} (${uts.file}${uts.line ? `:${uts.line}` : ''}).`] : [];
      out.push({
        id: 'cgroup-pids', severity: n.ratio >= 1 ? 'critical' : 'warning',
        title: `cgroup ${unit}: pids.current ${fmt(cur)} of pids.max ${fmt(max)} (${pct(n.ratio)}) — fork() inside it fails with EAGAIN`,
        details: [`${n.path} (${facts.cgroups.version}); the limit counts every task in the cgroup and below, whoever owns it.`, ...cfg],
        usage: { what: `pids.max of ${n.path}`, used: cur, limit: max, ratio: n.ratio, unit: 'tasks' },
        fixes,
      });
    }
    return out;
  },
};
