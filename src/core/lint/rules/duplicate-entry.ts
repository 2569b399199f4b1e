import { entryRaw } from '../../parse.js';
import { entryText, lineSpan, show } from '../helpers.js';
import type { FindingText, Rule } from '../types.js';

export const duplicateEntry: Rule = {
  code: 'LC202',
  name: 'duplicate-entry',
  category: 'semantics',
  severity: 'warning',
  description: 'A line that a later line of the same file, with the same domain and item, always replaces: the earlier line is dead.',
  fixable: true,
  scope: 'file',
  check(ctx) {
    const an = ctx.analysis;
    // the message and related location of the finding on order o, replaced by order bo, made
    // when the finding is written (held until then as the two numbers; read by entry index, no
    // EntryRef per finding)
    const text: FindingText = {
      message(o, bo) {
        const a = an.readingAt(an.indexOf(o));
        const bi = an.indexOf(bo);
        const b = an.readingAt(bi);
        const byLine = an.lineIndexAt(bi) + 1;
        return a.typeText === b.typeText && a.valueText === b.valueText
          ? `duplicate of line ${byLine} ('${entryText(b)}'): pam_limits applies the later one, so this line changes nothing; remove it`
          : `dead line: line ${byLine} ('${entryText(b)}') sets ${b.itemText} for '${show(entryRaw(a, 0))}' again and pam_limits keeps the line read last, so this value never applies${a.itemInfo && !a.itemInfo.typeChecked && a.typeText !== b.typeText ? ` (the type does not matter for ${b.itemText}: every line sets the same single limit)` : ''}; remove this line or merge the two`;
      },
      related(_o, bo) {
        const bi = an.indexOf(bo);
        return [{ file: an.fileAt(bi), span: lineSpan(an.lineAt(bi)), message: 'the line that replaces it' }];
      },
    };
    for (const { file } of ctx.docs) {
      const range = an.orderRange(file);
      if (!range) continue;
      const { by, removable } = an.dead();
      const { lo, hi } = range;
      // the file's entries are the orders [lo, hi): a dead line replaced by an order below hi is
      // replaced by a line of the same file (only those entries are looked at)
      for (let o = lo; o < hi; o++) {
        const bo = by[o]!;
        if (bo < 0 || bo >= hi) continue;
        const i = an.indexOf(o);
        const line = an.lineAt(i);
        ctx.report({
          file: an.fileAt(i),
          span: lineSpan(line),
          text,
          a: o,
          b: bo,
          fix: removable[o] === 1 ? [{ offset: line.start, length: line.end - line.start + line.eolLength, content: '' }] : undefined,
        });
      }
    }
  },
};
