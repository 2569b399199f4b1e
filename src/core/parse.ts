/**
 * parse(bytes) → LimitsDocument, reading every line exactly as pam_limits' parse_config_file does.
 * Never throws on input.
 */
import { parseDomain } from './domain.js';
import type {
  EntryReading, Field, InvalidReading, Line, LimitsDocument, NoLimitReading, Problem, Reading, Span,
} from './model.js';
import { bytesToBinary } from './model.js';
import { canonicalProfile, FALLBACK_PROFILE, type Profile, type ProfileName, PROFILE_TRAITS, itemForProfile, itemInfo, type ItemInfo, LINE_CHUNK_152, type LimitType, profileInfo } from './schema.js';
import { type ParsedValue, parseValue } from './values.js';


export interface ParseOptions {
  /** display name of the file, kept on the document */
  file?: string;
  /**
   * the pam_limits build to read the file as: a release profile or an alias (schema.ts
   * PROFILE_NAMES, PROFILE_ALIASES). Default FALLBACK_PROFILE (linux-pam-1.5.2); the document
   * records the release profile used. Throws a RangeError for an unknown name.
   */
  profile?: ProfileName;
  /** record the other parser family's reading where it differs (default true) */
  compareProfiles?: boolean;
}

/** Parse a limits file from its bytes. */
export function parseLimits(input: Uint8Array | string, options: ParseOptions = {}): LimitsDocument {
  const text = typeof input === 'string' ? input : bytesToBinary(input);
  return parseBinary(text, options);
}

/**
 * Parse from a binary string (one char per byte). Use parseLimits for bytes; a JS string of
 * Unicode text should be converted with textToBinary first.
 */
export function parseBinary(text: string, options: ParseOptions = {}): LimitsDocument {
  const profile = canonicalProfile(options.profile ?? FALLBACK_PROFILE);
  // Index the lines into typed arrays: exact, and cheap even for millions of lines. Line objects
  // are made on first use of `lines`, and each line is read on first use of its readings.
  indexLines(text);
  const cols = lineCols;
  const cap = lineCap;
  const count = lineCount;
  lineCols = NO_COLS;
  const ctx: LineContext = {
    text, profile, reading: READING_MODES[PROFILE_TRAITS[profile].reading], compare: options.compareProfiles !== false,
    starts: cols.subarray(0, count), ends: cols.subarray(cap, cap + count), count, lines: null,
  };
  const doc = { file: options.file ?? '<input>', profile, text } as { file: string; profile: Profile; text: string; lines: readonly Line[] };
  // An own, enumerable accessor: spreading or serialising the document still yields its lines.
  Object.defineProperty(doc, 'lines', {
    enumerable: true,
    configurable: true,
    get(): readonly Line[] {
      // a line is its number and its readings; where it starts and ends are read from the
      // document's columns (ctx.starts, ctx.ends), not kept on each of a million line objects
      const lines = linesOf(ctx);
      Object.defineProperty(doc, 'lines', { value: lines, enumerable: true, configurable: false, writable: false });
      return lines;
    },
  });
  return doc;
}

/** indexLines' results: starts in lineCols[0, lineCap), ends in lineCols[lineCap, 2 * lineCap), lineCount lines */
const NO_COLS = new Uint32Array(0);
let lineCols = NO_COLS;
let lineCap = 0;
let lineCount = 0;

/**
 * Where each line of `text` starts and ends (before its '\n'), into lineCols/lineCap/lineCount:
 * one buffer for the two columns. (A function of its own: V8 optimises its loop, run over every
 * line, without the rest of parseBinary.)
 */
function indexLines(text: string): void {
  let cap = Math.max(16, (text.length >> 5) + 1);
  let cols = new Uint32Array(2 * cap);
  let count = 0;
  const n = text.length;
  let start = 0;
  while (start < n) {
    if (count === cap) {
      const grown = new Uint32Array(4 * cap);
      grown.set(cols.subarray(0, cap));
      grown.set(cols.subarray(cap), 2 * cap);
      cols = grown;
      cap *= 2;
    }
    cols[count] = start;
    const nl = text.indexOf('\n', start);
    if (nl < 0) { cols[cap + count++] = n; break; }
    cols[cap + count++] = nl;
    start = nl + 1;
  }
  lineCols = cols;
  lineCap = cap;
  lineCount = count;
}

/** A document's line objects (kept in ctx.lines). */
function linesOf(ctx: LineContext): Line[] {
  const count = ctx.count;
  const lines: Line[] = new Array<Line>(count);
  for (let i = 0; i < count; i++) lines[i] = new ParsedLine(ctx, i);
  ctx.lines = lines;
  return lines;
}

/** How a profile reads a line (PROFILE_TRAITS[p].reading), as a number kept on the document's context. */
const READ_FGETS = 0;
const READ_GETLINE_160 = 1;
const READ_GETLINE = 2;
type ReadingMode = typeof READ_FGETS | typeof READ_GETLINE_160 | typeof READ_GETLINE;
const READING_MODES: Record<(typeof PROFILE_TRAITS)[Profile]['reading'], ReadingMode> = {
  fgets: READ_FGETS, 'getline-1.6.0': READ_GETLINE_160, getline: READ_GETLINE,
};

