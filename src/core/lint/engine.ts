/**
 * The lint engine: runs every enabled rule on a target, checks what each rule reports (a bad
 * position or a crash becomes an LC900 finding instead of an exception), applies severities from
 * the settings and `limitsctl-disable` comments, and sorts the result. Pure.
 */
import type { LimitsDocument, Span, TreeFile } from '../model.js';
import { lineColumns } from '../parse.js';
import { Analysis } from './analysis.js';
import { EMPTY_POLICY } from './policy.js';
import { findRule, RULES } from './rules.js';
import type {
  DeferredReport, Diagnostic, FindingText, LintConfig, LintResult, LintTarget, Position, RelatedLocation, Rule, RuleContext, RuleReport, Severity,
} from './types.js';

/**
 * account classes per item (user names × uid points × gid points × 2^groups its lines name)
 * resolved exhaustively; above it never-wins says which claims were not checked. Not in lines:
 * the analysis is exhaustive at any size in lines.
 */
const DEFAULT_ANALYSIS_BUDGET = 1 << 14;
import { canonicalProfile, DEFAULT_NR_OPEN } from '../schema.js';

export { DEFAULT_NR_OPEN };

/** The meta rule for findings about the linter itself (a rule that crashed). */
const RULE_ERROR = { code: 'LC900', name: 'rule-error', severity: 'error' } as const;
const UNKNOWN_SUPPRESSION = { code: 'LC901', name: 'unknown-suppression', severity: 'warning' } as const;

/** The first tree file of each path (a map, so that naming a file by path is not a scan). */
const filesByPath = new WeakMap<LintTarget, Map<string, TreeFile>>();

function docOf(target: LintTarget, f: TreeFile | string): LimitsDocument | null {
  if (typeof f !== 'string') return f.doc;
  let byPath = filesByPath.get(target);
  if (!byPath) {
    byPath = new Map();
    for (const x of target.tree.files) if (!byPath.has(x.path)) byPath.set(x.path, x);
    filesByPath.set(target, byPath);
  }
  return byPath.get(f)?.doc ?? null;
}

function pathOf(f: TreeFile | string): string {
  return typeof f === 'string' ? f : f.path;
}


/**
 * Per-document facts `locate` needs, computed once per document (linear in its size) so that
 * placing a finding costs O(log lines + CHECKPOINT) instead of a scan of its whole line: a
 * 4 MB line with thousands of findings would otherwise take time quadratic in its length.
 */
interface DocIndex {
  /** doc.text.length (read once: a document's members may be slow to read, see lazyDocument) */
  readonly size: number;
  /**
   * starts[i] = lines[i].start: a binary search over numbers, not over line objects (a parsed
   * document's own column, see lineColumns, else a copy)
   */
  readonly starts: Uint32Array | Float64Array;
  /** ends[i] = lines[i].end (before its '\n') */
  readonly ends: Uint32Array | Float64Array;
  /**
   * highLines[i] = how many of lines[0..i) hold a byte >= 0x80; null when the document holds
   * none (most do: no per-line scan then)
   */
  readonly highLines: Int32Array | null;
  /** line index → code-point count at every CHECKPOINT bytes of that (long, non-ASCII) line */
  readonly checkpoints: Map<number, Int32Array>;
}

const CHECKPOINT = 1024;
const docIndexes = new WeakMap<LimitsDocument, DocIndex>();
const HIGH_BYTE = /[\x80-\xff]/;

// findings come grouped by file: the last document's index is at hand without a map lookup
let lastDoc: LimitsDocument | null = null;
let lastIndex: DocIndex | null = null;

function docIndex(doc: LimitsDocument): DocIndex {
  if (doc === lastDoc) return lastIndex!;
  let x = docIndexes.get(doc);
  if (!x) {
    const lines = doc.lines;
    const text = doc.text;
    const columns = lineColumns(doc);
    let starts: Uint32Array | Float64Array;
    let ends: Uint32Array | Float64Array;
    if (columns !== null) ({ starts, ends } = columns);
    else {
      starts = new Float64Array(lines.length);
      ends = new Float64Array(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        starts[i] = l.start;
        ends[i] = l.end;
      }
    }
    let highLines: Int32Array | null = null;
    if (HIGH_BYTE.test(text)) {
      highLines = new Int32Array(lines.length + 1);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        let high = 0;
        for (let k = l.start; k < l.end; k++) if (text.charCodeAt(k) >= 0x80) { high = 1; break; }
        highLines[i + 1] = highLines[i]! + high;
      }
    }
    x = { size: text.length, starts, ends, highLines, checkpoints: new Map() };
    docIndexes.set(doc, x);
  }
  lastDoc = doc;
  lastIndex = x;
  return x;
}

