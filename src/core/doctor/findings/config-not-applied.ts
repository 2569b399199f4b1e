import type { FindingDefinition } from '../types.js';

/**
 * pam_limits applies nothing to the user because a `<domain> -` line matches: the session goes on
 * with the limits of the process that starts it. A file pam_limits cannot read is another matter
 * (the session fails where the control is required): pam-limits-fatal reports that.
 */
export const configNotApplied: FindingDefinition = {
  id: 'config-not-applied',
  severities: ['notice'],
  when: 'pam_limits applies nothing to the user (a matching `<domain> -` line)',
  check(ctx) {
    if (ctx.configNote === null || !ctx.facts.resolution?.noLimit) return [];
    const name = ctx.facts.identity.name;
    return [{
      id: 'config-not-applied', severity: 'notice', title: `pam_limits applies no limits to ${name}`,
      details: [ctx.configNote, 'New sessions keep the limits of the process that starts them (sshd, su, cron ...).'],
      usage: null, fixes: [{ description: 'See what pam_limits reads', command: `limitsctl files${ctx.lc}` }],
    }];
  },
};
