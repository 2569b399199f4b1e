import { ownerIn, readingIndex, show } from '../helpers.js';
import { itemInfo, ITEMS } from '../../schema.js';
import { didYouMean } from '../../suggest.js';
import type { Rule } from '../types.js';

export const unknownItem: Rule = {
  code: 'LC003',
  name: 'unknown-item',
  category: 'syntax',
  severity: 'error',
  description: 'An item pam_limits does not know in any version (a typo such as npoc): the line is skipped.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the profile's items, for a finding's hint (made at the first finding of a file, not for every file)
    let names: string[] | undefined;
    // the entries pam_limits skips (FileReadings.skipped)
    for (const fr of readingIndex(ctx)) for (const r of fr.skipped) {
      const file = fr.file;
      if (r.problem?.code !== 'unknown-item' || ownerIn(fr, r, true) !== 'problem') continue;
      if (itemInfo(r.itemText)) continue; // known to another version: item-not-in-profile
      names ??= ITEMS.filter((i) => i.profiles.includes(ctx.profile)).map((i) => i.name);
      const guess = didYouMean(r.itemText, names);
      ctx.report({
        file,
        span: r.item,
        message: `pam_limits skips this line: unknown item '${show(r.item.raw)}'${guess ? `. Did you mean '${guess}'?` : `; items are ${names.join(', ')}`}`,
      });
    }
  },
};
