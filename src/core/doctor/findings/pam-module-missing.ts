import type { FindingDefinition } from '../types.js';

/**
 * pam_limits.so is configured but not in the root's library directories: a `session` line fails
 * the session, a `-session` line is skipped silently. Checked only when the root has any library
 * directory (pam.module 'unknown' otherwise).
 */
export const pamModuleMissing: FindingDefinition = {
  id: 'pam-module-missing',
  severities: ['warning'],
  when: 'pam_limits.so is configured but not installed (checked only when the root has library directories; see §4)',
  check(ctx) {
    const pam = ctx.facts.pam;
    if (!(pam.module === null && pam.services.some((s) => s.hits.length > 0))) return [];
    const dashOnly = pam.services.every((s) => s.hits.every((h) => h.dash));
    return [{
      id: 'pam-module-missing', severity: 'warning',
      title: `pam_limits.so is configured but not installed${dashOnly ? ' (the -session lines are skipped silently)' : ': sessions through those stacks fail'}`,
      details: ['No pam_limits.so in the library directories of the root.'], usage: null,
      fixes: [{ description: 'Install it (Debian: libpam-modules; RHEL: pam)', command: 'apt-get install libpam-modules' }],
    }];
  },
};
