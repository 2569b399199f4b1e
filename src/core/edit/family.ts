/**
 * Families: every valid line with the same domain text and item, in any file, in reading order.
 * Within a family all lines have the same rank, so for each half the last one read wins.
 *
 * Pure.
 */
import type { EntryReading, Line } from '../model.js';
import { itemPattern } from './lines.js';
import type { WorkFile, WorkTree } from './work-tree.js';

export interface FamilyLine {
  readonly file: WorkFile;
  readonly line: Line;
  readonly reading: EntryReading;
  /** the reading is one 1023-byte chunk of an over-long line (1.5.2 fgets), not the whole line */
  readonly chunk: boolean;
}

/**
 * The family's lines in reading order. A chunk of an over-long line (1.5.2 reads each 1023-byte
 * piece as a line of its own) joins only with `chunks` (for unset, which neutralises it): `set`
 * never edits inside such a line, whose chunk boundaries would move.
 */
export function familyOf(work: WorkTree, domain: string, item: string, chunks = false): FamilyLine[] {
  const out: FamilyLine[] = [];
  const tree = work.tree();
  const pattern = itemPattern([item]);
  for (const tf of tree.files) {
    const wf = work.file(tf.path);
    if (!wf || !tf.doc) continue;
    // a reading's domain and item are bytes of its line: only lines holding both are read
    for (const i of wf.lines.containing(domain)) {
      if (!wf.lines.mentions(i, pattern)) continue;
      const line = wf.lines.line(i);
      const chunk = line.readings.length !== 1;
      if (chunk && !chunks) continue;
      for (const r of line.readings) {
        if (r.kind !== 'entry' || r.problem || r.domain.raw !== domain || r.itemText !== item) continue;
        if (!r.limitType && r.itemInfo?.typeChecked !== false) continue;
        out.push({ file: wf, line, reading: r, chunk });
      }
    }
  }
  return out;
}

export function covers(r: EntryReading, half: 'soft' | 'hard'): boolean {
  // items whose type pam_limits does not check apply to "both" whatever the type says
  if (!r.itemInfo?.typeChecked) return true;
  return r.limitType === '-' || r.limitType === half;
}

/** The line that decides each half within a family (the last one read). */
export function winners(family: FamilyLine[]): { soft: FamilyLine | null; hard: FamilyLine | null } {
  let soft: FamilyLine | null = null;
  let hard: FamilyLine | null = null;
  for (const f of family) {
    if (covers(f.reading, 'soft')) soft = f;
    if (covers(f.reading, 'hard')) hard = f;
  }
  return { soft, hard };
}
