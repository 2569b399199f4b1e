import type { Rule } from '../types.js';

export const crlfLineEndings: Rule = {
  code: 'LC103',
  name: 'crlf-line-endings',
  category: 'dialect',
  severity: 'warning',
  description: 'A file with CRLF line endings: harmless in 1.5.2, but Linux-PAM 1.7 keeps the \\r in the value and then rejects unlimited, infinity and -.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, doc } of ctx.docs) {
      // one search of the text: a file without a '\r' (nearly every one) is not walked line by line
      if (doc.text.indexOf('\r') < 0) continue;
      let first = -1;
      let count = 0;
      for (const l of doc.lines) {
        if (l.eolLength === 1 && l.end > l.start && doc.text.charCodeAt(l.end - 1) === 0x0d) {
          if (first < 0) first = l.end - 1;
          count++;
        }
      }
      if (count === 0) continue;
      ctx.report({
        file,
        span: { start: first, end: first + 1 },
        message: `${count} line${count === 1 ? ' ends' : 's end'} in CRLF: Linux-PAM 1.7 keeps the '\\r' in the value, so 'unlimited', 'infinity' and '-' are rejected there (1.5.2 treats '\\r' as a space). Convert the file to LF line endings (e.g. dos2unix)`,
      });
    }
  },
};
