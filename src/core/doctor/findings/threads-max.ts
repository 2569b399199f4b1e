import { NEAR } from '../analysis.js';
import { fmt, pct } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** nr_threads ≥ kernel.threads-max → fork() fails with EAGAIN for everyone. */
export const threadsMax: FindingDefinition = {
  id: 'threads-max',
  severities: ['critical', 'warning'],
  when: 'the system\'s tasks at 100 % (critical) or 90 % (warning) of `kernel.threads-max` (see §3)',
  check(ctx) {
    const max = ctx.facts.kernel.threadsMax;
    if (max === null || max <= 0) return [];
    const sysTasks = ctx.sysTasks;
    const ratio = sysTasks / max;
    if (ratio < NEAR) return [];
    const next = Math.max(max * 2, sysTasks * 2);
    return [{
      id: 'threads-max', severity: ratio >= 1 ? 'critical' : 'warning',
      title: `kernel.threads-max nearly reached: ${fmt(sysTasks)} of ${fmt(max)} tasks (${pct(ratio)}) — fork() fails with EAGAIN for everyone`,
      details: ['threads-max caps the number of tasks on the whole system (default: a share of RAM).'],
      usage: { what: 'kernel.threads-max', used: sysTasks, limit: max, ratio, unit: 'tasks' },
      fixes: [
        { description: 'Raise it now', command: `sysctl -w kernel.threads-max=${next}` },
        { description: 'and at boot', file: { path: '/etc/sysctl.d/60-threads-max.conf', content: `kernel.threads-max = ${next}\n` } },
      ],
    }];
  },
};
