import { readingIndex, show, syntaxOwner } from '../helpers.js';
import { didYouMean } from '../../suggest.js';
import type { Rule } from '../types.js';

export const unknownType: Rule = {
  code: 'LC002',
  name: 'unknown-type',
  category: 'syntax',
  severity: 'error',
  description: 'A type other than soft, hard or -: pam_limits skips the line.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, entries } of readingIndex(ctx)) for (const r of entries) {
      if (r.kind !== 'entry' || r.problem?.code !== 'unknown-type' || syntaxOwner(r) !== 'problem') continue;
      const t = r.typeText;
      const guess = t === 'both' || t === '--' || t === 'all' ? '-' : didYouMean(t, ['soft', 'hard']);
      ctx.report({
        file,
        span: r.type,
        message: `pam_limits skips this line: unknown type '${show(r.type.raw)}'; use soft, hard or - (both)${guess ? `. Did you mean '${guess}'?` : ''}`,
      });
    }
  },
};
