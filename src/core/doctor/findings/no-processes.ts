import { caveatOf, formatLimit, formatSource } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** The user runs nothing now: say what a new session would get. */
export const noProcesses: FindingDefinition = {
  id: 'no-processes',
  severities: ['info'],
  when: 'the user runs nothing now',
  check(ctx) {
    if (ctx.isRoot || ctx.processes !== 0) return [];
    const c = ctx.configured;
    const caveat = caveatOf(ctx.facts.resolution?.warnings);
    return [{
      id: 'no-processes', severity: 'info', title: `${ctx.facts.identity.name} runs no processes right now`,
      details: [c ? `New sessions get nproc soft ${formatLimit(c.soft)}, hard ${formatLimit(c.hard)}${c.softFrom ? ` (${formatSource(c.softFrom)})` : ''}${caveat ? `, ${caveat}` : ''}.` : 'The configured nproc could not be computed.'],
      usage: null, fixes: [],
    }];
  },
};
