/**
 * The unified diff of one changed file, character for character what jsdiff 8
 * (`createTwoFilesPatch(old, new, a, b, undefined, undefined, { context })`, which runs
 * `diffLines`, `structuredPatch` and `formatPatch`) prints for the two texts after
 * `binaryToDisplay` — without splitting either file into line strings.
 *
 * jsdiff's own Myers implementation (`diffArrays`, the same `Diff` class `diffLines` uses) runs
 * over line numbers with a comparator, so every tie is broken exactly as `diffLines` breaks it; only
 * the comparison is cheaper: lines inside the bytes both texts share at their start (or at their
 * end, on the diagonal that aligns them) are known equal without reading them, and other lines are
 * compared in place. Hunks are then built as `structuredPatch` builds them (its
 * `diffLinesResultToPatch`, ported below with the same arithmetic), reading only the lines a hunk
 * shows, and printed by jsdiff's `formatPatch`. A 1-line change of a 100,000-line file reads a few
 * lines instead of splitting and decoding 100,000.
 *
 * Lines are compared as jsdiff compares them: as display text (binaryToDisplay), so two byte
 * sequences shown alike (a byte 0x01 and the four characters `\x01`) are the same line to it too.
 *
 * Pure: jsdiff is passed in (the CLI loads it only when a diff is shown).
 */
import { binaryToDisplay } from '../model.js';

/** The parts of the `diff` package (jsdiff 8.x) this module runs. */
export interface JsDiff {
  diffArrays(oldArr: unknown[], newArr: unknown[], options: { comparator: (a: number, b: number) => boolean }): Array<{ count: number; added: boolean; removed: boolean }> | undefined;
  formatPatch(patch: {
    oldFileName: string; newFileName: string; oldHeader: string | undefined; newHeader: string | undefined;
    hunks: Array<{ oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }>;
  }): string;
}

/** Offsets where lines start, as jsdiff's line tokens (each line with its '\n'; none for ''). */
function lineStarts(text: string): Int32Array {
  let starts = new Int32Array(Math.max(16, (text.length >> 5) + 1));
  let n = 0;
  let at = 0;
  while (at < text.length) {
    if (n === starts.length) { const grown = new Int32Array(n * 2); grown.set(starts); starts = grown; }
    starts[n++] = at;
    const nl = text.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
  }
  return starts.subarray(0, n);
}

/**
 * Length of the longest common prefix of a and b (binary search over native comparisons); `from`
 * is a length known to be common (the search starts there).
 */
