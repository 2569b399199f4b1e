import { fieldsSpan } from '../helpers.js';
import type { Rule } from '../types.js';

const MARKER = /^[ \t]*#[ \t]*end of file[ \t.]*\r?$/i;

export const entryAfterEndOfFile: Rule = {
  code: 'LC305',
  name: 'entry-after-end-of-file',
  category: 'files',
  severity: 'info',
  description: 'An entry after the stock "# End of file" comment: pam_limits applies it, but people and tools reading the file may stop at the marker.',
  fixable: false,
  check(ctx) {
    for (const { file, doc } of ctx.docs) {
      let marker = -1;
      for (const line of doc.lines) {
        if (marker < 0) {
          if (MARKER.test(doc.text.slice(line.start, line.end))) marker = line.index + 1;
          continue;
        }
        for (const r of line.readings) {
          if (r.kind !== 'entry' && r.kind !== 'nolimit') continue;
          ctx.report({
            file,
            span: fieldsSpan(r),
            message: `this entry comes after the '# End of file' comment on line ${marker}: pam_limits applies it anyway (the comment means nothing to it), but readers and tools that stop at the marker miss it; move the entry above the marker`,
          });
        }
      }
    }
  },
};
