import { fieldsSpan } from '../helpers.js';
import type { Rule } from '../types.js';

const MARKER = /^[ \t]*#[ \t]*end of file[ \t.]*\r?$/i;
/** What every marker line holds: one search of a file's text, so that a file without it is not walked line by line. */
const MARKER_WORDS = /end of file/i;

export const entryAfterEndOfFile: Rule = {
  code: 'LC305',
  name: 'entry-after-end-of-file',
  category: 'files',
  severity: 'info',
  description: 'An entry after the stock "# End of file" comment: pam_limits applies it, but people and tools reading the file may stop at the marker.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, doc } of ctx.docs) {
      if (!MARKER_WORDS.test(doc.text)) continue;
      let marker = -1;
      // one finding per block of consecutive lines with entries (4 appended lines: 1 finding spanning them)
      let block: Array<{ line: number; span: { start: number; end: number } }> = [];
      const flush = () => {
        if (block.length === 0) return;
        const first = block[0]!;
        const last = block[block.length - 1]!;
        const what = block.length === 1
          ? 'this entry comes'
          : `these ${block.length} entries (lines ${first.line}–${last.line}) come`;
        ctx.report({
          file,
          span: { start: first.span.start, end: last.span.end },
          message: `${what} after the '# End of file' comment on line ${marker}: pam_limits applies ${block.length === 1 ? 'it' : 'them'} anyway (the comment means nothing to it), but readers and tools that stop at the marker miss ${block.length === 1 ? 'it' : 'them'}; move ${block.length === 1 ? 'the entry' : 'them'} above the marker`,
        });
        block = [];
      };
      for (const line of doc.lines) {
        if (marker < 0) {
          // the marker starts with '#' after blanks: other lines are passed without slicing them
          let i = line.start;
          while (i < line.end && (doc.text.charCodeAt(i) === 0x20 || doc.text.charCodeAt(i) === 0x09)) i++;
          if (i < line.end && doc.text.charCodeAt(i) === 0x23 && MARKER.test(doc.text.slice(line.start, line.end))) marker = line.index + 1;
          continue;
        }
        const entries = line.readings.filter((r) => r.kind === 'entry' || r.kind === 'nolimit');
        if (entries.length === 0) { flush(); continue; }
        const spans = entries.map((r) => fieldsSpan(r as Parameters<typeof fieldsSpan>[0]));
        block.push({ line: line.index + 1, span: { start: spans[0]!.start, end: spans[spans.length - 1]!.end } });
      }
      flush();
    }
  },
};
