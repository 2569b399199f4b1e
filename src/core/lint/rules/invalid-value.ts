import { ownerIn, readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const invalidValue: Rule = {
  code: 'LC004',
  name: 'invalid-value',
  category: 'syntax',
  severity: 'error',
  description: 'A value pam_limits rejects ("wrong limit value"): the line is skipped.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the entries pam_limits skips (FileReadings.skipped)
    for (const fr of readingIndex(ctx)) for (const r of fr.skipped) {
      const file = fr.file;
      if (r.problem?.code !== 'wrong-value' || ownerIn(fr, r, true) !== 'problem' || !r.itemInfo) continue;
      const info = r.itemInfo;
      const raw = r.value.raw;
      let want: string;
      if (info.grammar === 'int') want = `${info.name} takes a number${info.range ? ` (${info.range.min} to ${info.range.max})` : ''}; unlimited and infinity are not accepted`;
      else if (info.grammar === 'int-or-unlimited') want = `${info.name} takes a number, or unlimited/infinity/-1`;
      else want = `${info.name} takes a decimal number in ${info.unit}, or unlimited/infinity/-1`;
      const cr = raw.includes('\r') ? "; the value ends in '\\r' (a CRLF file read by 1.7): convert the file to LF line endings" : '';
      ctx.report({
        file,
        span: r.value,
        message: `pam_limits skips this line: wrong limit value '${show(raw)}'; ${want}${cr}`,
      });
    }
  },
};
