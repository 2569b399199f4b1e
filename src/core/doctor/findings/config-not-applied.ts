import type { FindingDefinition } from '../types.js';

/** pam_limits applies nothing to the user: a `<domain> -` line matches, or a file fails the session. */
export const configNotApplied: FindingDefinition = {
  id: 'config-not-applied',
  severities: ['notice'],
  when: 'pam_limits applies nothing to the user (`<domain> -`, unreadable file)',
  check(ctx) {
    if (ctx.configNote === null) return [];
    const name = ctx.facts.identity.name;
    return [{
      id: 'config-not-applied', severity: 'notice', title: `pam_limits applies no limits to ${name}`,
      details: [ctx.configNote, 'New sessions keep the limits of the process that starts them (sshd, su, cron ...).'],
      usage: null, fixes: [{ description: 'See what pam_limits reads', command: `limitsctl files${ctx.lc}` }],
    }];
  },
};
