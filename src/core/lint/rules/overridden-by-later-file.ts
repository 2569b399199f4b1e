import { deadIn, entryText, fieldsSpan, lineSpan } from '../helpers.js';
import type { Rule } from '../types.js';

export const overriddenByLaterFile: Rule = {
  code: 'LC302',
  name: 'overridden-by-later-file',
  category: 'files',
  severity: 'warning',
  description: 'A line that a line with the same domain and item in a file read later (a limits.d drop-in) always replaces.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file } of ctx.docs) for (const d of deadIn(ctx, file)) {
      if (d.ref.file === d.by.file) continue;
      const b = d.by.reading;
      const kind = d.ref.file.role === 'main' ? `limits.d files are read after ${d.ref.file.path.slice(d.ref.file.path.lastIndexOf('/') + 1)}` : `${d.by.file.path} is read later`;
      ctx.report({
        file: d.ref.file,
        span: fieldsSpan(d.ref.reading),
        message: `this line never applies: ${kind}, and '${entryText(b)}' (${d.by.file.path}:${d.by.line.index + 1}) sets the same domain and item again, so pam_limits keeps that one. Change the value there, or remove this line`,
        related: [{ file: d.by.file, span: lineSpan(d.by.line), message: 'the line that replaces it' }],
      });
    }
  },
};
