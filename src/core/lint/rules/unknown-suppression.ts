import type { Rule } from '../types.js';

/** Reported by the engine itself while reading limitsctl-disable comments. */
export const unknownSuppression: Rule = {
  code: 'LC901',
  name: 'unknown-suppression',
  category: 'tool',
  severity: 'warning',
  description: 'A limitsctl-disable comment names a rule that does not exist, so it silences nothing.',
  fixable: false,
  check() { /* reported by the engine */ },
};
