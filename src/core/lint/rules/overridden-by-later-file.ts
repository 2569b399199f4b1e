import type { TreeFile } from '../../model.js';
import { entryText, fieldsSpan, lineSpan } from '../helpers.js';
import type { FindingText, Rule } from '../types.js';

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
    // the message and related location of the finding on order o, replaced by order bo of a file
    // read later, made when the finding is written (held until then as the two numbers); the
    // "why" is the same for every line one file replaces in another, so it is kept for the last
    // such pair of files
    let lastRef: TreeFile | null = null;
    let lastBy: TreeFile | null = null;
    let kind = '';
    const text: FindingText = {
      message(o, bo) {
        const ref = an.entryAt(o)!;
        const b = an.entryAt(bo)!;
        if (b.file !== lastBy || ref.file !== lastRef) { lastRef = ref.file; lastBy = b.file; kind = kindOf(ref.file, b.file); }
        return `this line never applies: ${kind}, and '${entryText(b.reading)}' (${b.file.path}:${b.line.index + 1}) sets the same domain and item again, so pam_limits keeps that one. Change the value there, or remove this line`;
      },
      related(_o, bo) {
        const b = an.entryAt(bo)!;
        return [{ file: b.file, span: lineSpan(b.line), message: 'the line that replaces it' }];
      },
    };
    for (const { file } of ctx.docs) {
      const range = an.orderRange(file);
      if (!range) continue;
      const by = an.dead().by;
      const { lo, hi } = range;
      // the file's entries are the orders [lo, hi); a dead line replaced by a later order >= hi is
      // replaced from another file (only those entries are looked at)
      for (let o = lo; o < hi; o++) {
        const bo = by[o]!;
        if (bo < hi) continue;
        const ref = an.entryAt(o)!;
        ctx.report({ file: ref.file, span: fieldsSpan(ref.reading), text, a: o, b: bo });
      }
    }
  },
};
