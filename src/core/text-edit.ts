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
  let out = text;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const e = sorted[i]!;
    out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  }
  return out;
}
