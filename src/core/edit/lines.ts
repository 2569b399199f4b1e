/**
 * The lines of a file being edited, read only where the plan looks: a typed index of line starts,
 * Line objects made (and read by the parser) one at a time, the lines that contain a domain's
 * bytes, and the lines an account's resolution can reach, picked by their first token (found by
 * searching the text with regular expressions: in a cold process the engine's compiled search
 * costs a fraction of a JavaScript loop over every line).
 *
 * A 100,000-line limits.conf costs an index of its newlines plus the lines of the family being set;
 * every line a plan reads is read by parse.ts exactly as the whole document would read it
 * (parseLine = the reading of the document's lines), so nothing it decides changes.
 *
 * Pure.
 */
import { bytesToBinary, type Line, type LimitsDocument, type Reading } from '../model.js';
import { parseBinary, parseLine } from '../parse.js';
import { LINE_CHUNK_152, type Profile } from '../schema.js';
import type { TextEdit } from '../text-edit.js';

/** A line whose readings are made on first use (as the document's own lines are). */
class EditLine implements Line {
  #readings: readonly Reading[] | undefined;
  constructor(private readonly text: string, private readonly profile: Profile, readonly index: number, readonly start: number, readonly end: number, readonly eolLength: 0 | 1) {}
  get readings(): readonly Reading[] {
    return (this.#readings ??= parseLine(this.text, this.index, this.start, this.end, this.eolLength, this.profile, false).readings);
  }
}

/** A line this long, its newline counted, may be read in pieces by 1.5.2 (FileLines.reachable keeps it). */
const LONG_LINE_BYTES = LINE_CHUNK_152 - 1;

/**
 * Offsets where lines start ('\n' ends a line; no line for an empty text or after a final '\n'),
 * and in `long` the starts of the lines of at least LONG_LINE_BYTES (read in the same walk).
 */
function indexLines(text: string, from = 0, to = text.length, into?: { starts: Int32Array; n: number }, long: number[] = []): { starts: Int32Array; n: number } {
  const acc = into ?? { starts: new Int32Array(Math.max(16, (text.length >> 5) + 1)), n: 0 };
  let at = from;
  while (at < to && at < text.length) {
    if (acc.n === acc.starts.length) { const grown = new Int32Array(acc.n * 2); grown.set(acc.starts); acc.starts = grown; }
    acc.starts[acc.n++] = at;
    const nl = text.indexOf('\n', at);
    const next = nl < 0 ? text.length : nl + 1;
    if (next - at >= LONG_LINE_BYTES) long.push(at);
    if (nl < 0) break;
    at = next;
  }
  return acc;
}

/** First-token table of a file: per line a token id, or NO_TOKEN (nothing pam_limits reads), or ALWAYS. */
const NO_TOKEN = -1;
const ALWAYS = -2;

export class FileLines {
  #starts: Int32Array | undefined;
  readonly #made = new Map<number, EditLine>();
  #tokens: { ids: Int32Array; names: string[] } | undefined;
  /** the distinct first tokens ({@link firstTokens}); null when there are too many to search for */
  #firsts: readonly string[] | null | undefined;
  /** the starts of the lines too long for their first token to be sure */
  #long: readonly number[] | undefined;
  readonly #containing = new Map<string, readonly number[]>();

  constructor(readonly text: string, readonly profile: Profile, starts?: Int32Array, long?: readonly number[]) {
    this.#starts = starts;
    this.#long = long;
  }

  get starts(): Int32Array {
    if (this.#starts === undefined) {
      const long: number[] = [];
      const r = indexLines(this.text, 0, this.text.length, undefined, long);
      this.#starts = r.starts.subarray(0, r.n);
      this.#long = long;
    }
    return this.#starts;
  }

  get count(): number {
    return this.starts.length;
  }

