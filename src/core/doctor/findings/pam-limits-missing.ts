import { LOGIN_PATHS } from '../pam.js';
import type { FindingDefinition } from '../types.js';

/** A login path whose session stack never reaches pam_limits.so: its sessions keep the caller's limits. */
export const pamLimitsMissing: FindingDefinition = {
  id: 'pam-limits-missing',
  severities: ['warning', 'notice'],
  when: 'a login path without pam_limits (a warning for sshd)',
  check(ctx) {
    const missing = ctx.facts.pam.services.filter((s) => LOGIN_PATHS.includes(s.service) && s.hits.length === 0 && s.file !== null);
    if (missing.length === 0) return [];
    const sshdMissing = missing.some((s) => s.service === 'sshd');
    return [{
      id: 'pam-limits-missing', severity: sshdMissing ? 'warning' : 'notice',
      title: `pam_limits.so is not in the session stack of ${missing.map((s) => s.service).join(', ')}: sessions started that way keep the caller's limits`,
      details: missing.map((s) => `${s.service}: ${s.file}${s.viaOther ? ' (service file missing: PAM uses "other")' : ''}${s.problems.length ? `; ${s.problems.join('; ')}` : ''}`),
      usage: null,
      fixes: missing.slice(0, 3).map((s) => ({
        description: `Add pam_limits to ${s.service}'s session stack`,
        command: `echo 'session required pam_limits.so' >> /${s.viaOther ? `etc/pam.d/${s.service}` : s.file}`,
      })),
    }];
  },
};
