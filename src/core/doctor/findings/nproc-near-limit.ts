import { nprocUsage } from '../nproc-usage.js';
import type { FindingDefinition } from '../types.js';

/** The user's tasks are at 90 % or more (below 100 %) of the lowest soft nproc of its processes. */
export const nprocNearLimit: FindingDefinition = {
  id: 'nproc-near-limit',
  severities: ['warning'],
  when: '≥ 90 % of the lowest soft nproc of its processes',
  check: (ctx) => nprocUsage(ctx, false),
};