/** Code-point column of a byte offset within its line (UTF-8 lead bytes counted). */
function cpColumn(doc: LimitsDocument, li: number, offset: number): number {
  const l = doc.lines[li]!;
  const text = doc.text;
  let from = l.start;
  let n = 1;
  if (offset - l.start > CHECKPOINT) {
    const ix = docIndex(doc);
    let cps = ix.checkpoints.get(li);
    if (!cps) {
      // cps[k] = column of byte l.start + k * CHECKPOINT
      cps = new Int32Array(Math.floor((l.end - l.start) / CHECKPOINT) + 1);
      let c = 1;
      cps[0] = 1;
      for (let i = l.start, k = 1; k < cps.length; k++) {
        const stop = l.start + k * CHECKPOINT;
        for (; i < stop; i++) { const ch = text.charCodeAt(i); if (ch < 0x80 || ch >= 0xc0) c++; }
        cps[k] = c;
      }
      ix.checkpoints.set(li, cps);
    }
    const k = Math.floor((offset - l.start) / CHECKPOINT);
    from = l.start + k * CHECKPOINT;
    n = cps[k]!;
  }
  for (let i = from; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || c >= 0xc0) n++;
  }
  return n;
}

interface Located extends Position {
  readonly offset?: { start: number; end: number };
  readonly text?: { column: number; endColumn: number };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Where `place` puts a position (one finding at a time, so placing one allocates nothing):
 * 1-based line and byte column, exclusive end; the code-point columns when the span's lines hold
 * a byte >= 0x80 (placedText), and whether the span was inside a document (placedOffset).
 */
let placedLine = 1;
let placedColumn = 1;
let placedEndLine = 1;
let placedEndColumn = 1;
let placedText = false;
let placedTextColumn = 1;
let placedTextEndColumn = 1;
let placedOffset = false;
let placedStart = 0;
let placedEnd = 0;

/** `locate` without its result object: the position is left in the placed* variables. */
function place(doc: LimitsDocument | null, span: Span | undefined): void {
  placedText = false;
  if (!doc || !span) {
    placedLine = placedColumn = placedEndLine = placedEndColumn = 1;
    placedOffset = false;
    return;
  }
  const ix = docIndex(doc);
  const n = ix.size;
  const s0 = span.start;
  const e0 = span.end;
  if (!(Number.isInteger(s0) && Number.isInteger(e0) && s0 >= 0 && e0 >= s0 && e0 <= n)) {
    throw new RangeError(`span [${s0}, ${e0}) is outside ${doc.file} (${n} bytes)`);
  }
  placedOffset = true;
  if (ix.starts.length === 0) {
    placedLine = placedColumn = placedEndLine = placedEndColumn = 1;
    placedStart = placedEnd = 0;
    return;
  }
  placedStart = s0;
  placedEnd = e0;
  const starts = ix.starts;
  const si = lineIndex(starts, s0);
  // an end just after a line's '\n' is reported as the end of that line
  let ei = e0 === s0 ? si : lineIndex(starts, e0);
  if (ei > si && starts[ei] === e0) ei--;
  const slStart = starts[si]!;
  const slEnd = ix.ends[si]!;
  const elStart = starts[ei]!;
  const elEnd = ix.ends[ei]!;
  const start = s0 < slEnd ? s0 : slEnd;
  const end = e0 < elEnd ? e0 : elEnd;
  const endAt = ei === si ? (end > start ? end : start) : (end > elStart ? end : elStart);
  const column = start - slStart + 1;
  const endColumn = endAt - elStart + 1;
  if (column < 1 || column > slEnd - slStart + 1 || endColumn < 1 || endColumn > elEnd - elStart + 1) {
    throw new RangeError(`span [${s0}, ${e0}) gives an invalid position in ${doc.file}`);
  }
  placedLine = si + 1;
  placedColumn = column;
  placedEndLine = ei + 1;
  placedEndColumn = endColumn;
  const high = ix.highLines;
  if (high !== null && high[ei + 1]! - high[si]! > 0) {
    placedText = true;
    placedTextColumn = cpColumn(doc, si, start);
    placedTextEndColumn = cpColumn(doc, ei, endAt);
  }
}

/** Byte span → checked 1-based position; throws on a span outside the document (a rule bug). */
export function locate(doc: LimitsDocument | null, span: Span | undefined): Located {
  place(doc, span);
  const pos: Mutable<Located> = { line: placedLine, column: placedColumn, endLine: placedEndLine, endColumn: placedEndColumn };
  if (placedOffset) pos.offset = { start: placedStart, end: placedEnd };
  if (placedText) pos.text = { column: placedTextColumn, endColumn: placedTextEndColumn };
  return pos;
}

/**
 * The line {@link lineIndex} found last, and in which starts: findings come mostly in the order
 * of their lines (a rule walks a file's lines in turn), so the next one is usually on that line
 * or the one after, found without a search.
 */
let hintStarts: Uint32Array | Float64Array | null = null;
let hint = 0;

/**
 * The index of the last line starting at or before byte `off`: that of the last call or the one
 * after it when `off` is there, else a binary search over the line starts (which increase
 * strictly: every line but the last ends in its line break).
 */
function lineIndex(starts: Uint32Array | Float64Array, off: number): number {
  const n = starts.length;
  if (starts === hintStarts) {
    const h = hint;
    if (starts[h]! <= off) {
      if (h + 1 >= n || starts[h + 1]! > off) return h;
      if (h + 2 >= n || starts[h + 2]! > off) return (hint = h + 1);
    }
  } else {
    hintStarts = starts;
  }
  hint = search(starts, off);
  return hint;
}

/** lineIndex by binary search. */
function search(starts: Uint32Array | Float64Array, off: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid; else hi = mid - 1;
  }
  return lo;
}

