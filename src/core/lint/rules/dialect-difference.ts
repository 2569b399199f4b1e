import { lineSpan, show } from '../helpers.js';
import type { Line, Reading } from '../../model.js';
import { LINE_CHUNK_152, profileInfo } from '../../schema.js';
import type { Rule } from '../types.js';

function describe(r: Reading): string {
  switch (r.kind) {
    case 'blank': return 'nothing';
    case 'comment': return 'a comment';
    case 'nolimit': return `a "no limits" line for '${show(r.domain.raw)}'`;
    case 'invalid': return `an invalid line (${r.problem.code === 'too-few-fields' ? `${r.fields.length} field${r.fields.length === 1 ? '' : 's'}` : r.problem.code}), skipped`;
    case 'entry': {
      const what = `${show(r.domain.raw)} ${r.typeText} ${show(r.itemText)}`;
      if (r.problem) return `'${what} ${show(r.value.raw)}', skipped (${r.problem.code})`;
      const v = r.parsedValue;
      const val = v?.keyword ? v.keyword : v?.number !== null && v?.number !== undefined ? String(v.number) : show(r.valueText);
      return `'${what} ${val}'`;
    }
  }
}

function describeAll(rs: readonly Reading[]): string {
  const meaningful = rs.filter((r) => r.kind !== 'blank');
  if (meaningful.length === 0) return 'nothing (blank)';
  return meaningful.length === 1 ? describe(meaningful[0]!) : meaningful.map((r, i) => `chunk ${i + 1}: ${describe(r)}`).join(', ');
}

function cause(text: string, line: Line): string {
  const content = text.slice(line.start, line.end);
  const reasons: string[] = [];
  if (content.length + line.eolLength > LINE_CHUNK_152) reasons.push(`the line is ${content.length} bytes long and 1.5.2 reads it in chunks of ${LINE_CHUNK_152}`);
  const hash = content.indexOf('#');
  const active = hash >= 0 ? content.slice(0, hash) : content;
  if (/\r/.test(active)) reasons.push("it ends in '\\r' (CRLF), which 1.7 keeps in the value");
  if (/[\v\f]/.test(active)) reasons.push('\\v or \\f separates fields in 1.5.2 but not in 1.7');
  if (/\0/.test(active)) reasons.push('it contains a NUL byte');
  if (reasons.length === 0) reasons.push('1.5.2 ignores fields after the fourth, while 1.7 makes them part of the value');
  return reasons.join('; ');
}

export const profileDifference: Rule = {
  code: 'LC101',
  name: 'dialect-difference',
  category: 'dialect',
  severity: 'warning',
  description: 'A line Linux-PAM 1.5.2 and 1.7 read differently (over 1023 bytes, \\r before a keyword, \\v or \\f as separator, extra fields).',
  fixable: false,
  check(ctx) {
    for (const { file, doc } of ctx.docs) {
      for (const line of doc.lines) {
        const other = line.other;
        if (!other) continue;
        ctx.report({
          file,
          span: lineSpan(line),
          message: `${profileInfo(ctx.profile).title} reads this line as ${describeAll(line.readings)}, but ${profileInfo(other.profile).title} reads ${describeAll(other.readings)}: ${cause(doc.text, line)}. Rewrite it so that both read it alike`,
        });
      }
    }
  },
};