export function commonPrefix(a: string, b: string, from = 0): number {
  let lo = Math.min(from, a.length, b.length);
  let hi = Math.min(a.length, b.length);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Length of the longest common suffix of a and b, at most `max`; `from` is a length known to be
 * common (the search starts there).
 */
export function commonSuffix(a: string, b: string, max: number, from = 0): number {
  let lo = Math.min(from, max, a.length, b.length);
  let hi = Math.min(a.length, b.length, max);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// bytes binaryToDisplay changes (controls other than tab, newline and CR; DEL; 0x80-0xff)
// eslint-disable-next-line no-control-regex
const SHOWN_OTHERWISE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/;

/**
 * The unified diff of `before` → `after` (binary strings; `before` '' for a new file), as
 * `createTwoFilesPatch(oldName, newName, binaryToDisplay(before), binaryToDisplay(after),
 * undefined, undefined, { context })` of jsdiff 8 returns it (its `Index`/`===` header lines
 * included; the caller strips what it does not show). `known`: lengths of the start and end
 * known to be common to both texts (a plan's FileChange.edits says them), where the search for
 * the shared head and tail starts.
 */
export function unifiedDiff(
  jsdiff: JsDiff, oldName: string, newName: string, before: string, after: string, context: number,
  known: { readonly head: number; readonly tail: number } = { head: 0, tail: 0 },
): string {
  const a = lineStarts(before);
  const b = lineStarts(after);
  const n = a.length;
  const m = b.length;
  const endA = (i: number) => (i + 1 < n ? a[i + 1]! : before.length);
  const endB = (j: number) => (j + 1 < m ? b[j + 1]! : after.length);

  // Lines inside the shared head are equal on the diagonal i === j; lines inside the shared tail
  // (starting strictly inside it, or at its edge where both texts start a line there) are equal on
  // the diagonal j - i === m - n.
  const cp = commonPrefix(before, after, known.head);
  const cs = commonSuffix(before, after, Math.min(before.length, after.length) - cp, known.tail);
  let headLines = 0;
  while (headLines < n && headLines < m && endA(headLines) <= cp && endB(headLines) <= cp) headLines++;
  const tailFrom = before.length - cs;
  let tailLine = n; // first line of `before` inside the shared tail
  while (tailLine > 0) {
    const s = a[tailLine - 1]!;
    // `s` starts a line of `before`; at the tail's edge the same offset of `after` must start one too
    const inside = s > tailFrom || (s === tailFrom && (after.length === cs || after.charCodeAt(after.length - cs - 1) === 0x0a));
    if (!inside) break;
    tailLine--;
  }
  const shift = m - n;
  const shownA = new Map<number, string>();
  const shownB = new Map<number, string>();
  const lineA = (i: number) => before.slice(a[i]!, endA(i));
  const lineB = (j: number) => after.slice(b[j]!, endB(j));
  // per line: 1 when binaryToDisplay leaves it as it is, 2 when it shows some byte otherwise (0: not looked at)
  const plainA = new Uint8Array(n);
  const plainB = new Uint8Array(m);
  const comparator = (i: number, j: number): boolean => {
    if (i === j && i < headLines) return true;
    if (j - i === shift && i >= tailLine) return true;
    const sa = a[i]!;
    const sb = b[j]!;
    const la = endA(i) - sa;
    if (la === endB(j) - sb) {
      let k = 0;
      while (k < la && before.charCodeAt(sa + k) === after.charCodeAt(sb + k)) k++;
      if (k === la) return true;
    }
    // different bytes shown as they are are different display text
    if (plainA[i] === 0) plainA[i] = SHOWN_OTHERWISE.test(lineA(i)) ? 2 : 1;
    if (plainB[j] === 0) plainB[j] = SHOWN_OTHERWISE.test(lineB(j)) ? 2 : 1;
    if (plainA[i] === 1 && plainB[j] === 1) return false;
    // jsdiff compares display text: different bytes may be shown alike
    let da = shownA.get(i);
    if (da === undefined) shownA.set(i, (da = binaryToDisplay(lineA(i))));
    let db = shownB.get(j);
    if (db === undefined) shownB.set(j, (db = binaryToDisplay(lineB(j))));
    return da === db;
  };
  // The shared head is left out of jsdiff's input: its Myers walk starts by taking the longest
  // common prefix (extractCommon on the first diagonal) and goes on from there alike, so the
  // result is the same with the head added back as its first unchanged part.
  const skip = headLines;
  const tokensA = new Int32Array(n - skip);
  for (let i = skip; i < n; i++) tokensA[i - skip] = i;
  const tokensB = new Int32Array(m - skip);
  for (let j = skip; j < m; j++) tokensB[j - skip] = j;
  const rest = jsdiff.diffArrays(tokensA as unknown as unknown[], tokensB as unknown as unknown[], { comparator: (x, y) => comparator(x, y) })!;
  const parts = skip === 0 ? rest
    : rest.length > 0 && !rest[0]!.added && !rest[0]!.removed ? [{ ...rest[0]!, count: rest[0]!.count + skip }, ...rest.slice(1)]
    : [{ count: skip, added: false, removed: false }, ...rest];

  // structuredPatch's diffLinesResultToPatch, with each part's lines read on demand
  interface Part { count: number; added: boolean; removed: boolean; from: number }
  const diff: Part[] = [];
  let oPos = 0;
  let nPos = 0;
  for (const p of parts) {
    if (p.removed) { diff.push({ count: p.count, added: false, removed: true, from: oPos }); oPos += p.count; }
    else { diff.push({ count: p.count, added: p.added, removed: false, from: nPos }); nPos += p.count; if (!p.added) oPos += p.count; }
  }
  diff.push({ count: 0, added: false, removed: false, from: 0 }); // jsdiff's trailing empty value
  const lines = (p: Part, from: number, to: number): string[] => {
    const out: string[] = [];
    for (let k = from; k < to; k++) out.push(binaryToDisplay(p.removed ? lineA(p.from + k) : lineB(p.from + k)));
    return out;
  };
  const hunks: Array<{ oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }> = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let curRange: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < diff.length; i++) {
    const current = diff[i]!;
    if (current.added || current.removed) {
      if (!oldRangeStart) {
        const prev = diff[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          curRange = context > 0 ? lines(prev, Math.max(0, prev.count - context), prev.count).map((l) => ` ${l}`) : [];
          oldRangeStart -= curRange.length;
          newRangeStart -= curRange.length;
        }
      }
      for (const l of lines(current, 0, current.count)) curRange.push((current.added ? '+' : '-') + l);
      if (current.added) newLine += current.count;
      else oldLine += current.count;
    } else {
      if (oldRangeStart) {
        if (current.count <= context * 2 && i < diff.length - 2) {
          for (const l of lines(current, 0, current.count)) curRange.push(` ${l}`);
        } else {
          const contextSize = Math.min(current.count, context);
          for (const l of lines(current, 0, contextSize)) curRange.push(` ${l}`);
          hunks.push({ oldStart: oldRangeStart, oldLines: oldLine - oldRangeStart + contextSize, newStart: newRangeStart, newLines: newLine - newRangeStart + contextSize, lines: curRange });
          oldRangeStart = 0;
          newRangeStart = 0;
          curRange = [];
        }
      }
      oldLine += current.count;
      newLine += current.count;
    }
  }
  for (const hunk of hunks) {
    for (let i = 0; i < hunk.lines.length; i++) {
      if (hunk.lines[i]!.endsWith('\n')) hunk.lines[i] = hunk.lines[i]!.slice(0, -1);
      else { hunk.lines.splice(i + 1, 0, '\\ No newline at end of file'); i++; }
    }
  }
  return jsdiff.formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks });
}

// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /["\\\u0000-\u001f\u007f-\u009f]/;
const C_ESCAPES: Readonly<Record<string, string>> = { '\u0007': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\u000b': '\\v', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

/**
 * A file name for a diff's `---`/`+++` header as git writes it (git-diff(1), core.quotePath): a
 * name holding a control character, `"` or `\` is put in double quotes with C escapes (`\n`,
 * `\t`, `\"`, `\\`) and other control characters as the octal of their UTF-8 bytes (`\033`),
 * so a name never breaks the header or reaches a terminal raw; `git apply` and GNU patch read
 * the quoted form. Any other name is returned as it is.
 */
export function quoteDiffPath(name: string): string {
  if (!NEEDS_QUOTES.test(name)) return name;
  let out = '"';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (C_ESCAPES[ch] !== undefined) out += C_ESCAPES[ch];
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\${b.toString(8).padStart(3, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
