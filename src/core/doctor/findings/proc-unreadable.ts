import { fmt } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Facts that could not be read (hidepid, a missing sysctl or meminfo): counts may be low. */
export const procUnreadable: FindingDefinition = {
  id: 'proc-unreadable',
  severities: ['info'],
  when: 'some `/proc` entries or sysctls could not be read',
  check(ctx) {
    const { census, problems } = ctx.facts;
    if (!(census.unreadable > 0 || problems.length > 0)) return [];
    return [{
      id: 'proc-unreadable', severity: 'info', title: 'Some facts could not be read; counts may be low',
      details: [
        ...(census.unreadable > 0 ? [`${fmt(census.unreadable)} processes could not be read (hidepid? run as root)`] : []),
        ...problems.slice(0, 10),
      ],
      usage: null, fixes: [],
    }];
  },
};
