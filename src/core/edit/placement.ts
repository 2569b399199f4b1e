/**
 * Placement of a new line: after the domain's last line in the file, else before a trailing
 * `# End of file` marker, else at the end.
 *
 * Pure.
 */
import type { Line } from '../model.js';
import type { WorkFile } from './work-tree.js';

/** Where a new line for `domain` goes in a file, as an offset, plus whether a newline must precede it. */
export function insertionPoint(file: WorkFile, domain: string): { offset: number; near: Line | undefined; needsEolBefore: boolean } {
  const lines = file.lines;
  const text = file.text;
  // the domain's last line: only lines holding its bytes are read, from the end
  const lastSame = lines.lastContaining(domain, (l) => {
    const r = l.readings[0];
    return l.readings.length === 1 && r?.kind === 'entry' && r.domain.raw === domain;
  });
  if (lastSame) {
    const offset = lastSame.end + lastSame.eolLength;
    return { offset, near: lastSame, needsEolBefore: lastSame.eolLength === 0 };
  }
  // before a trailing "# End of file" marker (and the blank lines just before it)
  const n = lines.count;
  const content = (i: number) => { const l = lines.line(i); return text.slice(l.start, l.end); };
  for (let i = n - 1; i >= 0; i--) {
    const t = content(i).trim();
    if (t === '') continue;
    if (/^#\s*end of file\s*$/i.test(t)) {
      let j = i;
      while (j > 0 && content(j - 1).trim() === '') j--;
      const at = lines.line(j);
      const prev = j > 0 ? lines.line(j - 1) : undefined;
      return { offset: at.start, near: undefined, needsEolBefore: prev !== undefined && prev.eolLength === 0 };
    }
    break;
  }
  const last = n > 0 ? lines.line(n - 1) : undefined;
  return { offset: text.length, near: undefined, needsEolBefore: last !== undefined && last.eolLength === 0 };
}
