import { kib } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Little memory available: forks may fail with ENOMEM, or the OOM killer steps in. */
export const lowMemory: FindingDefinition = {
  id: 'low-memory',
  severities: ['warning'],
  when: '`MemAvailable` below max(64 MiB, 2 % of RAM) (see §3)',
  check(ctx) {
    const k = ctx.facts.kernel;
    const m = ctx.facts.memory;
    if (m.memAvailable === null || !m.memTotal) return [];
    const threshold = Math.max(65536, m.memTotal * 0.02);
    if (m.memAvailable >= threshold) return [];
    return [{
      id: 'low-memory', severity: 'warning',
      title: `Low memory: MemAvailable ${kib(m.memAvailable)} of ${kib(m.memTotal)} — forks may fail with ENOMEM or the OOM killer steps in`,
      details: [`vm.overcommit_memory=${k.overcommitMemory ?? '?'}; swap ${kib(m.swapFree ?? 0)} free of ${kib(m.swapTotal ?? 0)}.`],
      usage: null, fixes: [{ description: 'Find the largest processes', command: 'ps -eo pid,user,rss,comm --sort=-rss | head' }],
    }];
  },
};
