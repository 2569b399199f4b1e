import { deadIn, entryText, lineSpan, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const duplicateEntry: Rule = {
  code: 'LC202',
  name: 'duplicate-entry',
  category: 'semantics',
  severity: 'warning',
  description: 'A line that a later line of the same file, with the same domain and item, always replaces: the earlier line is dead.',
  fixable: true,
  scope: 'file',
  check(ctx) {
    for (const { file } of ctx.docs) for (const d of deadIn(ctx, file)) {
      if (d.ref.file !== d.by.file) continue;
      const a = d.ref.reading;
      const b = d.by.reading;
      const same = a.typeText === b.typeText && a.valueText === b.valueText;
      const line = d.ref.line;
      ctx.report({
        file: d.ref.file,
        span: lineSpan(line),
        message: same
          ? `duplicate of line ${d.by.line.index + 1} ('${entryText(b)}'): pam_limits applies the later one, so this line changes nothing; remove it`
          : `dead line: line ${d.by.line.index + 1} ('${entryText(b)}') sets ${b.itemText} for '${show(a.domain.raw)}' again and pam_limits keeps the line read last, so this value never applies${a.itemInfo && !a.itemInfo.typeChecked && a.typeText !== b.typeText ? ` (the type does not matter for ${b.itemText}: every line sets the same single limit)` : ''}; remove this line or merge the two`,
        related: [{ file: d.by.file, span: lineSpan(d.by.line), message: 'the line that replaces it' }],
        fix: d.removable ? [{ offset: line.start, length: line.end - line.start + line.eolLength, content: '' }] : undefined,
      });
    }
  },
};
