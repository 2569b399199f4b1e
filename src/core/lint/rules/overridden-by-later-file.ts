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
        // by entry index: no EntryRef per finding
        const refFile = an.fileAt(an.indexOf(o));
        const bi = an.indexOf(bo);
        const byFile = an.fileAt(bi);
        if (byFile !== lastBy || refFile !== lastRef) { lastRef = refFile; lastBy = byFile; kind = kindOf(refFile, byFile); }
        return `this line never applies: ${kind}, and '${entryText(an.readingAt(bi))}' (${byFile.path}:${an.lineIndexAt(bi) + 1}) sets the same domain and item again, so pam_limits keeps that one. Change the value there, or remove this line`;
      },
      related(_o, bo) {
        const bi = an.indexOf(bo);
        return [{ file: an.fileAt(bi), span: lineSpan(an.lineAt(bi)), message: 'the line that replaces it' }];
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
        const i = an.indexOf(o);
        ctx.report({ file: an.fileAt(i), span: fieldsSpan(an.readingAt(i)), text, a: o, b: bo });
      }
    }
  },
};