  /** The line that holds byte `offset` (offset < text.length). */
  lineAt(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  line(i: number): Line {
    let l = this.#made.get(i);
    if (!l) {
      const s = this.starts;
      const start = s[i]!;
      const next = i + 1 < s.length ? s[i + 1]! : this.text.length;
      const eol: 0 | 1 = next > start && this.text.charCodeAt(next - 1) === 0x0a ? 1 : 0;
      l = new EditLine(this.text, this.profile, i, start, next - eol, eol);
      this.#made.set(i, l);
    }
    return l;
  }

  /**
   * The lines whose bytes contain `needle` (any reading with that domain is on one of them), in
   * order. Kept per needle: a plan asks again for each half it edits, and the text never changes.
   */
  containing(needle: string): readonly number[] {
    let out = this.#containing.get(needle);
    if (out === undefined) this.#containing.set(needle, (out = this.find(needle)));
    return out;
  }

  private find(needle: string): number[] {
    const out: number[] = [];
    if (needle === '') return out;
    let at = this.text.indexOf(needle);
    while (at >= 0) {
      const i = this.lineAt(at);
      out.push(i);
      const next = i + 1 < this.count ? this.starts[i + 1]! : this.text.length;
      at = this.text.indexOf(needle, next);
    }
    return out;
  }

  /**
   * Whether line `i` holds a match of `pattern`, an {@link itemPattern} (sticky: it reads that line
   * only). A reading of an item has the item's name among its line's bytes, in some ASCII case.
   */
  mentions(i: number, pattern: RegExp): boolean {
    pattern.lastIndex = this.starts[i]!;
    return pattern.test(this.text);
  }

  /** The last line containing `needle` for which `test` holds, searching from the end. */
  lastContaining(needle: string, test: (line: Line) => boolean): Line | undefined {
    if (needle === '') return undefined;
    let at = this.text.lastIndexOf(needle);
    while (at >= 0) {
      const i = this.lineAt(at);
      const l = this.line(i);
      if (test(l)) return l;
      if (i === 0) return undefined;
      at = this.text.lastIndexOf(needle, this.starts[i]! - 1);
    }
    return undefined;
  }

  /**
   * The lines an account's resolution can reach: those whose domain `matches` says may match
   * (called once per distinct first token), and every line too long for the token to be sure
   * (1.5.2 reads each 1023-byte piece of an over-long line as a line of its own). Lines with no
   * token (blank, comments) are left out: pam_limits reads nothing there.
   *
   * The token is what both parser families take as the domain: from the first non-isspace byte
   * to space, tab, '#', NUL or the end; a token with \v, \f or \r in it (which the families split
   * differently) is kept whatever it says.
   *
   * With `items` (a case-insensitive pattern of item names, see {@link itemPattern}), a line of a
   * matching domain is kept only when it may be read as an entry of one of those items — its bytes
   * hold one of the names, in any ASCII case (pam_limits lowercases the item token, which is bytes
   * of the line) — or as a `<domain> -` line: at most two fields before '#' or NUL, counting only
   * the space/tab-separated runs that hold a byte other than space, \t, \n, \v, \f, \r (never more
   * than either family's own count: sscanf's isspace split, or getline's space/tab split after
   * leading isspace). Over-long lines are kept whatever they hold.
   */
  reachable(matches: (domain: string) => boolean, items: RegExp | null = null): Line[] {
    // The lines are found by the regular expression engine (a search of the text, not a loop over
    // its lines): the distinct first tokens first (kept for the next call, another account), then
    // the lines of the matching ones. A file with very many distinct tokens is walked line by line.
    const firsts = (this.#firsts ??= firstTokens(this.text));
    if (firsts === null) return this.#byLine(matches, items);
    const text = this.text;
    const plain: string[] = [];
    const odd: string[] = [];
    for (const t of firsts) {
      if (ODD.test(t)) odd.push(t);
      else if (matches(t)) plain.push(t);
    }
    const found: number[] = [];
    const collect = (re: RegExp): void => {
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        // (?:^|\n): the line starts after the '\n', or at 0
        const start = text.charCodeAt(m.index) === 0x0a ? m.index + 1 : m.index;
        found.push(start);
        re.lastIndex = start + 1;
      }
    };
    if (plain.length > 0) collect(candidatePattern(plain, items));
    let sources = plain.length > 0 ? 1 : 0;
    if (odd.length > 0) {
      // a token with \v, \f or \r, which the parser families split differently: always kept
      collect(new RegExp(`${LINE_START}${WS}*${alternation(odd)}${TOKEN_END}`, 'g'));
      sources++;
    }
    const long = this.#longLines();
    if (long.length > 0) {
      for (const start of long) found.push(start);
      sources++;
    }
    if (sources > 1) found.sort((a, b) => a - b);
    const out: Line[] = [];
    let last = -1;
    for (const start of found) {
      if (start === last) continue;
      last = start;
      out.push(this.line(this.lineAt(start)));
    }
    return out;
  }

  /** The starts of the lines at least LONG_LINE_BYTES long, their newline counted (found by the index). */
  #longLines(): readonly number[] {
    if (this.#long === undefined) {
      if (this.text.length < LONG_LINE_BYTES) return (this.#long = []);
      // the index reads them, unless it was made without them: then each line's length
      const s = this.starts;
      if (this.#long === undefined) {
        const out: number[] = [];
        for (let i = 0; i < s.length; i++) if ((i + 1 < s.length ? s[i + 1]! : this.text.length) - s[i]! >= LONG_LINE_BYTES) out.push(s[i]!);
        this.#long = out;
      }
    }
    return this.#long;
  }

  /** {@link reachable} one line at a time: for a file with too many distinct first tokens to search for. */
  #byLine(matches: (domain: string) => boolean, items: RegExp | null): Line[] {
    // One pass: the first call reads each line's first token (kept for the next call, another
    // account) and decides the line in the same loop; a multi-megabyte file is walked once.
    const text = this.text;
    const s = this.starts;
    const n = s.length;
    const known = this.#tokens;
    const ids = known?.ids ?? new Int32Array(n);
    const names = known?.names ?? [];
    const byName = new Map<string, number>();
    const keep: number[] = [];
    for (let t = 0; t < names.length; t++) keep.push(matches(names[t]!) ? 1 : 0);
    const out: Line[] = [];
    for (let i = 0; i < n; i++) {
      const start = s[i]!;
      const next = i + 1 < n ? s[i + 1]! : text.length;
      let id: number;
      if (known !== undefined) id = ids[i]!;
      else {
        id = NO_TOKEN;
        if (next - start >= LINE_CHUNK_152 - 1) id = ALWAYS;
        else {
          let p = start;
          let c = text.charCodeAt(p);
          while (p < next && (c === 0x20 || (c >= 0x09 && c <= 0x0d))) c = text.charCodeAt(++p);
          if (!(p >= next || c === 0x23 || c === 0)) {
            const from = p;
            let odd = false;
            while (p < next && c !== 0x20 && c !== 0x09 && c !== 0x23 && c !== 0 && c !== 0x0a) {
              if (c === 0x0b || c === 0x0c || c === 0x0d) odd = true;
              c = text.charCodeAt(++p);
            }
            if (odd) id = ALWAYS;
            else {
              const name = text.slice(from, p);
              const had = byName.get(name);
              if (had !== undefined) id = had;
              else {
                id = names.length;
                names.push(name);
                byName.set(name, id);
                keep.push(matches(name) ? 1 : 0);
              }
            }
          }
        }
        ids[i] = id;
      }
      if (id === ALWAYS) { out.push(this.line(i)); continue; }
      if (id < 0 || keep[id] !== 1) continue;
      if (items !== null) {
        // the sticky pattern reads this line only (it cannot cross a '\n')
        items.lastIndex = start;
        if (!items.test(text) && !fewFields(text, start, next)) continue;
      }
      out.push(this.line(i));
    }
    if (known === undefined) this.#tokens = { ids, names };
    return out;
  }

