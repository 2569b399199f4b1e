import { NEAR } from '../analysis.js';
import { fmt, pct } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Every task takes a PID: no free PID below kernel.pid_max → fork() fails with EAGAIN for everyone. */
export const pidMax: FindingDefinition = {
  id: 'pid-max',
  severities: ['critical', 'warning'],
  when: 'the system\'s tasks at 100 % (critical) or 90 % (warning) of `kernel.pid_max` (see §3)',
  check(ctx) {
    const max = ctx.facts.kernel.pidMax;
    if (max === null || max <= 0) return [];
    const ratio = ctx.sysTasks / max;
    if (ratio < NEAR) return [];
    return [{
      id: 'pid-max', severity: ratio >= 1 ? 'critical' : 'warning',
      title: `PIDs nearly all in use: ${fmt(ctx.sysTasks)} tasks, kernel.pid_max ${fmt(max)} (${pct(ratio)}) — fork() fails with EAGAIN for everyone`,
      details: ['Every task (thread) takes a PID.'],
      usage: { what: 'kernel.pid_max', used: ctx.sysTasks, limit: max, ratio, unit: 'tasks' },
      fixes: [
        { description: 'Raise it now', command: 'sysctl -w kernel.pid_max=4194304' },
        { description: 'and at boot', file: { path: '/etc/sysctl.d/60-pid-max.conf', content: 'kernel.pid_max = 4194304\n' } },
      ],
    }];
  },
};
