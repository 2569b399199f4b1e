import { lineSpan, readingIndex, syntaxOwner } from '../helpers.js';
import type { Rule } from '../types.js';

export const strayHeader: Rule = {
  code: 'LC009',
  name: 'stray-header',
  category: 'syntax',
  severity: 'warning',
  description: 'The "<domain> <type> <item> <value>" header of the stock file left uncommented: pam_limits logs it as invalid on every login.',
  fixable: true,
  scope: 'file',
  check(ctx) {
    for (const { file, markup, markupLines, owned } of readingIndex(ctx)) for (let i = 0; owned > 0 && i < markup.length; i++) {
      const r = markup[i]!;
      const line = markupLines[i]!;
      if (syntaxOwner(r) !== 'stray-header') continue;
      const plain = line.readings.length === 1;
      ctx.report({
        file,
        span: lineSpan(line),
        message: "the header line '<domain> <type> <item> <value>' is not commented out: pam_limits skips it and logs an error for it at every login; put '#' in front of it",
        ...(plain ? { fix: [{ offset: line.start, length: 0, content: '#' }] } : {}),
      });
    }
  },
};