/** Where each line of a document starts and ends: starts[i] = lines[i].start, ends[i] = lines[i].end. */
export interface LineColumns {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

/**
 * The columns a parsed document's lines read their offsets from (shared, not copied: do not
 * write to them), or null for lines that did not come from parseBinary/parseLimits (a hand-made
 * or copied document) and for a document of no lines. Reads `doc.lines`.
 */
export function lineColumns(doc: LimitsDocument): LineColumns | null {
  const lines = doc.lines;
  const first = lines[0];
  return first instanceof ParsedLine ? ParsedLine.columns(first, lines) : null;
}

interface LineContext {
  readonly text: string;
  readonly profile: Profile;
  /** how ctx.profile reads a line */
  readonly reading: ReadingMode;
  readonly compare: boolean;
  /** starts[i]: byte offset of line i */
  readonly starts: Uint32Array;
  /** ends[i]: byte offset just after line i's content (before its '\n') */
  readonly ends: Uint32Array;
  /** how many lines the document has */
  readonly count: number;
  /** the document's lines, once made */
  lines: readonly Line[] | null;
  /** the other family's readings of the few lines where they differ (kept here, not on every line) */
  others?: Map<ParsedLine, NonNullable<Line['other']>>;
}

/**
 * A physical line. Its readings are computed on first access and then kept: splitting a file into
 * lines is cheap and exact, and most consumers (round trips, edits of one entry, the resolver
 * skipping files) never need every line's reading, so a multi-megabyte file costs little more
 * than reading it. Compact (lint keeps every line of a tree): its number, its document's context
 * and its reading(s); `start`, `end` and `eolLength` are read from the document's columns, and a
 * line of one reading keeps that reading alone (`readings` gives a new one-element array each
 * time: compare readings, not the arrays). A blank or comment line read in one piece keeps only
 * its comment's offset (a number) until its reading object is asked for (readingAt, `readings`):
 * readingKindAt tells its kind without making it.
 */
class ParsedLine implements Line {
  /**
   * the reading of a line of one, the array of a line of several; for a blank or comment line
   * whose reading was not asked for yet, the offset of its '#' (-1: blank); undefined until read
   */
  #r: Reading | readonly Reading[] | number | undefined = undefined;
  readonly #ctx: LineContext;
  readonly index: number;
  constructor(ctx: LineContext, index: number) {
    this.#ctx = ctx;
    this.index = index;
  }

