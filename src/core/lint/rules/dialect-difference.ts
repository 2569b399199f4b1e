import { lineSpan, show } from '../helpers.js';
import type { Line, Reading } from '../../model.js';
import { LINE_CHUNK_152, type LineReading, profileInfo } from '../../schema.js';
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

/** Why two readings of a line differ; `a` and `b` are the two profiles' line readings (schema.ts LineReading). */
function cause(text: string, line: Line, a: LineReading, b: LineReading): string {
  const content = text.slice(line.start, line.end);
  const reasons: string[] = [];
  const fgets = a === 'fgets' || b === 'fgets';
  if (fgets && content.length + line.eolLength > LINE_CHUNK_152) reasons.push(`the line is ${content.length} bytes long and Linux-PAM up to 1.5.x reads it in chunks of ${LINE_CHUNK_152}`);
  const hash = content.indexOf('#');
  const active = hash >= 0 ? content.slice(0, hash) : content;
  if (fgets && /\r/.test(active)) reasons.push("it ends in '\\r' (CRLF), which 1.6 and later keep in the value");
  if (fgets && /[\v\f]/.test(active)) reasons.push('\\v or \\f separates fields up to 1.5.x but not from 1.6');
  if (/\0/.test(active)) reasons.push('it contains a NUL byte');
  if (a === 'getline-1.6.0' || b === 'getline-1.6.0') reasons.push('Linux-PAM 1.6.0 keeps the blanks around the value (more than one space or tab before it, or any after it), so keywords such as unlimited and nonewprivs 1 are not recognised (linux-pam #761, fixed in 1.6.1)');
  if (reasons.length === 0) reasons.push('Linux-PAM up to 1.5.x ignores fields after the fourth, while 1.6 and later make them part of the value');
  return reasons.join('; ');
}

export const profileDifference: Rule = {
  code: 'LC101',
  name: 'dialect-difference',
  category: 'dialect',
  severity: 'warning',
  description: 'A line pam_limits releases read differently: up to 1.5.x (fgets, sscanf) against 1.6 and later (getline, the rest of the line is the value): over 1023 bytes, \\r before a keyword, \\v or \\f as separator, extra fields, blanks around the value in 1.6.0.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, doc } of ctx.docs) {
      for (const line of doc.lines) {
        const other = line.other;
        if (!other) continue;
        ctx.report({
          file,
          span: lineSpan(line),
          message: `${profileInfo(ctx.profile).title} reads this line as ${describeAll(line.readings)}, but ${profileInfo(other.profile).title} reads ${describeAll(other.readings)}: ${cause(doc.text, line, profileInfo(ctx.profile).reading, profileInfo(other.profile).reading)}. Rewrite it so that both read it alike`,
        });
      }
    }
  },
};
