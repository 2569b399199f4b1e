import { fieldsSpan } from '../helpers.js';
import type { Rule } from '../types.js';

const MARKER = /^[ \t]*#[ \t]*end of file[ \t.]*\r?$/i;

/**
 * Whether the text has a '#' followed by blanks and "end" in any case, as every marker line has:
 * a walk of its '#'s (a native search), so that a file without one is not walked line by line
 * (a search for /end of file/i costs more than that walk).
 */
function mayHoldMarker(text: string): boolean {
  for (let h = text.indexOf('#'); h >= 0; h = text.indexOf('#', h + 1)) {
    let i = h + 1;
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x09) c = text.charCodeAt(++i);
    // 'e'/'E', 'n'/'N', 'd'/'D' (| 0x20 lower-cases an ASCII capital and changes no other byte into these)
    if ((c | 0x20) === 0x65 && (text.charCodeAt(i + 1) | 0x20) === 0x6e && (text.charCodeAt(i + 2) | 0x20) === 0x64) return true;
  }
  return false;
}

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
      if (!mayHoldMarker(doc.text)) continue;
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