  get start(): number { return this.#ctx.starts[this.index]!; }
  get end(): number { return this.#ctx.ends[this.index]!; }
  get eolLength(): 0 | 1 {
    const ctx = this.#ctx;
    const i = this.index;
    return (i + 1 < ctx.count ? ctx.starts[i + 1]! : ctx.text.length) > ctx.ends[i]! ? 1 : 0;
  }

  get readings(): readonly Reading[] {
    let r = this.#r;
    if (r === undefined) r = ParsedLine.read(this);
    if (typeof r === 'number') r = ParsedLine.skip(this, r);
    return Array.isArray(r) ? r : [r as Reading];
  }

  get other(): Line['other'] {
    if (this.#r === undefined) ParsedLine.read(this);
    return this.#ctx.others?.get(this);
  }

  /** the reading `chunk` of the line (readingAt), without the one-element array `readings` makes */
  static at(l: ParsedLine, chunk: number): Reading | undefined {
    let r = l.#r;
    if (r === undefined) r = ParsedLine.read(l);
    if (typeof r === 'number') return chunk === 0 ? ParsedLine.skip(l, r) : undefined;
    return Array.isArray(r) ? (r as readonly Reading[])[chunk] : chunk === 0 ? (r as Reading) : undefined;
  }

  /** the kind of reading `chunk` of the line (readingKindAt), without making a blank or comment reading */
  static kindAt(l: ParsedLine, chunk: number): Reading['kind'] | undefined {
    let r = l.#r;
    if (r === undefined) r = ParsedLine.read(l);
    if (typeof r === 'number') return chunk !== 0 ? undefined : r >= 0 ? 'comment' : 'blank';
    return Array.isArray(r) ? (r as readonly Reading[])[chunk]?.kind : chunk === 0 ? (r as Reading).kind : undefined;
  }

  /** contentAt(l, chunk) */
  static contentAt(l: ParsedLine, chunk: number): EntryReading | NoLimitReading | InvalidReading | null | undefined {
    let r = l.#r;
    if (r === undefined) r = ParsedLine.read(l);
    if (typeof r === 'number') return chunk === 0 ? null : undefined;
    const x = Array.isArray(r) ? (r as readonly Reading[])[chunk] : chunk === 0 ? (r as Reading) : undefined;
    return x === undefined ? undefined : x.kind === 'blank' || x.kind === 'comment' ? null : x;
  }

  /** the columns of the document of `l` (lineColumns) when `lines` is that document's own array of lines, else null */
  static columns(l: ParsedLine, lines: readonly Line[]): LineColumns | null {
    const ctx = l.#ctx;
    return ctx.lines === lines ? ctx : null;
  }

  /** the blank or comment reading of a line read in one piece, made once (`hash`: its '#', -1: none) */
  static skip(l: ParsedLine, hash: number): Reading {
    const ctx = l.#ctx;
    return (l.#r = new Skip(ctx.starts[l.index]!, ctx.ends[l.index]!, hash) as Reading);
  }

  // static, not a private method: a class with private methods gives each instance a brand slot
  static read(l: ParsedLine): Reading | readonly Reading[] | number {
    const ctx = l.#ctx;
    const i = l.index;
    const start = ctx.starts[i]!;
    const end = ctx.ends[i]!;
    const eol = (i + 1 < ctx.count ? ctx.starts[i + 1]! : ctx.text.length) > end ? 1 : 0;
    const r = readPhysicalLine(ctx, start, end, eol, true);
    if (readOther !== undefined) { (ctx.others ??= new Map()).set(l, readOther); readOther = undefined; }
    return (l.#r = r === SKIPPED ? pHash : r);
  }

  toJSON(): object {
    return { index: this.index, start: this.start, end: this.end, eolLength: this.eolLength, readings: this.readings, other: this.other };
  }
}

/**
 * `line.readings[chunk]` without the new one-element array a parsed line's `readings` makes for a
 * line of one reading (for loops over every entry of a tree); undefined past the last chunk.
 */
export function readingAt(line: Line, chunk: number): Reading | undefined {
  if (line instanceof ParsedLine) return ParsedLine.at(line, chunk);
  return line.readings[chunk];
}

/**
 * `line.readings[chunk]`, but null for a blank or comment reading (not made if it was not asked
 * for yet: a parsed line keeps such a reading as a number until then): for loops over every line
 * of a tree that look at entries, "no limits" lines and invalid lines only. Undefined past the
 * last chunk.
 */
export function contentAt(line: Line, chunk: number): EntryReading | NoLimitReading | InvalidReading | null | undefined {
  if (line instanceof ParsedLine) return ParsedLine.contentAt(line, chunk);
  const r = line.readings[chunk];
  return r === undefined ? undefined : r.kind === 'blank' || r.kind === 'comment' ? null : r;
}

/**
 * `line.readings[chunk]?.kind` without making the reading of a blank or comment line that was not
 * asked for yet (a parsed line keeps such a reading as a number until then): for loops over every
 * line of a tree that look at entries only. Undefined past the last chunk.
 */
export function readingKindAt(line: Line, chunk: number): Reading['kind'] | undefined {
  if (line instanceof ParsedLine) return ParsedLine.kindAt(line, chunk);
  return line.readings[chunk]?.kind;
}

/** Read one physical line [start, end) (end excludes '\n') under a profile, without laziness. */
export function parseLine(
  text: string, index: number, start: number, end: number, eolLength: 0 | 1, profile: ProfileName, compare = true,
): Line {
  const p = canonicalProfile(profile);
  const r = readPhysicalLine({ text, profile: p, reading: READING_MODES[PROFILE_TRAITS[p].reading], compare }, start, end, eolLength, false);
  const readings = Array.isArray(r) ? r : [r as Reading];
  const other = readOther;
  readOther = undefined;
  return other ? { index, start, end, eolLength, readings, other } : { index, start, end, eolLength, readings };
}

/**
 * A line's reading(s) under a profile: the one reading of a line read in one piece, else an array.
 * `lazy`: a blank or comment line read in one piece gives SKIPPED (its '#' in pHash), not a reading.
 */
function readWith(text: string, start: number, end: number, eolLength: 0 | 1, mode: ReadingMode, profile: Profile, lazy: boolean): Reading | Reading[] {
  if (mode === READ_FGETS) return readChunked(text, start, end, eolLength, profile, lazy);
  return readLine17(text, start, end, profile, mode === READ_GETLINE, lazy);
}

/** The other family's reading of the line readPhysicalLine read last, where it differs (else undefined). */
let readOther: Line['other'] = undefined;

/**
 * A line's reading(s) (one reading, or an array of several) under ctx.profile; the other family's
 * different reading, if any, is left in readOther (no object per line for the rare difference).
 * `lazy`: see readWith (pHash then holds the '#' of the line, -1 for none).
 */
function readPhysicalLine(
  ctx: Pick<LineContext, 'text' | 'profile' | 'reading' | 'compare'>, start: number, end: number, eolLength: 0 | 1, lazy: boolean,
): Reading | readonly Reading[] {
  const { text, profile } = ctx;
  readOther = undefined;
  const readings = readWith(text, start, end, eolLength, ctx.reading, profile, lazy);
  // Only lines with bytes the two families treat differently can be read differently.
  if (!ctx.compare || !mayDiffer(start, end, readings)) return readings;
  const hash = pHash;
  const otherProfile: Profile = profileInfo(profile).compareWith;
  const otherReadings = readWith(text, start, end, eolLength, READING_MODES[PROFILE_TRAITS[otherProfile].reading], otherProfile, false);
  const a = Array.isArray(readings) ? readings : [readings as Reading];
  const b = Array.isArray(otherReadings) ? otherReadings : [otherReadings as Reading];
  if (!sameMeaning(a, b)) readOther = { profile: otherProfile, readings: b };
  pHash = hash;
  return readings;
}

function mayDiffer(start: number, end: number, readings: Reading | readonly Reading[]): boolean {
  if (end - start >= LINE_CHUNK_152 - 1) return true;
  if (Array.isArray(readings)) return true;
  const r = readings as Reading;
  if (r.kind === 'blank' || r.kind === 'comment') {
    // \v \f \r only matter inside content; a comment line stays a comment
    return false;
  }
  // a \v, \f, \r or NUL before any '#': the tokenizer saw it when it read this line (one call, the
  // line being shorter than a chunk)
  if (pOdd) return true;
  if (r instanceof Entry) return Entry.differs(r);
  if (r.kind === 'entry') {
    if (r.extra.length > 0) return true;
    const v = r.value.raw;
    return v.indexOf(' ') >= 0 || v.indexOf('\t') >= 0;
  }
  return false;
}

function readingKey(r: Reading): string {
  switch (r.kind) {
    case 'blank':
    case 'comment':
      return 'skip';
    case 'invalid':
      return `invalid:${r.problem.code}`;
    case 'nolimit':
      return `nolimit:${r.domain.raw}:${r.problem?.code ?? ''}`;
    case 'entry': {
      const v = r.parsedValue;
      return `entry:${r.domain.raw}:${r.typeText}:${r.itemText}:${v ? `${v.ok}:${v.number}:${v.kernel}:${v.path ?? ''}` : ''}:${r.problem?.code ?? ''}`;
    }
  }
}

function sameMeaning(a: readonly Reading[], b: readonly Reading[]): boolean {
  const ka = a.map(readingKey).filter((k) => k !== 'skip');
  const kb = b.map(readingKey).filter((k) => k !== 'skip');
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** 1.5.2: fgets(buf, 1024) — each 1023-byte chunk of "content\n" is parsed as its own line. */
function readChunked(text: string, start: number, end: number, eolLength: 0 | 1, profile: Profile, lazy: boolean): Reading | Reading[] {
  const total = end - start + eolLength;
  if (total <= LINE_CHUNK_152) return readSegment152(text, start, end, profile, lazy);
  const out: Reading[] = [];
  for (let s = start; s < end + eolLength; s += LINE_CHUNK_152) {
    const e = Math.min(s + LINE_CHUNK_152, end);
    if (s >= end) { out.push(skipReading(s, s, -1)); break; }
    out.push(readSegment152(text, s, e, profile, false));
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

// Results of the tokenizers and prepare(), kept in module scope to avoid an allocation per line.
let pFrom = 0;
let pTo = 0;
/** the offset of the segment's '#' (-1: none) */
let pHash = -1;
/** a \v, \f, \r or NUL before the first '#' (the bytes the two parser families read differently) */
let pOdd = false;

/** The part pam_limits looks at: C string up to NUL, leading isspace skipped, cut at '#'. */
function prepare(text: string, start: number, end: number): void {
  // One bounded scan: the C string ends at the first NUL; the comment starts at the first '#'.
  let cEnd = end;
  let hash = -1;
  let odd = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x23) {
      if (c === 0) { cEnd = i; if (hash < 0) odd = true; break; }
      if (hash < 0) {
        if (c === 0x23) hash = i;
        else if (c === 0x0b || c === 0x0c || c === 0x0d) odd = true;
      }
    }
  }
  pOdd = odd;
  if (hash >= cEnd) hash = -1;
  let from = start;
  while (from < cEnd && isSpace(text.charCodeAt(from))) from++;
  pFrom = from;
  pTo = hash >= 0 ? hash : cEnd;
  pHash = hash;
}

const NO_FIELDS: readonly Field[] = Object.freeze([]);

/** FNV-1a over a token's bytes (the tokenizers hash each token as they scan it) */
const FNV_SEED = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function hashRange(text: string, start: number, end: number): number {
  let h = FNV_SEED;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Whether text[at, at + s.length) is s (the caller checked the length). */
function sameAt(text: string, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (text.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Field texts seen lately: a file repeats a few domains, types, items and values on every line,
 * so each line's tokens point at one shared string instead of keeping copies of their own.
 * A direct-mapped table of 8192 slots (a new text takes its slot); only short tokens are shared.
 */
const INTERN_SLOTS = 8192;
const interned: Array<string | undefined> = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

/** text[start, end) as a string, shared with the last token of the same bytes; h: hashRange of it */
function internAt(text: string, start: number, end: number, h: number): string {
  const len = end - start;
  if (len > 32) return text.slice(start, end);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const seen = interned[slot];
  if (seen !== undefined && seen.length === len && sameAt(text, start, seen)) return seen;
  const raw = text.slice(start, end);
  interned[slot] = raw;
  return raw;
}

function field(text: string, start: number, end: number): Field {
  return { start, end, raw: internAt(text, start, end, hashRange(text, start, end)) };
}

// The first four tokens of the segment being read (start and end offsets, hash), in module scope:
// an entry keeps them as numbers and shared objects, not as four Field objects, and their texts
// are made only when asked for (tokRaw): a line whose tokens were seen lately makes no string.
const tokS = [0, 0, 0, 0];
const tokE = [0, 0, 0, 0];
/** hashRange of each of the first four tokens (finds an entry's EntryMeta and EntryValue) */
const tokH = [0, 0, 0, 0];
/** tokR[k] is token k's text once tokRaw(k) made it (bit k of tokMade) */
const tokR = ['', '', '', ''];
let tokMade = 0;
let tokN = 0;
/** the text the tokens are offsets into */
let tokText = '';
/** 1.5.2: the tokens after the 4th of the segment being read, or null */
let tokExtra: Field[] | null = null;

/** the text of token k of the segment being read */
function tokRaw(k: number): string {
  if ((tokMade & (1 << k)) === 0) {
    tokR[k] = internAt(tokText, tokS[k]!, tokE[k]!, tokH[k]!);
    tokMade |= 1 << k;
  }
  return tokR[k]!;
}

function tokenField(k: number): Field {
  return { start: tokS[k]!, end: tokE[k]!, raw: tokRaw(k) };
}

/** the reading readSegment152 and readLine17 give for a blank or comment line when asked to be lazy */
let SKIPPED: Reading;

/** 1.5.2: sscanf("%s%s%s%s") — tokens are runs of non-isspace chars; later tokens ignored. */
function readSegment152(text: string, start: number, end: number, profile: Profile, lazy: boolean): Reading {
  if (!tokenize152(text, start, end)) return lazy ? SKIPPED : skipReading(start, end, pHash);
  return classify(text, tokExtra ?? NO_FIELDS, start, end, pHash, profile, MODE_152);
}

/**
 * The tokens of a 1.5.2 segment into tokS/tokE/tokH/tokN (the 5th and later into tokExtra); false
 * for a segment with none (blank or comment: pHash tells which).
 */
function tokenize152(text: string, start: number, end: number): boolean {
  // One pass, as prepare() and a split of its [pFrom, pTo) would give: the C string ends at the
  // first NUL, the content at the first '#'; tokens are runs of non-isspace bytes before either.
  splitOf = null;
  tokText = text;
  tokMade = 0;
  let n = 0;
  let extra: Field[] | null = null;
  let odd = false;
  let hash = -1;
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c <= 0x23) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        if (c >= 0x0b && c <= 0x0d) odd = true; // \v \f \r
        i++;
        continue;
      }
      if (c === 0x23) { hash = i; break; }
      if (c === 0) { odd = true; break; }
    }
    const s = i;
    let h = Math.imul(FNV_SEED ^ c, FNV_PRIME);
    while (++i < end) {
      c = text.charCodeAt(i);
      if (c <= 0x23 && (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x23 || c === 0)) break;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    if (n < 4) { tokS[n] = s; tokE[n] = i; tokH[n++] = h; }
    else (extra ??= []).push(field(text, s, i));
  }
  tokN = n;
  pOdd = odd;
  pHash = hash;
  tokExtra = extra;
  return n > 0;
}

/**
 * getline readings (Linux-PAM 1.6.0 and later): domain, type and item are split on runs of
 * space/tab; the value is the rest of the line. 1.6.1 and later (9228077d) trim it of space/tab at
 * both ends (`trim`); 1.6.0 (eec4358a, linux-pam #761) keeps it untrimmed after the one separator
 * character that ended the item, so `nofile   unlimited` or `unlimited ` is no keyword (and no
 * number: the line is skipped), `nonewprivs  1` stores 0, and numbers still work (strtoull skips
 * leading blanks). A value of blanks only is no value in 1.6.1 (3 fields); in 1.6.0 a single
 * trailing separator is none, two or more are a value of blanks.
 */
function readLine17(text: string, start: number, end: number, profile: Profile, trim: boolean, lazy: boolean): Reading {
  if (!tokenize17(text, start, end, trim)) return lazy ? SKIPPED : skipReading(start, end, pHash);
  return classify(text, NO_FIELDS, start, end, pHash, profile, trim ? MODE_TRIM : MODE_160);
}

/** The tokens of a getline line into tokS/tokE/tokH/tokN (see readLine17); false for none. */
function tokenize17(text: string, start: number, end: number, trim: boolean): boolean {
  splitOf = null;
  tokText = text;
  tokMade = 0;
  prepare(text, start, end);
  const from = pFrom;
  const to = pTo;
  if (from >= to) return false;
  let n = 0;
  let i = from;
  const isST = (c: number) => c === 0x20 || c === 0x09;
  while (i < to && n < 3) {
    while (i < to && isST(text.charCodeAt(i))) i++;
    if (i >= to) break;
    const s = i;
    while (i < to && !isST(text.charCodeAt(i))) i++;
    tokS[n] = s; tokE[n] = i; tokH[n++] = hashRange(text, s, i);
  }
  if (n === 3 && trim) {
    while (i < to && isST(text.charCodeAt(i))) i++;
    let e = to;
    while (e > i && isST(text.charCodeAt(e - 1))) e--;
    if (e > i) { tokS[3] = i; tokE[3] = e; tokH[3] = hashRange(text, i, e); n = 4; }
  } else if (n === 3 && i + 1 < to) {
    tokS[3] = i + 1; tokE[3] = to; tokH[3] = hashRange(text, i + 1, to); n = 4;
  }
  tokN = n;
  return true;
}

/** How a reading's tokens were split: 1.5.2 (isspace runs), 1.6.0 getline, 1.6.1+ getline (trimmed value). */
const MODE_152 = 0;
const MODE_160 = 1;
const MODE_TRIM = 2;
type TokenMode = typeof MODE_152 | typeof MODE_160 | typeof MODE_TRIM;

/** the reading whose tokens tokS/tokE/tokN hold (Invalid's #split), until the next tokenize */
let splitOf: object | null = null;

/** Split [start, end) into tokS/tokE/tokN again as the reading's parser did. */
function tokenizeAgain(text: string, start: number, end: number, mode: TokenMode): void {
  if (mode === MODE_152) tokenize152(text, start, end); else tokenize17(text, start, end, mode === MODE_TRIM);
}

function problem(code: Problem['code'], message: string, span: Span): Problem {
  return { code, message, span };
}

/** Memo for pure, immutable results that repeat across lines (domains, values). Bounded. */
function memo<T>(compute: (key: string) => T, max = 4096): (key: string) => T {
  let cache = new Map<string, T>();
  return (key: string) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      if (cache.size >= max) cache = new Map();
      cache.set(key, v);
    }
    return v;
  };
}

const domainOf = memo(parseDomain);

/** itemForProfile by profile and lower-cased name, remembered (names are few; bounded anyway) */
const profileItems = new Map<Profile, Map<string, ItemInfo | null>>();
function profileItem(name: string, profile: Profile): ItemInfo | null {
  let m = profileItems.get(profile);
  if (!m) profileItems.set(profile, (m = new Map()));
  let info = m.get(name);
  if (info === undefined) {
    info = itemForProfile(name, profile) ?? null;
    if (m.size < 4096) m.set(name, info);
  }
  return info;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 0x41 && c <= 0x5a) return true; }
  return false;
}

function lower(s: string): string {
  // ASCII tolower only (C locale), which is what toLowerCase does for [A-Z]; bytes >= 0x80 must stay.
  // eslint-disable-next-line no-control-regex
  return hasUpper(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** The tokens read so far as Field objects (lines that are not entries: rare, and small). */
function tokenFields(): Field[] {
  const out: Field[] = [];
  for (let k = 0; k < tokN; k++) out.push(tokenField(k));
  return out;
}

function classify(text: string, extra: readonly Field[], start: number, end: number, hash: number, profile: Profile, mode: TokenMode): Reading {
  const count = tokN;
  if (count === 4) return entryReading(extra, start, end, hash, profile);
  if (count === 2 && text.charCodeAt(tokS[1]!) === 0x2d) {
    const domainSpec = domainOf(tokRaw(0));
    return {
      kind: 'nolimit', span: { start, end }, comment: hash >= 0 ? { start: hash, end } : null, domain: tokenField(0), type: tokenField(1),
      domainSpec, problem: domainSpec.kind === 'invalid' ? rangeProblem(domainSpec) : null,
    } satisfies NoLimitReading;
  }
  return new Invalid(text, start, end, hash, mode);
}

/** pam_limits' "invalid uid range" message for a domain */
function rangeMessage(domainSpec: EntryReading['domainSpec'], raw: string): string {
  const why = domainSpec.kind === 'invalid' && domainSpec.range.form === 'error' ? domainSpec.range.why : '';
  return `invalid uid range '${raw}' - skipped (${why})`;
}

/** pam_limits' "invalid uid range" for the current line's domain (token 0) */
function rangeProblem(domainSpec: EntryReading['domainSpec']): Problem {
  const domain = tokenField(0);
  return problem('invalid-range', rangeMessage(domainSpec, domain.raw), domain);
}

/** The problem message of a line of 1, 2 or 3 fields and no invalid range: one string per count. */
const TOO_FEW_MESSAGES = [1, 2, 3].map((n) => `invalid line: ${n} field${n === 1 ? '' : 's'}; a limit needs <domain> <type> <item> <value>`);

/**
 * A line pam_limits logs as invalid (1 to 3 fields, or a bad uid range without 4 fields): files of
 * such lines (a pasted list, a wrong file) are read by lint line by line, so the reading keeps only
 * the document's text, its span, comment offset and how it was split; `span`, `comment`, `fields`
 * and `problem` are made at each read by splitting its few bytes again (new objects each time:
 * compare them by offsets and code, not identity). A too-few-fields message is one string per field
 * count. `toJSON` gives the plain shape.
 */
class Invalid implements InvalidReading {
  declare readonly kind: 'invalid'; // on the prototype (below)
  readonly #text: string;
  readonly #start: number;
  readonly #end: number;
  /** ((hash + 1) * 4 + fields - 1) * 4 + mode: the comment's offset (hash -1: none), how many fields (1 to 3) and the TokenMode */
  readonly #hm: number;
  /** where the last field ends (invalidFieldsSpan) */
  readonly #fieldsEnd: number;
  /** made by classify, right after the line's tokens were read (tokS/tokE/tokN) */
  constructor(text: string, start: number, end: number, hash: number, mode: TokenMode) {
    this.#text = text;
    this.#start = start;
    this.#end = end;
    this.#hm = ((hash + 1) * 4 + tokN - 1) * 4 + mode;
    this.#fieldsEnd = tokE[tokN - 1]!;
  }

  get span(): Span { return { start: this.#start, end: this.#end }; }
  get comment(): Span | null { const hash = Math.floor(this.#hm / 16) - 1; return hash >= 0 ? { start: hash, end: this.#end } : null; }
  get fields(): readonly Field[] {
    Invalid.split(this);
    return tokenFields();
  }

  get problem(): Problem {
    Invalid.split(this);
    const domainSpec = domainOf(tokRaw(0));
    if (domainSpec.kind === 'invalid') return rangeProblem(domainSpec);
    const n = tokN;
    return problem('too-few-fields', TOO_FEW_MESSAGES[n - 1]!, { start: tokS[0]!, end: tokE[n - 1]! });
  }

  /** invalidFieldCount(r) */
  static count(r: Invalid): number {
    return (Math.floor(r.#hm / 4) % 4) + 1;
  }

  /** invalidFieldsSpan(r): the first field starts at the first byte isspace() is false for (both families skip them) */
  static fieldsSpan(r: Invalid): Span {
    const text = r.#text;
    let s = r.#start;
    while (isSpace(text.charCodeAt(s))) s++;
    return { start: s, end: r.#fieldsEnd };
  }

  // static, not a private method (which would cost each instance a brand slot)
  static split(r: Invalid): void {
    // a rule asks for the problem and the fields of one reading in a row: split it once for them
    if (splitOf === r) return;
    tokenizeAgain(r.#text, r.#start, r.#end, (r.#hm % 4) as TokenMode); // (mode: the low 2 bits)
    splitOf = r;
  }

  toJSON(): object {
    return { kind: this.kind, span: this.span, comment: this.comment, fields: this.fields, problem: this.problem };
  }
}

Object.defineProperty(Invalid.prototype, 'kind', { value: 'invalid', enumerable: true });

/**
 * How many fields an invalid reading has (1 to 3), as counted when its line was read: for a
 * reading of parse.ts without splitting the line again (as `fields` does at each read).
 */
export function invalidFieldCount(r: InvalidReading): number {
  return r instanceof Invalid ? Invalid.count(r) : r.fields.length;
}

/**
 * The span from the start of an invalid reading's first field to the end of its last (a new
 * object; the span of a too-few-fields problem): for a reading of parse.ts without splitting the
 * line again (as `fields` and `problem` do at each read).
 */
export function invalidFieldsSpan(r: InvalidReading): Span {
  if (r instanceof Invalid) return Invalid.fieldsSpan(r);
  const f = r.fields;
  return { start: f[0]!.start, end: f[f.length - 1]!.end };
}

/** The entry of the current four tokens (tokS/tokE/tokH) under a profile, with the first problem pam_limits has with it. */
function entryReading(extra: readonly Field[], start: number, end: number, hash: number, profile: Profile): EntryReading {
  const meta = entryMeta(profile);
  const info = meta.itemInfo;
  // an item known to the profile always has its value read (also under an unknown type or a bad range)
  const value = entryValue(info);
  let p: Problem | null = null;
  if (meta.range !== null) p = problem('invalid-range', meta.range, tokenField(0));
  else if (meta.bad !== null) p = problem(meta.bad.code, meta.bad.message, tokenField(meta.bad.token));
  else if (info && !value.parsed!.ok) p = problem('wrong-value', `wrong limit value '${value.text}' for ${info.name}`, tokenField(3));
  else if (meta.percent) p = problem('percent-domain', `'%' domain valid for maxlogins type only`, tokenField(0));
  return new Entry(start, end, hash, extra, meta, value, p);
}

/**
 * What an entry's domain, type and item tokens mean under a profile, apart from where they are:
 * their texts (type and item lower-cased), the domain, the item, the limit type, and the problems
 * they give (without their spans): a uid range pam_limits rejects, else an unknown item or type,
 * and a '%' domain of an item other than maxlogins. A file repeats a few of these on every line,
 * so entries share one object per (domain, type, item) seen lately.
 */
interface EntryMeta {
  readonly profile: Profile;
  readonly domainRaw: string;
  readonly typeRaw: string;
  readonly itemRaw: string;
  readonly domainSpec: EntryReading['domainSpec'];
  readonly typeText: string;
  readonly itemText: string;
  readonly itemInfo: ItemInfo | null;
  readonly limitType: LimitType | null;
  /** the "invalid uid range" message, or null */
  readonly range: string | null;
  readonly bad: { readonly code: 'unknown-item' | 'unknown-type'; readonly message: string; readonly token: 1 | 2 } | null;
  /** a '%' domain with an item known to the profile that takes none (percent-domain) */
  readonly percent: boolean;
  /** ENTRY_UPPER when the type or item is written with a capital, | ENTRY_DASH when the domain is '-' */
  readonly facts: number;
}

/**
 * EntryMetas by a hash of the three tokens: found with no string made, the tokens compared in
 * place. Up to 4096 (then started afresh); a hash already taken by other tokens is given to the
 * newer ones.
 */
let metas = new Map<number, EntryMeta>();

/** The EntryMeta of the current tokens 0, 1 and 2 (tokS/tokE/tokH) under `profile`. */
function entryMeta(profile: Profile): EntryMeta {
  const text = tokText;
  const key = Math.imul(tokH[0]! ^ Math.imul(tokH[1]! ^ Math.imul(tokH[2]!, 0x2c1b3c6d), 0x297a2d39), 0x5bd1e995);
  const seen = metas.get(key);
  if (seen !== undefined && seen.profile === profile
    && seen.domainRaw.length === tokE[0]! - tokS[0]! && seen.typeRaw.length === tokE[1]! - tokS[1]! && seen.itemRaw.length === tokE[2]! - tokS[2]!
    && sameAt(text, tokS[0]!, seen.domainRaw) && sameAt(text, tokS[1]!, seen.typeRaw) && sameAt(text, tokS[2]!, seen.itemRaw)) return seen;
  return newEntryMeta(profile, key);
}

/**
 * entryMeta for tokens not seen lately: made and remembered under `key`. (A function of its own:
 * V8 optimises entryMeta, run for every entry, without this rarely run part.)
 */
function newEntryMeta(profile: Profile, key: number): EntryMeta {
  const domainRaw = tokRaw(0);
  const typeRaw = tokRaw(1);
  const itemRaw = tokRaw(2);
  const domainSpec = domainOf(domainRaw);
  const typeText = lower(typeRaw);
  const itemText = lower(itemRaw);
  const info = profileItem(itemText, profile);
  const limitType: LimitType | null = typeText === 'soft' || typeText === 'hard' || typeText === '-' ? typeText : null;
  let bad: EntryMeta['bad'] = null;
  if (!info) {
    const known = itemInfo(itemText);
    bad = {
      code: 'unknown-item',
      message: known ? `unknown limit item '${itemText}': ${known.name} is not known to ${profile} pam_limits` : `unknown limit item '${itemText}'`,
      token: 2,
    };
  } else if (info.typeChecked && !limitType) bad = { code: 'unknown-type', message: `unknown limit type '${typeText}'`, token: 1 };
  const meta: EntryMeta = {
    profile, domainRaw, typeRaw, itemRaw, domainSpec, typeText, itemText, itemInfo: info, limitType,
    range: domainSpec.kind === 'invalid' ? rangeMessage(domainSpec, domainRaw) : null,
    bad,
    percent: info !== null && !info.percentDomains && domainSpec.text.charCodeAt(0) === 0x25,
    facts: (typeText !== typeRaw || itemText !== itemRaw ? ENTRY_UPPER : 0) | (domainRaw === '-' ? ENTRY_DASH : 0),
  };
  if (metas.size >= 4096) metas = new Map();
  metas.set(key, meta);
  return meta;
}

/**
 * An entry's value token under its item: the raw text, lower-cased, and as pam_limits reads it.
 * A file repeats a few values on every line, so entries share one object per (item, raw value)
 * seen lately, as they share their EntryMeta.
 */
interface EntryValue {
  readonly info: ItemInfo | null;
  readonly raw: string;
  readonly text: string;
  readonly parsed: ParsedValue | null;
  /** the raw text holds a space or tab (a getline value: 1.5.2 reads such a line otherwise) */
  readonly blank: boolean;
  /** ENTRY_UPPER when the value is written with a capital */
  readonly facts: number;
}

/**
 * EntryValues by item (null: unknown) and a hash of the raw value (compared in place: no string
 * made for a value seen lately): up to 4096 values per item (then started afresh). The one memo
 * of parsed values.
 */
const entryValues = new Map<ItemInfo | null, Map<number, EntryValue>>();
let lastInfo: ItemInfo | null | undefined = undefined;
let lastValues = new Map<number, EntryValue>();

/** The EntryValue of the current token 3 (tokS/tokE/tokH) under the item `info` (token 2's, null: unknown). */
function entryValue(info: ItemInfo | null): EntryValue {
  let m = lastValues;
  if (info !== lastInfo) {
    let x = entryValues.get(info);
    if (x === undefined) entryValues.set(info, (x = new Map()));
    lastInfo = info;
    lastValues = m = x;
  }
  const h = tokH[3]!;
  const seen = m.get(h);
  if (seen !== undefined && seen.raw.length === tokE[3]! - tokS[3]! && sameAt(tokText, tokS[3]!, seen.raw)) return seen;
  return newEntryValue(info, m, h);
}

/** entryValue for a value not seen lately: made and remembered in `m` under `h` (rarely run: see newEntryMeta). */
function newEntryValue(info: ItemInfo | null, m: Map<number, EntryValue>, h: number): EntryValue {
  const raw = tokRaw(3);
  const text = lower(raw);
  const v: EntryValue = {
    info, raw, text, parsed: info ? parseValue(info, text) : null, blank: raw.indexOf(' ') >= 0 || raw.indexOf('\t') >= 0,
    facts: text !== raw ? ENTRY_UPPER : 0,
  };
  if (m.size >= 4096) m.clear();
  m.set(h, v);
  return v;
}

/**
 * A blank or comment reading. Its spans are made when asked for: a file is mostly such lines and
 * entries, and two small objects per line are most of what a parsed line used to cost.
 */
class Skip {
  readonly kind: 'blank' | 'comment';
  readonly #start: number;
  readonly #end: number;
  readonly #hash: number;
  constructor(start: number, end: number, hash: number) {
    this.kind = hash >= 0 ? 'comment' : 'blank';
    this.#start = start;
    this.#end = end;
    this.#hash = hash;
  }

  get span(): Span { return { start: this.#start, end: this.#end }; }
  get comment(): Span | null { return this.#hash >= 0 ? { start: this.#hash, end: this.#end } : null; }
  toJSON(): object { return { kind: this.kind, span: this.span, comment: this.comment }; }
}

function skipReading(start: number, end: number, hash: number): Reading {
  return new Skip(start, end, hash) as Reading;
}

SKIPPED = skipReading(0, 0, -1);

/**
 * What few entries have, kept out of the entry itself: an inline comment's offset, 1.5.2's tokens
 * after the 4th, a problem, where the reading ends, and the token offsets when a gap between
 * tokens is too wide to pack (see Entry). One shape for all.
 */
interface EntryRare {
  readonly hash: number;
  readonly extra: readonly Field[];
  readonly problem: Problem | null;
  /** the token offsets [domain, type, item, value] when they do not fit in Entry's packed gaps */
  readonly starts: readonly [number, number, number, number] | null;
  /** the end of the reading's span */
  readonly end: number;
}

/** widest gap of blanks before a token (or after the value) that an entry packs (6 bits each, five in one small integer) */
const GAP_MAX = 63;

/**
 * A 4-field reading, kept compact (lint keeps every entry of a tree): five slots. Where it starts,
 * the gaps of blanks before each token and after the value packed in one small integer, an
 * EntryMeta shared by the entries of the same domain, type and item (their texts, domain, item
 * and problems) and an EntryValue shared by those of the same item and raw value (its text and
 * reading); what few entries have (an inline comment, extra tokens, a problem, a gap wider than
 * 63 bytes) sits in one shared-shape object, null for most. `domainSpec`, `typeText`, `itemText`,
 * `limitType`, `itemInfo`, `valueText`, `parsedValue`, `span`, `comment`, `domain`, `type`,
 * `item`, `value`, `extra` and `problem` are getters (the six from span make a new plain object
 * at each access: compare fields by offset, not identity). `toJSON` gives the plain shape.
 */
class Entry implements EntryReading {
  declare readonly kind: 'entry'; // on the prototype (below): one slot less per entry
  readonly #start: number;
  /**
   * the gaps before domain, type, item and value and after the value, 6 bits each (domain's
   * lowest; the last only while #rare is null); -1: see #rare.starts
   */
  readonly #gaps: number;
  readonly #rare: EntryRare | null;
  readonly #meta: EntryMeta;
  readonly #value: EntryValue;

  /** the tokens are the module's current tokS/tokE */
  constructor(start: number, end: number, hash: number, extra: readonly Field[], meta: EntryMeta, value: EntryValue, problem: Problem | null) {
    this.#start = start;
    const g0 = tokS[0]! - start;
    const g1 = tokS[1]! - tokE[0]!;
    const g2 = tokS[2]! - tokE[1]!;
    const g3 = tokS[3]! - tokE[2]!;
    const tail = end - tokE[3]!;
    const packs = g0 <= GAP_MAX && g1 <= GAP_MAX && g2 <= GAP_MAX && g3 <= GAP_MAX;
    this.#gaps = packs ? g0 | (g1 << 6) | (g2 << 12) | (g3 << 18) | ((tail <= GAP_MAX ? tail : 0) << 24) : -1;
    this.#rare = hash < 0 && extra.length === 0 && problem === null && packs && tail <= GAP_MAX
      ? null
      : { hash, extra, problem, starts: packs ? null : [tokS[0]!, tokS[1]!, tokS[2]!, tokS[3]!], end };
    this.#meta = meta;
    this.#value = value;
  }

  get domainSpec(): EntryReading['domainSpec'] { return this.#meta.domainSpec; }

  get itemInfo(): ItemInfo | null { return this.#meta.itemInfo; }
  get valueText(): string { return this.#value.text; }
  get parsedValue(): ParsedValue | null { return this.#value.parsed; }

  get typeText(): string { return this.#meta.typeText; }
  get itemText(): string { return this.#meta.itemText; }

  get limitType(): LimitType | null { return this.#meta.limitType; }

  get extra(): readonly Field[] { const rare = this.#rare; return rare === null ? NO_FIELDS : rare.extra; }
  get problem(): Problem | null { const rare = this.#rare; return rare === null ? null : rare.problem; }
  get span(): Span { return { start: this.#start, end: Entry.end(this) }; }
  get comment(): Span | null { const rare = this.#rare; return rare !== null && rare.hash >= 0 ? { start: rare.hash, end: rare.end } : null; }
  get domain(): Field { return Entry.field(this, 0); }
  get type(): Field { return Entry.field(this, 1); }
  get item(): Field { return Entry.field(this, 2); }
  get value(): Field { return Entry.field(this, 3); }

  static field(r: Entry, k: 0 | 1 | 2 | 3): Field {
    const start = Entry.start(r, k);
    const raw = Entry.raw(r, k);
    return { start, end: start + raw.length, raw };
  }

  /** where the reading's span ends */
  static end(r: Entry): number {
    const rare = r.#rare;
    if (rare !== null) return rare.end;
    return Entry.start(r, 3) + r.#value.raw.length + (r.#gaps >>> 24);
  }

  /** the start offsets of domain, type, item and value (0–3) without making a Field */
  static start(r: Entry, k: 0 | 1 | 2 | 3): number {
    const g = r.#gaps;
    if (g < 0) return r.#rare!.starts![k]!;
    let at = r.#start + (g & GAP_MAX);
    if (k === 0) return at;
    const meta = r.#meta;
    at += meta.domainRaw.length + ((g >>> 6) & GAP_MAX);
    if (k === 1) return at;
    at += meta.typeRaw.length + ((g >>> 12) & GAP_MAX);
    if (k === 2) return at;
    return at + meta.itemRaw.length + ((g >>> 18) & GAP_MAX);
  }

  /** the raw texts of domain, type, item and value (0–3) without making a Field */
  static raw(r: Entry, k: 0 | 1 | 2 | 3): string {
    if (k === 0) return r.#meta.domainRaw;
    if (k === 1) return r.#meta.typeRaw;
    if (k === 2) return r.#meta.itemRaw;
    return r.#value.raw;
  }

  /** entryFacts(r) */
  static facts(r: Entry): number {
    const rare = r.#rare;
    let f = r.#meta.facts | r.#value.facts;
    if (rare !== null) f |= (rare.problem !== null ? ENTRY_PROBLEM : 0) | (rare.extra.length > 0 ? ENTRY_EXTRA : 0);
    return f;
  }

  /** whether the other parser family may read the entry's line otherwise (extra tokens, a value with blanks) */
  static differs(r: Entry): boolean {
    return (r.#rare !== null && r.#rare.extra.length > 0) || r.#value.blank;
  }

  toJSON(): object {
    return {
      kind: this.kind, span: this.span, comment: this.comment, domain: this.domain, type: this.type, item: this.item, value: this.value,
      extra: this.extra, domainSpec: this.domainSpec, typeText: this.typeText, itemText: this.itemText, valueText: this.valueText,
      limitType: this.limitType, itemInfo: this.itemInfo, parsedValue: this.parsedValue, problem: this.problem,
    };
  }
}

Object.defineProperty(Entry.prototype, 'kind', { value: 'entry', enumerable: true });

/**
 * The raw text (bytes as a binary string) of an entry's domain (0), type (1), item (2) or value
 * (3): `r.domain.raw` etc. without making the Field object (for loops over every entry).
 */
export function entryRaw(r: EntryReading, k: 0 | 1 | 2 | 3): string {
  if (r instanceof Entry) return Entry.raw(r, k);
  return (k === 0 ? r.domain : k === 1 ? r.type : k === 2 ? r.item : r.value).raw;
}

/**
 * The byte offset where an entry's domain (0), type (1), item (2) or value (3) starts: `r.domain.start`
 * etc. without making the Field object. The field ends at entryStart(r, k) + entryRaw(r, k).length.
 */
export function entryStart(r: EntryReading, k: 0 | 1 | 2 | 3): number {
  if (r instanceof Entry) return Entry.start(r, k);
  return (k === 0 ? r.domain : k === 1 ? r.type : k === 2 ? r.item : r.value).start;
}

/** entryFacts: the entry has a problem */
export const ENTRY_PROBLEM = 1;
/** entryFacts: the entry has fields after the fourth */
export const ENTRY_EXTRA = 2;
/** entryFacts: the type, item or value is written with a capital (typeText, itemText or valueText differs from the raw text) */
export const ENTRY_UPPER = 4;
/** entryFacts: the domain is '-' */
export const ENTRY_DASH = 8;

/**
 * What lint sorts an entry by, as bits (ENTRY_PROBLEM, ENTRY_EXTRA, ENTRY_UPPER, ENTRY_DASH): for a
 * reading of parse.ts one call instead of reading `problem`, `extra`, the three texts and the
 * domain (its objects shared by the entries of the same tokens hold the bits).
 */
export function entryFacts(r: EntryReading): number {
  if (r instanceof Entry) return Entry.facts(r);
  return (r.problem !== null ? ENTRY_PROBLEM : 0) | (r.extra.length > 0 ? ENTRY_EXTRA : 0)
    | (r.typeText !== r.type.raw || r.itemText !== r.item.raw || r.valueText !== r.value.raw ? ENTRY_UPPER : 0)
    | (r.domainSpec.text === '-' ? ENTRY_DASH : 0);
}
