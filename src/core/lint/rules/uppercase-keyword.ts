import { ownerIn, readingIndex, show } from '../helpers.js';
import type { Field } from '../../model.js';
import type { TextEdit } from '../../text-edit.js';
import type { Rule } from '../types.js';

const UPPER = /[A-Z]/;

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export const uppercaseKeyword: Rule = {
  code: 'LC011',
  name: 'uppercase-keyword',
  category: 'syntax',
  severity: 'info',
  description: 'A type, item or value keyword in capitals: pam_limits lower-cases them, so it works, but the domain is not lower-cased, which makes the style misleading.',
  fixable: true,
  scope: 'file',
  check(ctx) {
    // the entries whose type, item or value text has a capital (FileReadings.upper: typeText etc.
    // are the raw texts themselves when they have none)
    for (const fr of readingIndex(ctx)) for (let i = 0; i < fr.upper.length; i++) {
      const r = fr.upper[i]!;
      const line = fr.upperLines[i]!;
      const file = fr.file;
      const owner = ownerIn(fr, r, !!r.problem);
      if (owner === 'stray-header' || owner === 'template') continue;
      const fields: Field[] = [r.type, r.item];
      if (r.itemInfo?.name !== 'chroot' && !/[\s]/.test(r.value.raw)) fields.push(r.value);
      const upper = fields.filter((f) => UPPER.test(f.raw));
      if (upper.length === 0) continue;
      const edits: TextEdit[] = upper.map((f) => ({ offset: f.start, length: f.end - f.start, content: lowerAscii(f.raw) }));
      const plain = line.readings.length === 1;
      ctx.report({
        file,
        span: { start: upper[0]!.start, end: upper[upper.length - 1]!.end },
        message: `pam_limits lower-cases ${upper.map((f) => `'${show(f.raw)}'`).join(', ')} (but never the domain, which is matched case-sensitively); write ${upper.map((f) => `'${show(lowerAscii(f.raw))}'`).join(', ')}`,
        ...(plain ? { fix: edits } : {}),
      });
    }
  },
};
