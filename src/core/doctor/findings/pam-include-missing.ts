import type { FindingDefinition } from '../types.js';

/** A PAM stack includes (@include, include, substack) a file that does not exist. */
export const pamIncludeMissing: FindingDefinition = {
  id: 'pam-include-missing',
  severities: ['warning'],
  when: 'a PAM stack includes a file that does not exist (see §4)',
  check(ctx) {
    const problems = ctx.facts.pam.services.flatMap((s) => s.problems.filter((p) => p.includes('not found')).map((p) => `${s.service}: ${p}`));
    if (problems.length === 0) return [];
    return [{ id: 'pam-include-missing', severity: 'warning', title: 'A PAM stack includes a file that does not exist', details: problems, usage: null, fixes: [] }];
  },
};
