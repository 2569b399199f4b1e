import { NEAR } from '../analysis.js';
import { kib, pct } from '../text.js';
import type { FindingDefinition } from '../types.js';

/**
 * Strict overcommit (vm.overcommit_memory=2): a fork that would push Committed_AS over
 * CommitLimit fails with ENOMEM ("Cannot allocate memory"), not EAGAIN.
 */
export const commitLimit: FindingDefinition = {
  id: 'commit-limit',
  severities: ['critical', 'warning'],
  when: '`vm.overcommit_memory=2` and `Committed_AS` at 100 % (critical) or 90 % (warning) of `CommitLimit` (see §3)',
  check(ctx) {
    const k = ctx.facts.kernel;
    const m = ctx.facts.memory;
    if (!(k.overcommitMemory === 2 && m.commitLimit && m.committedAs !== null)) return [];
    const ratio = m.committedAs / m.commitLimit;
    if (ratio < NEAR) return [];
    return [{
      id: 'commit-limit', severity: ratio >= 1 ? 'critical' : 'warning',
      title: `Strict overcommit (vm.overcommit_memory=2): Committed_AS ${kib(m.committedAs)} of CommitLimit ${kib(m.commitLimit)} (${pct(ratio)}) — fork() fails with ENOMEM ("Cannot allocate memory"), not EAGAIN`,
      details: [
        `CommitLimit = swap + RAM × vm.overcommit_ratio (${k.overcommitRatio ?? '?'} %)${k.overcommitKbytes ? ` or vm.overcommit_kbytes ${k.overcommitKbytes}` : ''}; a fork commits a copy of the parent's writable memory.`,
        m.memAvailable !== null ? `MemAvailable ${kib(m.memAvailable)} of ${kib(m.memTotal ?? 0)}.` : '',
      ].filter(Boolean),
      usage: { what: 'CommitLimit', used: m.committedAs, limit: m.commitLimit, ratio, unit: 'KiB' },
      fixes: [
        { description: 'Allow more commitment now', command: `sysctl -w vm.overcommit_ratio=${Math.min(100, (k.overcommitRatio ?? 50) + 30)}` },
        { description: 'or go back to heuristic overcommit', command: 'sysctl -w vm.overcommit_memory=0' },
        { description: 'or add swap (it adds to CommitLimit)' },
      ],
    }];
  },
};
