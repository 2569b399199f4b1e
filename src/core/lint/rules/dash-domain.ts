import { type FileReadings, ownerIn, readingIndex } from '../helpers.js';
import type { Rule } from '../types.js';

/**
 * `- soft nofile 4096`, written to mean "everyone": pam_limits has no such domain. parse_config_file
 * (pam_limits.c, Linux-PAM 1.5.2 and 1.7.2) compares the domain with the user name first, and '-'
 * is neither '@', '%', '*' nor a uid range (parse_uid_range: no ':'), so the line is for
 * the user named '-' — whom useradd(8) refuses to create (shadow's chkname.c: a name may not start with '-'). Reported
 * whether or not the tree has an etc/passwd (LC304 leaves this domain to this rule).
 */
export const dashDomain: Rule = {
  code: 'LC013',
  name: 'dash-domain',
  category: 'syntax',
  severity: 'error',
  description: "A '-' domain: pam_limits reads it as a user named '-', so the line applies to nobody; '*' is everyone.",
  fixable: false,
  scope: 'file',
  check(ctx) {
    const one = (fr: FileReadings, r: FileReadings['dashes'][number]): void => {
      const owner = ownerIn(fr, r, !!r.problem);
      if (owner === 'stray-header' || owner === 'template') return;
      ctx.report({
        file: fr.file,
        span: r.domain,
        message: "domain '-' is not 'everyone': pam_limits reads it as the user named '-' (an account useradd refuses to create), so the line applies to nobody. Did you mean '*'?",
      });
    };
    // the entries and "no limits" lines whose domain is '-' (FileReadings.dashes)
    for (const fr of readingIndex(ctx)) for (const r of fr.dashes) one(fr, r);
  },
};
