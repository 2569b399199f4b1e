import { invalidFieldCount, invalidFieldsSpan } from '../../parse.js';
import { ownerIn, readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

const TYPES = new Set(['soft', 'hard', '-']);

export const tooFewFields: Rule = {
  code: 'LC001',
  name: 'too-few-fields',
  category: 'syntax',
  severity: 'error',
  description: 'A line without the four fields <domain> <type> <item> <value>: pam_limits logs "invalid line" and skips it.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const fr of readingIndex(ctx)) for (const r of fr.others) {
      if (r.kind !== 'invalid') continue;
      // without a ':' in the file an invalid reading's problem is 'too-few-fields' (FileReadings.colon):
      // not worked out per line (it splits the line and reads its domain again)
      if (fr.colon && r.problem.code !== 'too-few-fields') continue;
      if (ownerIn(fr, r, true) !== 'problem') continue;
      const file = fr.file;
      // a line of one field (a pasted word, a wrong file: the run this rule sees most) is reported
      // from what the parser counted and where its field is, without splitting the line again
      if (invalidFieldCount(r) === 1) {
        ctx.report({ file, span: invalidFieldsSpan(r), message: ONE_FIELD });
        continue;
      }
      const fields = r.fields;
      const n = fields.length;
      let message = n === 1 ? ONE_FIELD : n === 3 ? THREE_FIELDS : null;
      if (n === 3) {
        const f0 = fields[0]!.raw.toLowerCase();
        const f1 = fields[1]!.raw.toLowerCase();
        if (TYPES.has(f0)) message = skipped(3, `the <domain> is missing: start the line with a user, @group or * (e.g. "* ${fields.map((f) => show(f.raw)).join(' ')}")`);
        else if (TYPES.has(f1)) message = skipped(3, 'the <value> is missing (a 3-field line is not a "no limits" line)');
      } else if (n === 2) {
        message = skipped(2, `a 2-field line means "no limits at all" only with type '-' (e.g. "${show(fields[0]!.raw)} -"); otherwise write all four fields`);
      }
      ctx.report({
        file,
        span: { start: fields[0]!.start, end: fields[n - 1]!.end },
        message: message ?? skipped(n, HINT),
      });
    }
  },
};

function skipped(n: number, hint: string): string {
  return `pam_limits skips this line ("invalid line"): it has ${n} field${n === 1 ? '' : 's'}; ${hint}`;
}

const HINT = 'write <domain> <type> <item> <value>, e.g. "* soft nofile 4096"';
// the messages that name no field's text, made once (a file of such lines reports one per line)
const ONE_FIELD = skipped(1, HINT);
const THREE_FIELDS = skipped(3, HINT);
