/**
 * Text edits as data (offset/length/content against the original text), as in jsonc-parser:
 * an edit never re-prints what it does not change, and a plan that is already satisfied is [].
 * Offsets are byte offsets into a document's binary text; content is a binary string too
 * (convert user text with textToBinary).
 */
export interface TextEdit {
  readonly offset: number;
  readonly length: number;
  readonly content: string;
}

/** Apply non-overlapping edits to `text` (any order given; applied back to front). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (sorted[i]!.offset < prev.offset + prev.length) {
      throw new RangeError(`overlapping edits at offsets ${prev.offset} and ${sorted[i]!.offset}`);
    }
  }
  // one pass front to back (re-slicing the whole text per edit is quadratic for many edits)
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    parts.push(text.slice(at, e.offset), e.content);
    at = e.offset + e.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
