/**
 * Placement of a new line: after the domain's last line in the file, else before a trailing
 * `# End of file` marker, else at the end.
 *
 * Pure.
 */
import type { Line, LimitsDocument } from '../model.js';

/** Where a new line for `domain` goes in a document, as an offset, plus whether a newline must precede it. */
export function insertionPoint(doc: LimitsDocument, domain: string): { offset: number; near: Line | undefined; needsEolBefore: boolean } {
  const lines = doc.lines;
  let lastSame: Line | undefined;
  for (const l of lines) {
    const r = l.readings[0];
    if (l.readings.length === 1 && r?.kind === 'entry' && r.domain.raw === domain) lastSame = l;
  }
  if (lastSame) {
    const offset = lastSame.end + lastSame.eolLength;
    return { offset, near: lastSame, needsEolBefore: lastSame.eolLength === 0 };
  }
  // before a trailing "# End of file" marker (and the blank lines just before it)
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    const text = doc.text.slice(l.start, l.end).trim();
    if (text === '') continue;
    if (/^#\s*end of file\s*$/i.test(text)) {
      let j = i;
      while (j > 0 && doc.text.slice(lines[j - 1]!.start, lines[j - 1]!.end).trim() === '') j--;
      const at = lines[j]!;
      const prev = lines[j - 1];
      return { offset: at.start, near: undefined, needsEolBefore: prev !== undefined && prev.eolLength === 0 };
    }
    break;
  }
  const last = lines[lines.length - 1];
  return { offset: doc.text.length, near: undefined, needsEolBefore: last !== undefined && last.eolLength === 0 };
}
