import { ownerIn, readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const extraFields: Rule = {
  code: 'LC006',
  name: 'extra-fields',
  category: 'syntax',
  severity: 'warning',
  description: 'More than four fields: pam_limits 1.5.2 silently ignores the rest, 1.7 makes it part of the value.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the entries with fields after the fourth (FileReadings.extras)
    for (const fr of readingIndex(ctx)) for (const r of fr.extras) {
      const file = fr.file;
      const owner = ownerIn(fr, r, !!r.problem);
      if (owner === 'template' || owner === 'stray-header') continue;
      const first = r.extra[0]!;
      const last = r.extra[r.extra.length - 1]!;
      const text = r.extra.map((f) => show(f.raw)).join(' ');
      ctx.report({
        file,
        span: { start: first.start, end: last.end },
        message: `pam_limits (${ctx.profile}) ignores '${text}' after the value; Linux-PAM 1.7 reads it as part of the value ('${show(r.value.raw)} ${text}'). Remove it, or make it a comment with '#'`,
      });
    }
  },
};
