import { ownerIn, readingIndex, show } from '../helpers.js';
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
    // the entries pam_limits skips (FileReadings.skipped)
    for (const fr of readingIndex(ctx)) for (const r of fr.skipped) {
      const file = fr.file;
      if (r.problem?.code !== 'unknown-type' || ownerIn(fr, r, true) !== 'problem') continue;
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
