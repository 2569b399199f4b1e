import { ownerIn, readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const percentDomain: Rule = {
  code: 'LC008',
  name: 'percent-domain',
  category: 'syntax',
  severity: 'error',
  description: 'A % domain with an item other than maxlogins: pam_limits drops the line.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the entries pam_limits skips (FileReadings.skipped)
    for (const fr of readingIndex(ctx)) for (const r of fr.skipped) {
      const file = fr.file;
      if (r.problem?.code !== 'percent-domain' || ownerIn(fr, r, true) !== 'problem') continue;
      const d = show(r.domain.raw);
      const instead = d === '%' ? "'*'" : `'@${d.slice(1)}'`;
      ctx.report({
        file,
        span: r.domain,
        message: `pam_limits drops this line: '%' domains work only with maxlogins, not ${r.itemText}; use ${instead} instead`,
      });
    }
  },
};
