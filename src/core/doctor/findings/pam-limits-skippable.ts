import { LOGIN_PATHS } from '../pam.js';
import type { FindingDefinition } from '../types.js';

/**
 * An earlier line can jump over pam_limits.so ([success=N …]) or end the stack before it
 * (sufficient, =done); whether it does depends on the module's result, so this is a notice.
 */
export const pamLimitsSkippable: FindingDefinition = {
  id: 'pam-limits-skippable',
  severities: ['notice'],
  when: 'an earlier line of a login path can jump over pam_limits or end the stack before it (see §4)',
  check(ctx) {
    const loginPaths = ctx.facts.pam.services.filter((s) => LOGIN_PATHS.includes(s.service));
    const skippable = loginPaths.flatMap((s) => s.hits.filter((h) => h.mayBeSkipped.length > 0).map((h) => ({ s, h })));
    if (skippable.length === 0) return [];
    return [{
      id: 'pam-limits-skippable', severity: 'notice',
      title: `pam_limits.so can be skipped in ${[...new Set(skippable.map((x) => x.s.service))].join(', ')}`,
      details: skippable.flatMap(({ s, h }) => [`${s.service}: ${h.file}:${h.line} (via ${h.via.join(' → ')})`, ...h.mayBeSkipped.map((x) => `  ${x}`)]),
      usage: null, fixes: [],
    }];
  },
};