  /**
   * The lines of `text`, this file's text with `edits` applied: the index is this one's with the
   * edited stretch indexed again and the rest shifted, not a new pass over the whole file.
   */
  edited(text: string, edits: readonly TextEdit[]): FileLines {
    if (this.#starts === undefined || edits.length === 0) return new FileLines(text, this.profile);
    let e0 = Infinity;
    let e1 = -1;
    let delta = 0;
    for (const e of edits) {
      e0 = Math.min(e0, e.offset);
      e1 = Math.max(e1, e.offset + e.length);
      delta += e.content.length - e.length;
    }
    const old = this.#starts;
    const lo = old.length === 0 ? 0 : this.lineAt(Math.min(e0, this.text.length - 1));
    const acc = { starts: new Int32Array(old.length + 16), n: 0 };
    acc.starts.set(old.subarray(0, lo));
    acc.n = lo;
    // the stretch from the first edited line to the end of the last edit, indexed in the new text
    const from = old.length === 0 ? 0 : old[lo]!;
    const stretchLong: number[] = [];
    indexLines(text, from, e1 + delta + 1, acc, stretchLong);
    // indexLines stops at the first line starting beyond the stretch; drop it, the old ones follow
    while (acc.n > lo && acc.starts[acc.n - 1]! > e1 + delta) acc.n--;
    let k = lo;
    while (k < old.length && old[k]! <= e1) k++;
    const rest = old.length - k;
    if (acc.n + rest > acc.starts.length) { const grown = new Int32Array(acc.n + rest); grown.set(acc.starts.subarray(0, acc.n)); acc.starts = grown; }
    for (let j = 0; j < rest; j++) acc.starts[acc.n + j] = old[k + j]! + delta;
    acc.n += rest;
    // the long lines: the old ones before the stretch and after it (shifted), and the stretch's own
    let long: number[] | undefined;
    if (this.#long !== undefined) {
      long = [];
      for (const st of this.#long) if (st < from) long.push(st);
      for (const st of stretchLong) if (st <= e1 + delta) long.push(st);
      for (const st of this.#long) if (st > e1) long.push(st + delta);
    }
    return new FileLines(text, this.profile, acc.starts.subarray(0, acc.n), long);
  }
}

/*
 * The searches of FileLines.reachable, as regular expressions over the whole text (no flag but g:
 * case-sensitive bytes, `$` the end of the text, and no `.`, which stops at \r). Each is the
 * line-by-line rule of #byLine written as a pattern:
 * - a line starts at 0 or after '\n' (LINE_START);
 * - its first token: after the leading isspace bytes (WS: a line's own '\n' is its end), from a
 *   byte that is none of them, nor '#' or NUL, to space, tab, '#', NUL, '\n' or the end (TOKEN_END);
 * - fewFields' "at most two fields": after the first token (the first counted field), blanks
 *   (space, tab, \v, \f, \r: a run of only \v \f \r is no field), at most one more field that
 *   starts with a byte other than those (any \v \f \r before it join the blanks) and runs to space,
 *   tab or the end, blanks again, then '#', NUL, '\n' or the end of the text.
 */
const LINE_START = '(?:^|\\n)';
const WS = '[ \\t\\v\\f\\r]';
const TOKEN_END = '(?![^ \\t#\\0\\n])';
const FEW_FIELDS_REST = `${WS}*(?:[^ \\t\\v\\f\\r\\n#\\0][^ \\t\\n#\\0]*${WS}*)?(?=[\\n#\\0]|$)`;
/** A first token the parser families split differently (\v, \f, \r in it). */
const ODD = /[\v\f\r]/;
/** More distinct first tokens than this: the file is walked line by line instead. */
const MAX_SEARCHED_TOKENS = 64;

/** Bytes as a pattern that matches exactly them (\v \f \r written as escapes). */
function literal(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&').replace(/\v/g, '\\v').replace(/\f/g, '\\f').replace(/\r/g, '\\r');
}

function alternation(tokens: readonly string[]): string {
  return `(?:${tokens.map(literal).join('|')})`;
}

/** Lines read one by one before (and after) each search for a new first token. */
const SCAN_LINES = 256;

/**
 * The distinct first tokens of `text`'s lines (odd ones, with \v \f \r, included), or null when
 * there are more than MAX_SEARCHED_TOKENS. Lines are read one by one SCAN_LINES at a time, and
 * between those runs a search skips every line whose token is known and stops at the first other
 * one: a file whose tokens all appear early costs one search, and each search is a new pattern
 * (compiled once, used once), so a new token found costs one.
 */
function firstTokens(text: string): string[] | null {
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (t: string): boolean => {
    if (seen.has(t)) return true;
    if (names.length === MAX_SEARCHED_TOKENS) return false;
    seen.add(t);
    names.push(t);
    return true;
  };
  let at = 0;
  for (;;) {
    for (let n = 0; n < SCAN_LINES && at < text.length; n++) {
      const nl = text.indexOf('\n', at);
      const next = nl < 0 ? text.length : nl + 1;
      const t = firstToken(text, at, next);
      if (t !== null && !add(t)) return null;
      at = next;
    }
    if (at >= text.length) return names;
    // `at` starts a line after a '\n': the search starts at that '\n'
    const skip = names.length === 0 ? '' : `(?!${alternation(names)}${TOKEN_END})`;
    const re = new RegExp(`${LINE_START}${WS}*${skip}([^ \\t\\v\\f\\r\\n#\\0][^ \\t#\\0\\n]*)`, 'g');
    re.lastIndex = at - 1;
    const m = re.exec(text);
    if (m === null) return names;
    if (!add(m[1]!)) return null;
    at = text.charCodeAt(m.index) === 0x0a ? m.index + 1 : m.index;
  }
}

/**
 * The first token of the line text[start, next) as the searches read it: after the leading
 * isspace bytes, from a byte that is none of them, nor '#' or NUL, to space, tab, '#', NUL, '\n'
 * or the end; null when there is none.
 */
function firstToken(text: string, start: number, next: number): string | null {
  let p = start;
  let c = text.charCodeAt(p);
  while (p < next && (c === 0x20 || (c >= 0x09 && c <= 0x0d))) c = text.charCodeAt(++p);
  if (p >= next || c === 0x23 || c === 0) return null;
  const from = p;
  while (p < next && c !== 0x20 && c !== 0x09 && c !== 0x23 && c !== 0 && c !== 0x0a) c = text.charCodeAt(++p);
  return text.slice(from, p);
}

const CANDIDATES = new Map<string, RegExp>();

/**
 * The lines whose first token is one of `tokens` (none odd) and, with `items` (an
 * {@link itemPattern}), that mention one of its names in any ASCII case or have at most two fields.
 * A fresh pattern each call is not needed: kept per token list and item list (lastIndex reset).
 */
function candidatePattern(tokens: readonly string[], items: RegExp | null): RegExp {
  const names = items === null ? null : ITEM_NAMES.get(items)!;
  const key = `${tokens.join('\0')}\0\0${names === null ? '' : names.join('|')}`;
  let re = CANDIDATES.get(key);
  if (re === undefined) {
    const head = `${WS}*${alternation(tokens)}${TOKEN_END}`;
    // names are ASCII: each letter as [xX] matches it in either case and nothing else
    const mention = names === null ? '' : `(?:(?=[^\\n]*?(?:${names.map((n) => literal(n).replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('|')}))|${head}${FEW_FIELDS_REST})`;
    re = new RegExp(`${LINE_START}(?=${head})${mention}`, 'g');
    if (CANDIDATES.size > 64) CANDIDATES.clear();
    CANDIDATES.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** At most two fields in text[start, next) before '#', NUL or '\n' (see FileLines.reachable). */
function fewFields(text: string, start: number, next: number): boolean {
  let fields = 0;
  let inField = false;
  let solid = false;
  for (let p = start; p < next; p++) {
    const c = text.charCodeAt(p);
    if (c === 0x23 || c === 0 || c === 0x0a) break;
    if (c === 0x20 || c === 0x09) {
      if (inField && solid && ++fields > 2) return false;
      inField = false;
      solid = false;
      continue;
    }
    inField = true;
    if (!(c >= 0x0b && c <= 0x0d)) solid = true;
  }
  if (inField && solid) fields++;
  return fields <= 2;
}

const PATTERNS = new Map<string, RegExp>();
/** The names of each {@link itemPattern}, sorted and distinct. */
const ITEM_NAMES = new WeakMap<RegExp, readonly string[]>();

/**
 * A sticky, case-insensitive pattern matching, from `lastIndex`, the rest of a line up to any of
 * the item names (ASCII names: /i matches them in upper or lower case and nothing else), for
 * FileLines.reachable: it reads one line, not the text after it. Cached per list.
 */
export function itemPattern(names: readonly string[]): RegExp {
  const key = [...new Set(names)].sort().join('|');
  let re = PATTERNS.get(key);
  if (re === undefined) {
    re = new RegExp(`[^\\n]*?(?:${key.split('|').map((n) => n.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|')})`, 'iy');
    PATTERNS.set(key, re);
    ITEM_NAMES.set(re, key.split('|'));
  }
  return re;
}

const LINES_OF = new WeakMap<LimitsDocument, FileLines>();

/**
 * The FileLines of a document's text read as `profile` (default the document's): `lines` when
 * given (the work tree registers the lines it indexed for an edited text), else the ones kept with
 * the document, else new ones, kept with it for the next caller.
 */
export function linesOf(doc: LimitsDocument, profile: Profile = doc.profile, lines?: FileLines): FileLines {
  let fl = lines ?? LINES_OF.get(doc);
  if (fl === undefined || fl.profile !== profile || fl.text !== doc.text) fl = new FileLines(doc.text, profile);
  LINES_OF.set(doc, fl);
  return fl;
}

/** The documents {@link lazyDocument} made: their lines come from their own bytes. */
const LAZY = new WeakSet<object>();

/** The bytes a {@link lazyDocument} was made from, when it was given bytes (see documentBytes). */
const BYTES = new WeakMap<object, Uint8Array>();

/**
 * A LimitsDocument of `text` whose lines are indexed and read on first use, like parseBinary's
 * (which it calls then): a plan's tree after the edits, or a loaded tree whose files a plan reads
 * through FileLines, costs nothing until someone reads `lines`. The first read replaces the
 * accessor with the array itself (as parseBinary's documents do), so later reads cost a property load.
 *
 * Given the file's bytes (a Uint8Array, one byte per character of the binary string) instead of a
 * binary string, the document keeps them ({@link documentBytes}) and makes `text` from them on its
 * first read too: a second load of a file that is only compared with the first (an edit's re-read
 * under the lock, src/cli/editing.ts) never makes the string, and the write compares and builds
 * from the bytes (src/io/commit.ts). The bytes must not be changed afterwards.
 */
export function lazyDocument(file: string, profile: Profile, content: string | Uint8Array): LimitsDocument {
  const out = { file, profile, text: '' } as { file: string; profile: Profile; text: string; lines: readonly Line[] };
  LAZY.add(out);
  if (typeof content === 'string') out.text = content;
  else {
    const bytes = content;
    BYTES.set(out, bytes);
    // redefined in place: the key keeps its position (file, profile, text, lines)
    Object.defineProperty(out, 'text', {
      enumerable: true,
      configurable: true,
      get(): string {
        const text = bytesToBinary(bytes);
        Object.defineProperty(out, 'text', { value: text, enumerable: true, configurable: true, writable: true });
        return text;
      },
    });
  }
  Object.defineProperty(out, 'lines', {
    enumerable: true,
    configurable: true,
    get(): readonly Line[] {
      const lines = parseBinary(out.text, { file, profile }).lines;
      Object.defineProperty(out, 'lines', { value: lines, enumerable: true, configurable: false, writable: false });
      return lines;
    },
  });
  return out;
}

/**
 * The bytes `doc` was made from when {@link lazyDocument} was given bytes (they equal its `text`,
 * one byte per character), else undefined. For comparing two loads of a file, and writing it, without
 * converting between bytes and text.
 */
export function documentBytes(doc: object): Uint8Array | undefined {
  return BYTES.get(doc);
}

/**
 * Whether `doc` is a {@link lazyDocument} whose lines have not been parsed yet (reading them would
 * parse the whole file; their shape needs no check: they will come from its bytes).
 */
export function isUnparsedLazyDocument(doc: object): boolean {
  return LAZY.has(doc) && Object.getOwnPropertyDescriptor(doc, 'lines')?.get !== undefined;
}
