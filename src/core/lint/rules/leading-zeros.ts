import { readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const leadingZeros: Rule = {
  code: 'LC012',
  name: 'leading-zeros',
  category: 'syntax',
  severity: 'info',
  description: 'A number with leading zeros: read as decimal (not octal), and often a typo (048576 for 1048576).',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the valid entries whose value has notes (FileReadings.noted)
    for (const { file, noted } of readingIndex(ctx)) for (const r of noted) {
      if (!r.parsedValue?.notes.includes('leading-zeros')) continue;
      ctx.report({
        file,
        span: r.value,
        message: `pam_limits reads '${show(r.value.raw)}' as the decimal number ${String(r.parsedValue.number)}: leading zeros do not mean octal; check for a missing digit and drop the zeros`,
      });
    }
  },
};
