import { nprocUsage } from '../nproc-usage.js';
import type { FindingDefinition } from '../types.js';

/** The user's tasks have reached the lowest soft nproc of its processes: their next fork fails. */
export const nprocExhausted: FindingDefinition = {
  id: 'nproc-exhausted',
  severities: ['critical'],
  when: 'the user\'s tasks ≥ the lowest soft nproc of its processes',
  check: (ctx) => nprocUsage(ctx, true),
};
