import type { TreeFile } from '../../model.js';
import { entryText, fieldsSpan, lineSpan } from '../helpers.js';
import type { Rule } from '../types.js';

/** The "why": which file pam_limits reads later (the same text for every line a file's lines replace). */
function kindOf(ref: TreeFile, by: TreeFile): string {
  return ref.role === 'main' ? `limits.d files are read after ${ref.path.slice(ref.path.lastIndexOf('/') + 1)}` : `${by.path} is read later`;
}

export const overriddenByLaterFile: Rule = {
  code: 'LC302',
  name: 'overridden-by-later-file',
  category: 'files',
  severity: 'warning',
  description: 'A line that a line with the same domain and item in a file read later (a limits.d drop-in) always replaces.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    const an = ctx.analysis;
    for (const { file } of ctx.docs) {
      const range = an.orderRange(file);
      if (!range) continue;
      const by = an.dead().by;
      const { lo, hi } = range;
      // the file's entries are the orders [lo, hi); a dead line replaced by a later order >= hi is
      // replaced from another file (only those entries are looked at)
      let lastBy: TreeFile | null = null;
      let kind = '';
      for (let o = lo; o < hi; o++) {
        const bo = by[o]!;
        if (bo < hi) continue;
        const ref = an.entryAt(o)!;
        const b = an.entryAt(bo)!;
        if (b.file !== lastBy) { lastBy = b.file; kind = kindOf(ref.file, b.file); }
        ctx.report({
          file: ref.file,
          span: fieldsSpan(ref.reading),
          message: `this line never applies: ${kind}, and '${entryText(b.reading)}' (${b.file.path}:${b.line.index + 1}) sets the same domain and item again, so pam_limits keeps that one. Change the value there, or remove this line`,
          related: [{ file: b.file, span: lineSpan(b.line), message: 'the line that replaces it' }],
        });
      }
    }
  },
};
