import { configuredNproc } from '../analysis.js';
import { LOGIN_PATHS } from '../pam.js';
import { formatLimit, formatSource } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** pam_limits.so conf=FILE: that login path reads only FILE (no limits.d); the nproc it gives is shown. */
export const pamLimitsConf: FindingDefinition = {
  id: 'pam-limits-conf',
  severities: ['notice'],
  when: 'a login path\'s pam_limits reads another file (`conf=`), without limits.d (see §4)',
  check(ctx) {
    const loginPaths = ctx.facts.pam.services.filter((s) => LOGIN_PATHS.includes(s.service));
    const confHits = loginPaths.flatMap((s) => s.hits.filter((h) => h.conf !== null).map((h) => ({ s, h })));
    if (confHits.length === 0) return [];
    const details: string[] = [];
    for (const { s, h } of confHits) {
      const cr = ctx.facts.confResolutions.find((c) => c.conf === h.conf);
      const nproc = cr ? configuredNproc(cr.resolution) : null;
      details.push(`${s.service}: ${h.file}:${h.line} conf=${h.conf}${nproc ? ` → nproc soft ${formatLimit(nproc.soft)}, hard ${formatLimit(nproc.hard)}${nproc.softFrom ? ` (${formatSource(nproc.softFrom)})` : ''}` : cr?.resolution.failure ? ' → cannot be read: see pam-limits-fatal' : cr && !cr.resolution.applied ? ' → no limits applied' : ''}`);
    }
    return [{
      id: 'pam-limits-conf', severity: 'notice',
      title: `pam_limits reads another file for ${[...new Set(confHits.map((x) => x.s.service))].join(', ')} (conf=): limits.d is not read there`,
      details, usage: null, fixes: [],
    }];
  },
};