interface Directive {
  readonly kind: 'line' | 'next-line' | 'file';
  readonly line: number;
  /** null = every rule */
  readonly codes: ReadonlySet<string> | null;
}

const DIRECTIVE = /limitsctl-disable(-next-line|-file)?(?![\w-])([^#]*)/g;

/** `limitsctl-disable` comments of a document, plus the unknown rule names they mention. */
export function readDirectives(doc: LimitsDocument): { directives: Directive[]; unknown: Array<{ span: Span; name: string }> } {
  const directives: Directive[] = [];
  const unknown: Array<{ span: Span; name: string }> = [];
  const text = doc.text;
  if (!text.includes('limitsctl-disable')) return { directives, unknown };
  for (const l of doc.lines) {
    // search this line only (indexOf from the line's start would run on through every later
    // line without a '#', quadratic in the line count)
    let hash = l.start;
    while (hash < l.end && text.charCodeAt(hash) !== 0x23) hash++;
    if (hash >= l.end) continue;
    const comment = text.slice(hash, l.end);
    if (!comment.includes('limitsctl-disable')) continue;
    DIRECTIVE.lastIndex = 0;
    for (let m = DIRECTIVE.exec(comment); m; m = DIRECTIVE.exec(comment)) {
      const kind = m[1] === '-next-line' ? 'next-line' : m[1] === '-file' ? 'file' : 'line';
      const list = (m[2] ?? '').split(/\s--\s|\s--$/)[0]!;
      const codes = new Set<string>();
      const listStart = hash + m.index + m[0].indexOf(list);
      let pos = 0;
      for (const name of list.split(/[\s,]+/)) {
        const at = list.indexOf(name, pos);
        pos = at + name.length;
        if (!name) continue;
        const rule = findRule(name);
        if (rule) codes.add(rule.code);
        else {
          const start = listStart + at;
          unknown.push({ span: { start, end: start + name.length }, name });
        }
      }
      directives.push({ kind, line: l.index + 1, codes: codes.size > 0 || list.trim() !== '' ? codes : null });
    }
  }
  return { directives, unknown };
}

/** What the directives of a file silence: everywhere, and on each line (null codes = every rule). */
interface Silenced {
  readonly file: { all: boolean; codes: Set<string> };
  readonly lines: Map<number, { all: boolean; codes: Set<string> }>;
}

/** Merge a file's directives once, so a finding is checked in O(1) however many there are. */
function silenced(directives: readonly Directive[]): Silenced {
  const out: Silenced = { file: { all: false, codes: new Set() }, lines: new Map() };
  for (const x of directives) {
    let to = out.file;
    if (x.kind !== 'file') {
      const line = x.kind === 'line' ? x.line : x.line + 1;
      let l = out.lines.get(line);
      if (!l) out.lines.set(line, (l = { all: false, codes: new Set() }));
      to = l;
    }
    if (x.codes === null) to.all = true;
    else for (const c of x.codes) to.codes.add(c);
  }
  return out;
}

/** Whether a finding of `code` on 1-based `line` is silenced. */
function silencedAt(s: Silenced, code: string, line: number): boolean {
  if (s.file.all || s.file.codes.has(code)) return true;
  const l = s.lines.get(line);
  return l !== undefined && (l.all || l.codes.has(code));
}

function severityOf(rule: { code: string; severity: Severity }, config: LintConfig): Severity | 'off' {
  return config.severities?.get(rule.code) ?? rule.severity;
}

const compareStrings = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The order of findings within a file: line, column, code, message. */
const byPosition = (a: Diagnostic, b: Diagnostic): number => a.line - b.line || a.column - b.column || compareStrings(a.code, b.code) || compareStrings(a.message, b.message);

/**
 * `list` in the order of {@link byPosition}, exactly as the stable `list.sort(byPosition)` orders
 * it (findings equal in that order keep theirs), in O(n + lines) rather than O(n log n)
 * comparisons: the list itself when it is in order already (one rule's findings), else a stable
 * counting sort by line, then each line's findings (usually one or two) by column, code and
 * message. Lines spread far wider than the findings are (a few findings in a long file) are
 * sorted by comparison. `list` itself is returned when in order, else a new array.
 */
export function sortFindings(list: Diagnostic[]): Diagnostic[] {
  const n = list.length;
  const a = new Records();
  for (const d of list) a.whole(d);
  const order = sortRecords(a, n, (i, j) => byPosition(list[i]!, list[j]!));
  if (order === null) return list;
  const out = new Array<Diagnostic>(n);
  for (let k = 0; k < n; k++) out[k] = list[order[k]!]!;
  return out;
}

/**
 * The findings of one file while its rules run (and, for the tree-wide rules, until that file is
 * written), kept as flat records rather than as Diagnostic objects: a finding held this long
 * outlives the young generation, and its two objects (the finding and its offset) were most of
 * what the collector then copied and what the heap grew by on large trees. The Diagnostic
 * objects are made when the file is written, a batch at a time. A record is {@link NUMS} numbers
 * in one Int32Array (the kind, an index into the engine's `kinds`, or -1 when the record is a
 * whole Diagnostic: a finding with code-point columns, a fix, or in another file; line, column,
 * endLine, endColumn, offset start and end, -1: no offset; the two numbers of a deferred
 * report), its message (or that Diagnostic, or the FindingText that makes its message and related
 * locations when it is written) in an array, and its related locations, which few findings have
 * now, in a map. (The numbers were slots of one array with the message: pushing nine values per
 * finding into an array of a million and more was most of what reporting a finding cost.)
 */
const NUMS = 9;
const K_LINE = 1;
const K_COLUMN = 2;
const K_END_LINE = 3;
const K_END_COLUMN = 4;
const K_START = 5;
const K_END = 6;
const K_A = 7;
const K_B = 8;
/**
 * How many Diagnostic objects are made at a time when a file is written. Small: a batch is alive
 * while it is written, so at each young-generation collection the collector copies what is left of
 * it (findings, messages, related locations); with 4,096 that was most of what it copied on a
 * file of 60,000 findings (the instructions of a 250,000-line lint: 17.2–17.8 G at 4,096, 16.8 G
 * at 64; a batch costs one array and one step of the generator).
 */
const BATCH = 64;

interface Kind { readonly code: string; readonly name: string; readonly severity: Severity }

/** Places a FindingText's related locations for the finding of numbers a, b (undefined: none). */
type Relate = (text: FindingText, a: number, b: number, kind: Kind, file: string) => RelatedLocation[] | undefined;

/**
 * A deferred finding's message, text.message(a, b); a rule that throws there gets its finding
 * kept with a message saying so (the finding was found; only its words are missing), as a rule
 * that throws in check gets an LC900 finding.
 */
function messageOf(text: FindingText, a: number, b: number, kind: Kind): string {
  try {
    return text.message(a, b);
  } catch (e) {
    return `rule ${kind.code} ${kind.name} failed to word this finding: ${(e as Error)?.message ?? String(e)}. This is a bug in limitsctl; please report it with the file.`;
  }
}

/** A file's findings as records (see {@link NUMS}); record r is the r-th added. */
class Records {
  /** how many records */
  n = 0;
  private nums = new Int32Array(NUMS * 16);
  /** record r's message, its whole Diagnostic (kind -1), or the FindingText that makes its message */
  private readonly refs: Array<string | Diagnostic | FindingText | undefined> = [];
  /** record → its related locations (only records that have some) */
  private related: Map<number, RelatedLocation[]> | null = null;

  add(kind: number, line: number, column: number, endLine: number, endColumn: number, start: number, end: number, message: string | Diagnostic | FindingText, related: RelatedLocation[] | undefined, ta = 0, tb = 0): void {
    let nums = this.nums;
    const at = this.n * NUMS;
    if (at + NUMS > nums.length) {
      const more = new Int32Array(nums.length * 2);
      more.set(nums);
      this.nums = nums = more;
    }
    nums[at] = kind;
    nums[at + K_LINE] = line;
    nums[at + K_COLUMN] = column;
    nums[at + K_END_LINE] = endLine;
    nums[at + K_END_COLUMN] = endColumn;
    nums[at + K_START] = start;
    nums[at + K_END] = end;
    nums[at + K_A] = ta;
    nums[at + K_B] = tb;
    this.refs[this.n] = message;
    if (related !== undefined) (this.related ??= new Map()).set(this.n, related);
    this.n++;
  }

  /**
   * Empties it for the next file, keeping its number array and the capacity of its message
   * array (emptied), so that a tree's files reuse one set of arrays instead of growing new ones
   * file after file: a grown array left behind is freed only by a full collection, and until
   * then it is memory the process holds.
   */
  reset(): void {
    this.refs.fill(undefined, 0, this.n);
    this.related = null;
    this.n = 0;
  }

  /** a finding kept whole */
  whole(d: Diagnostic): void {
    this.add(-1, 0, 0, 0, 0, 0, 0, d, undefined);
  }

  /** record r of `from`, added here */
  copy(from: Records, r: number): void {
    const k = r * NUMS;
    const x = from.nums;
    this.add(x[k]!, x[k + K_LINE]!, x[k + K_COLUMN]!, x[k + K_END_LINE]!, x[k + K_END_COLUMN]!, x[k + K_START]!, x[k + K_END]!, from.refs[r]!, from.related?.get(r), x[k + K_A]!, x[k + K_B]!);
  }

  /** record r's kind (-1: kept whole) */
  kind(r: number): number {
    return this.nums[r * NUMS]!;
  }

  /** record r's Diagnostic when kept whole, else null */
  wholeAt(r: number): Diagnostic | null {
    return this.nums[r * NUMS] === -1 ? this.refs[r] as Diagnostic : null;
  }

  line(r: number): number {
    const k = r * NUMS;
    return this.nums[k] === -1 ? (this.refs[r] as Diagnostic).line : this.nums[k + K_LINE]!;
  }

  column(r: number): number {
    const k = r * NUMS;
    return this.nums[k] === -1 ? (this.refs[r] as Diagnostic).column : this.nums[k + K_COLUMN]!;
  }

  message(r: number, kinds: readonly Kind[]): string {
    const x = this.refs[r]!;
    if (typeof x === 'string') return x;
    const k = r * NUMS;
    const kind = this.nums[k]!;
    return kind === -1 ? (x as Diagnostic).message : messageOf(x as FindingText, this.nums[k + K_A]!, this.nums[k + K_B]!, kinds[kind]!);
  }

  /**
   * record r as a Diagnostic (the members in the order the type lists them, as lintTarget always
   * made them); a deferred record's message and related locations are made now, the related ones
   * placed by `relate`
   */
  diagnostic(r: number, kinds: readonly Kind[], file: string, relate: Relate): Diagnostic {
    const a = this.nums;
    const k = r * NUMS;
    const kind = a[k]!;
    if (kind === -1) return this.refs[r] as Diagnostic;
    const x = kinds[kind]!;
    // (32-bit integers, not doubles: a double in a new object's field is a HeapNumber of its own)
    const line = a[k + K_LINE]!;
    const column = a[k + K_COLUMN]!;
    const endLine = a[k + K_END_LINE]!;
    const endColumn = a[k + K_END_COLUMN]!;
    const start = a[k + K_START]!;
    const ref = this.refs[r]!;
    let message: string;
    let related: RelatedLocation[] | undefined;
    if (typeof ref === 'string') {
      message = ref;
      related = this.related?.get(r);
    } else {
      const ta = a[k + K_A]!;
      const tb = a[k + K_B]!;
      message = messageOf(ref as FindingText, ta, tb, x);
      related = relate(ref as FindingText, ta, tb, x, file);
    }
    if (related === undefined) {
      return start >= 0
        ? { code: x.code, rule: x.name, severity: x.severity, message, file, line, column, endLine, endColumn, offset: { start, end: a[k + K_END]! } }
        : { code: x.code, rule: x.name, severity: x.severity, message, file, line, column, endLine, endColumn };
    }
    return start >= 0
      ? { code: x.code, rule: x.name, severity: x.severity, message, file, line, column, endLine, endColumn, offset: { start, end: a[k + K_END]! }, related }
      : { code: x.code, rule: x.name, severity: x.severity, message, file, line, column, endLine, endColumn, related };
  }
}

/**
 * Records `from` to `to` (exclusive) of `a`, in `order` (null: as they are), as Diagnostic objects.
 * A plain function of its own, not a loop in the generator that yields them: V8 optimises a
 * function once it has run a while in proportion to its size, and the generator's loop ran the
 * first ~13,000 findings of a file unoptimised.
 */
function batchOf(a: Records, order: Int32Array | null, from: number, to: number, kinds: readonly Kind[], path: string, relate: Relate): Diagnostic[] {
  const out = new Array<Diagnostic>(to - from);
  for (let r = from; r < to; r++) out[r - from] = a.diagnostic(order === null ? r : order[r]!, kinds, path, relate);
  return out;
}

/**
 * Records numbers of `a` in the order of {@link byPosition} (line, column, code, message; equal
 * ones in the order they came), as sortFindings orders Diagnostic objects; null when they are in
 * that order already. `cmp` compares two records by that order.
 */
function sortRecords(a: Records, n: number, cmp: (i: number, j: number) => number): Int32Array | null {
  let i = 1;
  while (i < n && cmp(i - 1, i) <= 0) i++;
  if (i >= n) return null;
  let lo = a.line(0);
  let hi = lo;
  for (let r = 1; r < n; r++) {
    const line = a.line(r);
    if (line < lo) lo = line; else if (line > hi) hi = line;
  }
  const width = hi - lo + 1;
  if (!(Number.isInteger(lo) && Number.isInteger(hi)) || width > 4 * n + 1024) {
    const order = Array.from({ length: n }, (_, r) => r).sort(cmp); // stable
    return Int32Array.from(order);
  }
  const next = new Int32Array(width + 1);
  for (let r = 0; r < n; r++) next[a.line(r) - lo + 1]!++;
  for (let w = 1; w <= width; w++) next[w]! += next[w - 1]!;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[next[a.line(r) - lo]!++] = r;
  let from = 0;
  for (let w = 0; w < width; w++) {
    const to = next[w]!;
    if (to - from > 16) {
      const part = Array.from(out.subarray(from, to)).sort(cmp); // stable
      out.set(part, from);
    } else if (to - from > 1) {
      // a line's records by column, code and message: insertion (stable), usually one or two
      for (let x = from + 1; x < to; x++) {
        const v = out[x]!;
        let y = x - 1;
        while (y >= from && cmp(out[y]!, v) > 0) { out[y + 1] = out[y]!; y--; }
        out[y + 1] = v;
      }
    }
    from = to;
  }
  return out;
}

/**
 * A target's findings, file by file, as `lintTarget` lists them (the same findings in the same
 * order: files in reading order, then ignored files, then any other path by name; within a file
 * by line, column, code and message). Iterating it lints: rules of scope 'file' run once per file
 * and that file's findings are yielded before the next file is checked, so what is held is one
 * file's findings plus those of the tree-wide rules (the analysis rules that say which line never
 * wins), not every finding of the tree. Iterate it once.
 */
export interface LintStream extends Iterable<readonly Diagnostic[]> {
  /** display paths of the files looked at (parsed, missing or ignored), in order */
  readonly files: readonly string[];
  /** findings silenced by limitsctl-disable comments so far (every one, once iterated to the end) */
  readonly suppressed: number;
}

/** Lint one target with the rules enabled by `config`, every finding in one array. */
export function lintTarget(target: LintTarget, config: LintConfig = {}, rules: readonly Rule[] = RULES): LintResult {
  const stream = lintTargetStream(target, config, rules);
  const diagnostics: Diagnostic[] = [];
  for (const part of stream) for (const d of part) diagnostics.push(d);
  return { diagnostics, files: stream.files, suppressed: stream.suppressed };
}

/** Lint one target with the rules enabled by `config`, its findings file by file (LintStream). */
export function lintTargetStream(target: LintTarget, config: LintConfig = {}, rules: readonly Rule[] = RULES): LintStream {
  const tree = target.tree;
  // every file looked at: those pam_limits reads, those it ignores, and the unusable ones
  // (etc/passwd, os-release, …) a finding may name, so "in N of M files" counts them all
  const files = [...new Set([...tree.files.map((f) => f.path), ...tree.ignored.map((f) => f.path), ...(tree.unusable ?? []).map((u) => u.path)])]
    .filter((p) => target.only === undefined || target.only.has(p));
  const state = { suppressed: 0 };
  return {
    files,
    get suppressed() { return state.suppressed; },
    [Symbol.iterator]: () => findingsByFile(target, config, rules, state),
  };
}

function* findingsByFile(target: LintTarget, config: LintConfig, rules: readonly Rule[], state: { suppressed: number }): Generator<readonly Diagnostic[], void, undefined> {
  const tree = target.tree;
  const nrOpen = target.nrOpen ?? DEFAULT_NR_OPEN;
  const policy = config.policy ?? EMPTY_POLICY;
  const profile = canonicalProfile(tree.profile);
  const analysis = new Analysis({
    tree, profile, accounts: target.accounts, nrOpen, policy, budget: config.analysisBudget ?? DEFAULT_ANALYSIS_BUDGET,
  });
  const docs = tree.files.filter((f): f is TreeFile & { doc: LimitsDocument } => f.doc !== null).map((file) => ({ file, doc: file.doc }));
  const firstFile = tree.files[0]?.path ?? tree.ignored[0]?.path ?? '<none>';

  // findings of the tree-wide rules, by file, until that file is written; while the rules of
  // scope 'file' check a file, its findings go to `current` (records: see NUMS)
  const held = new Map<string, Records>();
  let current: Records | null = null;
  /** the records of the file written last, emptied, for the next file (Records.reset) */
  let spare: Records | null = null;
  let currentPath: string | null = null;
  const written = new Set<string>();
  /** the records of `file`'s findings, or null when it goes in whole (another file's finding while `current` is written: see push) */
  const listOf = (file: string): Records | null => {
    if (current !== null && file === currentPath) return current;
    let list = held.get(file);
    // a file already written (a rule of scope 'file' reporting outside its file: a rule bug)
    // gets it with the file being written, rather than losing it
    if (!list && current !== null && written.has(file)) return null;
    if (!list) held.set(file, (list = new Records()));
    return list;
  };
  const push = (d: Diagnostic) => {
    (listOf(d.file) ?? current!).whole(d);
  };
  const kinds: Kind[] = [];

  const internal = (rule: Rule, what: string, file: string = firstFile) => {
    const sev = severityOf(RULE_ERROR, config);
    if (sev === 'off') return;
    push({
      code: RULE_ERROR.code, rule: RULE_ERROR.name, severity: sev, file, line: 1, column: 1, endLine: 1, endColumn: 1,
      message: `rule ${rule.code} ${rule.name} failed: ${what}. This is a bug in limitsctl; please report it with the file.`,
    });
  };

  const threw = (e: unknown) => `it threw ${(e as Error)?.stack?.split('\n').slice(0, 2).join(' ') ?? String(e)}`;
  // a deferred finding's related locations, placed when it is written; one the rule gave that
  // cannot be placed (a rule bug) is left out and said in an LC900 finding, written after the
  // file's other findings (`late`), where the eager path makes the whole finding an LC900
  const late: Diagnostic[] = [];
  const relate: Relate = (text, a, b, x, file) => {
    if (text.related === undefined) return undefined;
    const bug = (what: string): void => {
      const sev = severityOf(RULE_ERROR, config);
      if (sev !== 'off') {
        late.push({
          code: RULE_ERROR.code, rule: RULE_ERROR.name, severity: sev, file, line: 1, column: 1, endLine: 1, endColumn: 1,
          message: `rule ${x.code} ${x.name} failed: ${what}. This is a bug in limitsctl; please report it with the file.`,
        });
      }
    };
    let rel: RuleReport['related'];
    try {
      rel = text.related(a, b);
    } catch (e) {
      bug(threw(e));
      return undefined;
    }
    if (rel === undefined || rel.length === 0) return undefined;
    const out: RelatedLocation[] = [];
    for (const y of rel) {
      try {
        place(docOf(target, y.file), y.span);
      } catch (e) {
        bug(`it reported an invalid position (${(e as Error).message})`);
        continue;
      }
      out.push({ file: pathOf(y.file), line: placedLine, column: placedColumn, endLine: placedEndLine, endColumn: placedEndColumn, message: y.message });
    }
    return out.length > 0 ? out : undefined;
  };

  /** a report's related locations placed (undefined: none); throws on one outside its file */
  const placeRelated = (rel: RuleReport['related']): RelatedLocation[] | undefined => (rel === undefined || rel.length === 0 ? undefined : rel.map((x) => {
    place(docOf(target, x.file), x.span);
    return { file: pathOf(x.file), line: placedLine, column: placedColumn, endLine: placedEndLine, endColumn: placedEndColumn, message: x.message };
  }));

  // one report function per rule (a rule of scope 'file' gets a context per file; the function is shared)
  const reportOf = (rule: Rule, severity: Severity) => {
    const code = rule.code;
    const name = rule.name;
    const kind = kinds.length;
    kinds.push({ code, name, severity });
    return (r: RuleReport | DeferredReport): void => {
      // run for every finding: no spread copies, no position or finding object (a record of
      // numbers; see NUMS), no array unless there are related locations
      const f = r.file;
      let fDoc: LimitsDocument | null;
      let fPath: string;
      if (typeof f === 'string') { fDoc = docOf(target, f); fPath = f; } else { fDoc = f.doc; fPath = f.path; }
      try {
        place(fDoc, r.span);
        const text = (r as Partial<DeferredReport>).text;
        const fix = r.fix;
        if (!placedText && fix === undefined) {
          const line = placedLine;
          const column = placedColumn;
          const endLine = placedEndLine;
          const endColumn = placedEndColumn;
          const start = placedOffset ? placedStart : -1;
          const end = placedEnd;
          // a deferred finding is held as numbers (its words and related locations are made when
          // it is written); another's related locations are placed after its own position is copied
          const held = text ?? (r as RuleReport).message;
          const related = text !== undefined ? undefined : placeRelated((r as RuleReport).related);
          const ta = text !== undefined ? (r as DeferredReport).a : 0;
          const tb = text !== undefined ? (r as DeferredReport).b : 0;
          const list = listOf(fPath);
          if (list !== null) list.add(kind, line, column, endLine, endColumn, start, end, held, related, ta, tb);
          else {
            const one = new Records();
            one.add(kind, line, column, endLine, endColumn, start, end, held, related, ta, tb);
            current!.whole(one.diagnostic(0, kinds, fPath, relate));
          }
          return;
        }
        // a deferred finding that cannot wait (a fix, code-point columns) is worded now
        const message = text !== undefined ? messageOf(text, (r as DeferredReport).a, (r as DeferredReport).b, kinds[kind]!) : (r as RuleReport).message;
        const rel = text !== undefined ? text.related?.((r as DeferredReport).a, (r as DeferredReport).b) : (r as RuleReport).related;
        const d: Mutable<Diagnostic> = {
          code, rule: name, severity, message, file: fPath,
          line: placedLine, column: placedColumn, endLine: placedEndLine, endColumn: placedEndColumn,
        };
        if (placedText) d.text = { column: placedTextColumn, endColumn: placedTextEndColumn };
        if (placedOffset) d.offset = { start: placedStart, end: placedEnd };
        // (related locations are placed after the finding's own position is copied into d)
        const related = placeRelated(rel);
        if (fix) {
          const len = fDoc?.text.length ?? 0;
          for (const e of fix) {
            if (!fDoc || e.offset < 0 || e.length < 0 || e.offset + e.length > len) throw new RangeError(`fix edit at ${e.offset}+${e.length} is outside ${fPath}`);
          }
          if (fix.length > 0) d.fix = fix;
        }
        if (related !== undefined) d.related = related;
        push(d);
      } catch (e) {
        internal(rule, `it reported an invalid position (${(e as Error).message})`, fPath);
      }
    };
  };
  const contextOf = (report: RuleContext['report'], ruleDocs: RuleContext['docs']): RuleContext => ({
    tree, profile, accounts: target.accounts, nrOpen, nrOpenSource: target.nrOpenSource ?? null, capSysResource: target.capSysResource ?? null, startingLimits: target.startingLimits ?? null, policy, standalone: target.standalone === true,
    ...(target.only !== undefined ? { only: target.only } : {}),
    analysis, docs: ruleDocs, report,
  });

  const perFile: Array<{ rule: Rule; report: RuleContext['report'] }> = [];
  try {
    for (const rule of rules) {
      const severity = severityOf(rule, config);
      if (severity === 'off') continue;
      if (rule.scope === 'file') { perFile.push({ rule, report: reportOf(rule, severity) }); continue; }
      try {
        rule.check(contextOf(reportOf(rule, severity), docs));
      } catch (e) {
        internal(rule, threw(e));
      }
    }

    // the files in the order findings are sorted by: tree files, then ignored ones (first
    // occurrence of a path), each with its documents
    const byPath = new Map<string, Array<{ file: TreeFile; doc: LimitsDocument }>>();
    for (const f of tree.files) if (!byPath.has(f.path)) byPath.set(f.path, []);
    for (const f of tree.ignored) if (!byPath.has(f.path)) byPath.set(f.path, []);
    for (const x of docs) byPath.get(x.file.path)!.push(x);
    const failed = new Set<Rule>(); // a rule of scope 'file' that threw is not run on later files
    const unknownSev = severityOf({ code: UNKNOWN_SUPPRESSION.code, severity: 'warning' }, config);
    const codeOf = (a: Records, r: number): string => {
      const kind = a.kind(r);
      return kind === -1 ? a.wholeAt(r)!.code : kinds[kind]!.code;
    };
    /**
     * A file's records as findings, in batches: those not silenced by limitsctl-disable comments
     * (counted in state.suppressed), none when the file is not shown, sorted by {@link byPosition}.
     */
    function* finish(path: string, list: Records, dirs: Silenced | undefined): Generator<readonly Diagnostic[], void, undefined> {
      const shown = target.only === undefined || target.only.has(path);
      let a = list;
      if (dirs !== undefined || !shown) {
        a = new Records();
        for (let r = 0; r < list.n; r++) {
          const code = codeOf(list, r);
          if (dirs !== undefined && code !== UNKNOWN_SUPPRESSION.code && silencedAt(dirs, code, list.line(r))) { state.suppressed++; continue; }
          if (shown) a.copy(list, r);
        }
      }
      const n = a.n;
      if (n === 0) return;
      const cmp = (i: number, j: number): number => (a.line(i) - a.line(j))
        || (a.column(i) - a.column(j))
        || compareStrings(codeOf(a, i), codeOf(a, j))
        || compareStrings(a.message(i, kinds), a.message(j, kinds));
      const order = sortRecords(a, n, cmp);
      for (let from = 0; from < n; from += BATCH) yield batchOf(a, order, from, Math.min(n, from + BATCH), kinds, path, relate);
      // related locations a rule gave for a deferred finding that could not be placed (a rule bug)
      if (late.length > 0) yield late.splice(0);
    }

    for (const [path, pathDocs] of byPath) {
      currentPath = path;
      current = held.get(path) ?? spare ?? new Records();
      spare = null;
      held.delete(path);
      // one docs array per document, shared by the rules (readings(ctx) lists a docs array's
      // readings once, whichever rule asks first)
      const singles = pathDocs.map((x) => [x]);
      for (const { rule, report } of perFile) {
        if (failed.has(rule)) continue;
        for (const one of singles) {
          try {
            rule.check(contextOf(report, one));
          } catch (e) {
            failed.add(rule);
            internal(rule, threw(e), path);
            break;
          }
        }
      }
      // limitsctl-disable comments (the last document of a path with any is the one that counts)
      let dirs: Silenced | undefined;
      for (const { doc } of pathDocs) {
        const { directives, unknown } = readDirectives(doc);
        if (directives.length > 0) dirs = silenced(directives);
        if (unknownSev !== 'off') {
          for (const u of unknown) {
            const pos = locate(doc, u.span);
            push({
              code: UNKNOWN_SUPPRESSION.code, rule: UNKNOWN_SUPPRESSION.name, severity: unknownSev, file: path, ...pos,
              message: `limitsctl-disable names '${u.name}', which is no rule code or name; it silences nothing. Use a code like LC202 or a name like duplicate-entry (docs/rules.md)`,
            });
          }
        }
      }
      const list: Records = current;
      current = null;
      currentPath = null;
      written.add(path);
      yield* finish(path, list, dirs);
      // its findings are written: the next file's go into the same arrays
      list.reset();
      spare = list;
    }
    // findings in any other path (none of the tree's files), by name
    const rest = [...held.keys()].sort(compareStrings);
    for (const path of rest) {
      const list = held.get(path)!;
      held.delete(path);
      yield* finish(path, list, undefined);
    }
  } finally {
    lastDoc = null; // hold no document of this target after it
    lastIndex = null;
    hintStarts = null;
    hint = 0;
  }
}
