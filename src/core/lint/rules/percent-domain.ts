import { readingIndex, show, syntaxOwner } from '../helpers.js';
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
    for (const { file, entries } of readingIndex(ctx)) for (const r of entries) {
      if (r.kind !== 'entry' || r.problem?.code !== 'percent-domain' || syntaxOwner(r) !== 'problem') continue;
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
