import { NEAR } from '../analysis.js';
import { caveatOf, fmt, formatSource } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Even a fresh login would start at or over the configured soft nproc. */
export const nprocNewSessions: FindingDefinition = {
  id: 'nproc-new-sessions',
  severities: ['critical', 'warning'],
  when: 'the configured soft nproc is already reached (≥ 90 %): a new login cannot fork (much)',
  check(ctx) {
    const { tasks, confSoft, bindingSoft, nprocRatio, configured } = ctx;
    if (ctx.isRoot || ctx.processes === 0 || confSoft === null || tasks < confSoft * NEAR) return [];
    if (!(bindingSoft === null || confSoft > bindingSoft || nprocRatio! < NEAR)) return [];
    const name = ctx.facts.identity.name;
    const ratio = tasks / confSoft;
    const caveat = caveatOf(ctx.facts.resolution?.warnings);
    return [{
      id: 'nproc-new-sessions', severity: ratio >= 1 ? 'critical' : 'warning',
      title: `New sessions of ${name} get soft nproc ${fmt(confSoft)} and ${name} already runs ${fmt(tasks)} tasks${ratio >= 1 ? ': a new login cannot fork' : ''}`,
      details: [`Configured: ${formatSource(configured!.softFrom) || configured!.softOrigin}${caveat ? `, ${caveat}` : ''}.`],
      usage: { what: `configured nproc of ${name}`, used: tasks, limit: confSoft, ratio, unit: 'tasks' },
      fixes: [ctx.setFix],
    }];
  },
};
