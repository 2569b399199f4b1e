import type { Rule } from '../types.js';

/** Reported by the engine itself when a rule crashes or reports a bad position. */
export const ruleError: Rule = {
  code: 'LC900',
  name: 'rule-error',
  category: 'tool',
  severity: 'error',
  description: 'A lint rule failed on this input (a bug in limitsctl); the other rules still ran.',
  fixable: false,
  check() { /* reported by the engine */ },
};
