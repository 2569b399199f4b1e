/**
 * Facts several rules share, computed once per lint target and only when a rule asks:
 *
 * - `dead()`: lines proven dead without looking at any account: a later line with the *same
 *   domain* and item covers every half this line sets, so pam_limits always replaces its value
 *   (see `findDeadLines` for the proof and for when removing the line is also safe). Typed
 *   arrays by reading order (EntryRef.order), as every per-entry fact here: entries are found by
 *   their order (entryAt) or, from a resolver Source, by a binary search in their file (refOf).
 * - `item(key)`: what pam_limits does with one item's lines (plus `<domain> -` lines) for a set
 *   of accounts: per account class, process_limit's rank rules applied per (domain, item) group
 *   (analysis/item.ts), and the resolver (resolveLimits) on the lines holding the final values.
 *   The accounts are the tree's own (etc/passwd) plus hypothetical ones. When affordable the hypothetical accounts cover
 *   *every* combination of the facts the item's lines test (user name, uid and primary gid
 *   intervals, membership of each group named), so "this line never wins" holds for every
 *   possible account; otherwise the analysis is marked not exhaustive and such claims are not
 *   made.
 *
 * The Analysis class (the lazy, per-target cache) lives here; its parts live in analysis/:
 * types.ts (item keys, references, results), dead-lines.ts, accounts.ts (which accounts are
 * resolved), item.ts (the per-item pass) and describe.ts (how findings name accounts).
 *
 * Pure.
 */
import type { DomainSpec } from '../domain.js';
import type { ConfigTree, EntryReading, Line, TreeFile } from '../model.js';
import { contentAt, entryRaw, readingAt, readingKindAt } from '../parse.js';
import type { Profile } from '../schema.js';
import { identitiesOf } from './analysis/accounts.js';
import { deadLinesOf } from './analysis/dead-lines.js';
import { E_ACTIVE, E_COVERS_SOFT, E_DASH, E_HARD, E_MAXLOGINS, E_PLAIN, E_SOFT, E_VALID } from './analysis/flags.js';
import { analyseItem } from './analysis/item.js';
import {
  type AccountCase, type DeadLine, type DeadLines, type EntryRef, type ItemAnalysis, type ItemKey, itemKeyOf, type NoLimitRef,
} from './analysis/types.js';
import type { LintAccounts } from './types.js';
import type { Policy } from './policy.js';

export { identitiesOf } from './analysis/accounts.js';
export { findDeadLines } from './analysis/dead-lines.js';
export { E_COVERS_SOFT, E_DASH, E_HARD, E_MAXLOGINS, E_PLAIN, E_SOFT, E_VALID } from './analysis/flags.js';
export { describeAccount, describeAccounts, describeWho, domainMatches, rootExempt } from './analysis/describe.js';
export {
  type AccountCase, type AccountOutcome, type DeadLine, type DeadLines, type EntryRef, type HalfValue, type ItemAnalysis, type ItemKey,
  entryKey, itemKeyOf, type NoLimitRef, sourceKey,
} from './analysis/types.js';

export interface AnalysisOptions {
  readonly tree: ConfigTree;
  readonly profile: Profile;
  readonly accounts: LintAccounts | null;
  readonly nrOpen: bigint;
  readonly policy: Policy;
  /**
   * account classes per item (combinations of the facts its lines test) above which the
   * analysis resolves only the tree's accounts and one witness per domain; not a limit in lines
   */
  readonly budget: number;
}

/** Per-entry facts in typed arrays, by index in Analysis.entries (one walk of the entries). */
export interface EntryColumns {
  /** the entry's domain text, interned: an index into domainSpecs */
  readonly domain: Int32Array;
  /** per domain id, the domain of its first entry */
  readonly domainSpecs: readonly DomainSpec[];
  /** 1 when resolveLimits acts on the entry: no problem, or only a '%' domain (skipped per item) */
  readonly active: Uint8Array;
  /** 1 when the entry has no problem at all (its reading's `problem` is null) */
  readonly valid: Uint8Array;
  /** the entry's item key, as an index into Analysis.itemKeys(); -1 when its item is unknown */
  readonly item: Int32Array;
  /**
   * per entry, its E_* bits: its type (E_SOFT, E_HARD, E_DASH), E_VALID (no problem), E_COVERS_SOFT
   * (valid, and a soft or `-` line or an item without types), E_MAXLOGINS, E_PLAIN (plainAt)
   */
  readonly flags: Uint8Array;
  /** per entry with a known item: its item text (any letter case), interned: 0 .. itemTexts - 1 */
  readonly itemText: Int32Array;
  /** how many item texts itemText numbers */
  readonly itemTexts: number;
  /** per item id: 1 when its rlimit halves are ranked separately (ItemInfo.ranked, not the login slot) */
  readonly rankedItem: Uint8Array;
  /** index in tree.files of the first file pam_limits cannot read, or -1 */
  readonly fatalAt: number;
  /** readings of this order or later come after that file (Infinity: none) */
  readonly fatalOrder: number;
}

/** A run of one item's entries in one file: itemEntries(key)[from .. to - 1]. */
export interface ItemRun {
  readonly key: ItemKey;
  readonly from: number;
  readonly to: number;
}

/**
 * The entries of a tree as columns, by entry index (reading order of the entries alone): no
 * object per entry (an EntryRef is made when asked for: refAt, entryAt). A 1,000,000-line tree
 * kept one 72-byte EntryRef per entry, its largest part after the parsed lines themselves.
 */
interface EntryTable {
  /** the files with a document, in reading order (fileOf indexes it) */
  readonly files: readonly TreeFile[];
  /** files[f].doc.lines */
  readonly lines: ReadonlyArray<readonly Line[]>;
  /** per entry: index in `files` */
  readonly fileOf: Uint16Array | Int32Array;
  /** per entry: index of its line in its document */
  readonly lineOf: Int32Array;
  /** per entry: its chunk (index in line.readings); null when every entry is chunk 0 */
  readonly chunkOf: Int32Array | null;
  /** per entry: its reading order; null when it is the entry index (no `<domain> -` line) */
  readonly orderOf: Int32Array | null;
  /** per reading order: its entry index, -1 for a `<domain> -` line; null when the same (see orderOf) */
  readonly indexOfOrder: Int32Array | null;
  readonly count: number;
  /** how many reading orders there are */
  readonly size: number;
}

/** A growable Uint8Array (as Ints). */
class Bytes {
  a: Uint8Array;
  n = 0;
  constructor(capacity: number) { this.a = new Uint8Array(Math.max(16, capacity)); }
  push(x: number): void {
    if (this.n === this.a.length) { const g = new Uint8Array(this.a.length * 2); g.set(this.a); this.a = g; }
    this.a[this.n++] = x;
  }

  exact(): Uint8Array { return this.n === this.a.length ? this.a : this.a.slice(0, this.n); }
}

/** A growable Int32Array (`a` grows by doubling; `n` used), cut to its exact length at the end. */
class Ints {
  a: Int32Array;
  n = 0;
  constructor(capacity: number) { this.a = new Int32Array(Math.max(16, capacity)); }
  push(x: number): void {
    if (this.n === this.a.length) { const g = new Int32Array(this.a.length * 2); g.set(this.a); this.a = g; }
    this.a[this.n++] = x;
  }

  exact(): Int32Array { return this.n === this.a.length ? this.a : this.a.slice(0, this.n); }
}

const NO_INDEXES = new Int32Array(0);

/** What Analysis.#scan gathers while it walks the documents (scanLines adds one document's lines). */
class Scan {
  readonly nolimits: NoLimitRef[] = [];
  readonly fileOf: Ints;
  readonly lineOf: Ints;
  chunkOf: Ints | null = null;
  /** the orders of the entries, kept once a `<domain> -` line makes them differ from the index */
  orderOf: Ints | null = null;
  // the per-entry columns (EntryColumns), read in the same walk: each reading is looked at once
  readonly domain: Ints;
  readonly item: Ints;
  readonly itemText: Ints;
  readonly flags: Bytes;
  readonly domainIds = new Map<string, number>();
  readonly domainSpecs: DomainSpec[] = [];
  readonly itemIds = new Map<ItemKey, number>();
  readonly textIds = new Map<string, number>();
  readonly ranked: number[] = [];
  order = 0;
  constructor(readonly capacity: number) {
    this.fileOf = new Ints(capacity);
    this.lineOf = new Ints(capacity);
    this.domain = new Ints(capacity);
    this.item = new Ints(capacity);
    this.itemText = new Ints(capacity);
    this.flags = new Bytes(capacity);
  }
}

/**
 * The readings of one document's lines into the scan (`f`: the document's index in the table's
 * files). A function per document, not the body of #scan's loop: V8 optimises it as it is called
 * (and, in one long document, its loop alone), not the whole of #scan.
 */
function scanLines(st: Scan, file: TreeFile, doc: NonNullable<TreeFile['doc']>, lines: readonly Line[], f: number): void {
  const { fileOf, lineOf, domain, item, itemText, flags, domainIds, domainSpecs, itemIds, textIds } = st;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    for (let chunk = 0; ; chunk++) {
      // (contentAt: a blank or comment line's reading object is never made here)
      const r = contentAt(line, chunk);
      if (r === undefined) break;
      if (r === null) continue;
      if (r.kind === 'entry') {
        if (chunk > 0 && st.chunkOf === null) { st.chunkOf = new Ints(st.capacity); st.chunkOf.n = lineOf.n; }
        fileOf.push(f);
        lineOf.push(l);
        st.chunkOf?.push(chunk);
        st.orderOf?.push(st.order);
        st.order++;
        const raw = entryRaw(r, 0);
        let d = domainIds.get(raw);
        if (d === undefined) { domainIds.set(raw, (d = domainSpecs.length)); domainSpecs.push(r.domainSpec); }
        domain.push(d);
        const type = r.limitType;
        let fl = type === 'soft' ? E_SOFT : type === 'hard' ? E_HARD : type === '-' ? E_DASH : 0;
        const p = r.problem;
        if (!p) fl |= E_VALID | E_ACTIVE; else if (p.code === 'percent-domain') fl |= E_ACTIVE;
        if (chunk === 0 && readingKindAt(line, 1) === undefined && line.other === undefined) fl |= E_PLAIN;
        const info = r.itemInfo;
        if (!info) { item.push(-1); itemText.push(-1); flags.push(fl); continue; }
        if (info.name === 'maxlogins') fl |= E_MAXLOGINS;
        if (fl & E_VALID && (fl & (E_SOFT | E_DASH) || !info.typeChecked)) fl |= E_COVERS_SOFT;
        flags.push(fl);
        const k = itemKeyOf(info);
        let id = itemIds.get(k);
        if (id === undefined) { itemIds.set(k, (id = itemIds.size)); st.ranked.push(info.ranked && k !== 'logins' ? 1 : 0); }
        item.push(id);
        const tx = r.itemText;
        let t = textIds.get(tx);
        if (t === undefined) textIds.set(tx, (t = textIds.size));
        itemText.push(t);
      } else if (r.kind === 'nolimit') {
        if (st.orderOf === null) { const o = (st.orderOf = new Ints(st.capacity)); for (let i = 0; i < lineOf.n; i++) o.push(i); }
        st.nolimits.push({ file, doc, line, reading: r, chunk, order: st.order++ });
      }
    }
  }
}

// The loops over every entry are small functions of their own, not parts of one method: V8
// optimises a long loop while it runs (on-stack replacement) by compiling the whole function it
// is in, and a method of several such loops was compiled once per loop, each time also the code
// after the loop it had no type feedback for yet (then thrown away when reached).

/** 1 where flags[i] has `bit`, for i < n. */
function bitColumn(flags: Uint8Array, n: number, bit: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (flags[i]! & bit) out[i] = 1;
  return out;
}

/**
 * Analysis.itemRuns of every file: one walk of the item column in reading order (each file's
 * entries are one range of it, `ranges`): per file, the items met (ascending ids) and where their
 * run starts and ends in the item's list.
 */
function runsByFile(ranges: ReadonlyMap<TreeFile, { lo: number; hi: number }>, item: Int32Array, keys: readonly ItemKey[]): Map<TreeFile, ItemRun[]> {
  const m = new Map<TreeFile, ItemRun[]>();
  const next = new Int32Array(keys.length);
  const start = new Int32Array(keys.length);
  const seen = new Int32Array(keys.length).fill(-1);
  let fileNo = 0;
  const met: number[] = [];
  for (const [f, r] of ranges) {
    met.length = 0;
    for (let i = r.lo; i < r.hi; i++) {
      const id = item[i]!;
      if (id < 0) continue;
      if (seen[id] !== fileNo) {
        seen[id] = fileNo;
        start[id] = next[id]!;
        // kept ascending as met (an insertion: a file names a few items)
        let j = met.length;
        met.push(id);
        while (j > 0 && met[j - 1]! > id) { met[j] = met[j - 1]!; j--; }
        met[j] = id;
      }
      next[id]!++;
    }
    fileNo++;
    if (met.length === 0) continue;
    const runs: ItemRun[] = [];
    for (let j = 0; j < met.length; j++) { const id = met[j]!; runs.push({ key: keys[id]!, from: start[id]!, to: next[id]! }); }
    m.set(f, runs);
  }
  return m;
}

/** Per item id (0 .. ids - 1), the entry indexes i < n with item[i] === id, ascending (a counting sort). */
function listsByItem(item: Int32Array, n: number, ids: number): Int32Array[] {
  const sizes = new Int32Array(ids);
  for (let i = 0; i < n; i++) { const id = item[i]!; if (id >= 0) sizes[id]!++; }
  const lists: Int32Array[] = [];
  for (let id = 0; id < ids; id++) lists.push(new Int32Array(sizes[id]!));
  const fill = new Int32Array(ids);
  for (let i = 0; i < n; i++) { const id = item[i]!; if (id >= 0) lists[id]![fill[id]!++] = i; }
  return lists;
}



export class Analysis {
  #table: EntryTable | null = null;
  #entries: EntryRef[] | null = null;
  #nolimits: NoLimitRef[] | null = null;
  #dead: DeadLines | null = null;
  #items = new Map<ItemKey, ItemAnalysis>();
  #realAccounts: AccountCase[] | null = null;

  constructor(readonly options: AnalysisOptions) {}

  #scan(): EntryTable {
    const files: TreeFile[] = [];
    const docLines: Array<readonly Line[]> = [];
    let capacity = 0;
    for (const file of this.options.tree.files) if (file.doc) capacity += file.doc.lines.length;
    const st = new Scan(capacity);
    for (const file of this.options.tree.files) {
      const doc = file.doc;
      if (!doc) continue;
      const f = files.length;
      files.push(file);
      const lines = doc.lines;
      docLines.push(lines);
      scanLines(st, file, doc, lines, f);
    }
    const { lineOf, fileOf, order } = st;
    const count = lineOf.n;
    const orders = st.orderOf?.exact() ?? null;
    let indexOfOrder: Int32Array | null = null;
    if (orders !== null) {
      indexOfOrder = new Int32Array(order).fill(-1);
      for (let i = 0; i < count; i++) indexOfOrder[orders[i]!] = i;
    }
    const fa = fileOf.exact();
    this.#nolimits = st.nolimits;
    this.#scanned = {
      domain: st.domain.exact(), domainSpecs: st.domainSpecs, flags: st.flags.exact(), item: st.item.exact(), itemText: st.itemText.exact(),
      itemTexts: st.textIds.size, itemIds: st.itemIds, rankedItem: Uint8Array.from(st.ranked),
    };
    return (this.#table = {
      files, lines: docLines, fileOf: files.length <= 0x10000 ? Uint16Array.from(fa) : fa, lineOf: lineOf.exact(),
      chunkOf: st.chunkOf?.exact() ?? null, orderOf: orders, indexOfOrder, count, size: order,
    });
  }

  /** the per-entry columns #scan reads with the table, until #byItem makes EntryColumns of them */
  #scanned: {
    domain: Int32Array; domainSpecs: DomainSpec[]; flags: Uint8Array; item: Int32Array; itemText: Int32Array;
    itemTexts: number; itemIds: Map<ItemKey, number>; rankedItem: Uint8Array;
  } | null = null;

  get #t(): EntryTable { return this.#table ?? this.#scan(); }

  /** How many entry readings the tree has (entry indexes are 0 .. count - 1, in reading order). */
  get count(): number { return this.#t.count; }

  /** The reading of entry `i` (its index in reading order of the entries). */
  readingAt(i: number): EntryReading {
    const t = this.#t;
    return readingAt(t.lines[t.fileOf[i]!]![t.lineOf[i]!]!, t.chunkOf === null ? 0 : t.chunkOf[i]!) as EntryReading;
  }

  /** The reading order (EntryRef.order) of entry `i`. */
  orderAt(i: number): number {
    const o = this.#t.orderOf;
    return o === null ? i : o[i]!;
  }

  /** The file of entry `i`. */
  fileAt(i: number): TreeFile {
    const t = this.#t;
    return t.files[t.fileOf[i]!]!;
  }

  /** The line of entry `i` (no EntryRef made: for the text of a finding, read per finding). */
  lineAt(i: number): Line {
    const t = this.#t;
    return t.lines[t.fileOf[i]!]![t.lineOf[i]!]!;
  }

  /** The 0-based line number of entry `i` in its file. */
  lineIndexAt(i: number): number {
    return this.#t.lineOf[i]!;
  }

  /** The chunk of entry `i` (index in its line's readings: 0 unless 1.5.2 split a long line). */
  chunkAt(i: number): number {
    const c = this.#t.chunkOf;
    return c === null ? 0 : c[i]!;
  }

  /** Entry `i` as an EntryRef: a new object at each call (compare refs by `order`, not identity). */
  refAt(i: number): EntryRef {
    const t = this.#t;
    const file = t.files[t.fileOf[i]!]!;
    const line = t.lines[t.fileOf[i]!]![t.lineOf[i]!]!;
    const chunk = t.chunkOf === null ? 0 : t.chunkOf[i]!;
    return { file, doc: file.doc!, line, reading: readingAt(line, chunk) as EntryReading, chunk, order: t.orderOf === null ? i : t.orderOf[i]! };
  }

  /** Whether entry `i` is the one reading of its line, read the same way by 1.5.2 and 1.7. */
  plainAt(i: number): boolean {
    const t = this.#t;
    if (t.chunkOf !== null && t.chunkOf[i] !== 0) return false;
    const line = t.lines[t.fileOf[i]!]![t.lineOf[i]!]!;
    return readingKindAt(line, 1) === undefined && line.other === undefined;
  }

  /**
   * Every entry reading of the tree, in reading order, as EntryRefs: made (and kept) on first
   * read, one object per entry. For tests and small trees: a rule walks entry indexes instead
   * (count, readingAt, orderAt, fileAt, refAt).
   */
  get entries(): readonly EntryRef[] {
    if (!this.#entries) {
      const n = this.count;
      const out = new Array<EntryRef>(n);
      for (let i = 0; i < n; i++) out[i] = this.refAt(i);
      this.#entries = out;
    }
    return this.#entries;
  }

  get nolimits(): readonly NoLimitRef[] {
    if (!this.#table) this.#scan();
    return this.#nolimits!;
  }

  /** How many reading orders there are (entries and `<domain> -` lines): the length of arrays by order. */
  get size(): number {
    return this.#t.size;
  }

  /** The entry of this reading order (EntryRef.order), or undefined (a `<domain> -` line, out of range): a new object at each call. */
  entryAt(order: number): EntryRef | undefined {
    const i = this.indexOf(order);
    return i < 0 ? undefined : this.refAt(i);
  }

  #fileRanges: Map<string, { lo: number; hi: number }> | null = null;
  #rangesByFile: Map<TreeFile, { lo: number; hi: number }> | null = null;

  #ranges(): void {
    const byPath = new Map<string, { lo: number; hi: number }>();
    const byFile = new Map<TreeFile, { lo: number; hi: number }>();
    const t = this.#t;
    const fileOf = t.fileOf;
    for (let i = 0; i < t.count;) {
      const f = fileOf[i]!;
      let j = i + 1;
      while (j < t.count && fileOf[j] === f) j++;
      const r = { lo: i, hi: j };
      const file = t.files[f]!;
      byFile.set(file, r);
      if (!byPath.has(file.path)) byPath.set(file.path, r);
      i = j;
    }
    this.#fileRanges = byPath;
    this.#rangesByFile = byFile;
  }

  /** The entries of one file: entry indexes lo .. hi - 1 (they are one run in reading order), or undefined. */
  entryRange(file: TreeFile): { readonly lo: number; readonly hi: number } | undefined {
    if (!this.#rangesByFile) this.#ranges();
    return this.#rangesByFile!.get(file);
  }

  /**
   * The reading orders of a file's entries: [lo, hi), or undefined when it has none. The files are
   * read one after another, so a file's entries (and its `<domain> -` lines between them) are one
   * run of orders: an entry of order `o` is in this file when lo <= o < hi.
   */
  orderRange(file: TreeFile): { readonly lo: number; readonly hi: number } | undefined {
    if (!this.#orderRanges) {
      const m = new Map<TreeFile, { lo: number; hi: number }>();
      if (!this.#rangesByFile) this.#ranges();
      for (const [f, r] of this.#rangesByFile!) m.set(f, { lo: this.orderAt(r.lo), hi: this.orderAt(r.hi - 1) + 1 });
      this.#orderRanges = m;
    }
    return this.#orderRanges.get(file);
  }

  #orderRanges: Map<TreeFile, { lo: number; hi: number }> | null = null;

  /**
   * The entry index a resolver Source (or `{ file, line, chunk }`: display path, 1-based line,
   * chunk) names, found by a binary search in its file's entries, or -1.
   */
  indexOfSource(s: { readonly file: string; readonly line: number; readonly chunk?: number }): number {
    if (!this.#fileRanges) this.#ranges();
    const r = this.#fileRanges!.get(s.file);
    if (!r) return -1;
    const t = this.#t;
    const lineOf = t.lineOf;
    const chunkOf = t.chunkOf;
    const chunk = s.chunk ?? 0;
    const line = s.line - 1;
    let lo = r.lo;
    let hi = r.hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ln = lineOf[mid]!;
      if (ln < line || (ln === line && (chunkOf === null ? 0 : chunkOf[mid]!) < chunk)) lo = mid + 1; else hi = mid;
    }
    return lo < r.hi && lineOf[lo] === line && (chunkOf === null ? 0 : chunkOf[lo]!) === chunk ? lo : -1;
  }

  /**
   * The entry a resolver Source (or `{ file, line, chunk }`: display path, 1-based line, chunk)
   * names, found by a binary search in its file's entries (no Map of every entry by a string key).
   */
  refOf(s: { readonly file: string; readonly line: number; readonly chunk?: number }): EntryRef | undefined {
    const i = this.indexOfSource(s);
    return i < 0 ? undefined : this.refAt(i);
  }

  /** The entry with this key (`file\0line\0chunk`, as sourceKey gives for a resolver Source). */
  ref(key: string): EntryRef | undefined {
    const [file, line, chunk] = key.split('\0');
    return this.refOf({ file: file!, line: Number(line), chunk: Number(chunk) });
  }

  /** Item keys named by valid entry lines, in order of first appearance. */
  itemKeys(): ItemKey[] {
    return [...this.#byItem().keys()];
  }

  #itemIndex: Map<ItemKey, Int32Array> | null = null;
  #columns: EntryColumns | null = null;

  #byItem(): Map<ItemKey, Int32Array> {
    if (!this.#itemIndex) {
      // the columns come from the walk of every entry (#scan); each item's entry indexes are
      // counted and filled from the item column
      const n = this.count; // (runs #scan)
      const { domain, domainSpecs, flags, item, itemText, itemTexts, itemIds, rankedItem } = this.#scanned!;
      this.#scanned = null;
      const active = bitColumn(flags, n, E_ACTIVE);
      const valid = bitColumn(flags, n, E_VALID);
      const lists = listsByItem(item, n, itemIds.size);
      const m = new Map<ItemKey, Int32Array>();
      for (const [k, id] of itemIds) m.set(k, lists[id]!);
      const files = this.options.tree.files;
      const fatalAt = files.findIndex((f) => f.fatal);
      // reading orders from the file pam_limits cannot read on (the files before it hold the lower ones)
      const fatalOrder = fatalAt >= 0 ? this.#fatalOrder(new Set(files.slice(0, fatalAt))) : Infinity;
      this.#columns = { domain, domainSpecs, active, valid, item, flags, itemText, itemTexts, rankedItem, fatalAt, fatalOrder };
      this.#itemIndex = m;
    }
    return this.#itemIndex;
  }

  /** the first reading order after the readings of the files `before` (0: none) */
  #fatalOrder(before: ReadonlySet<TreeFile>): number {
    const n = this.count;
    let fatalOrder = 0;
    for (let i = 0; i < n; i++) if (before.has(this.fileAt(i))) fatalOrder = this.orderAt(i) + 1;
    for (const x of this.nolimits) if (before.has(x.file) && x.order + 1 > fatalOrder) fatalOrder = x.order + 1;
    return fatalOrder;
  }

  /** Per-entry facts as typed arrays by entry index (see EntryColumns). */
  get columns(): EntryColumns {
    if (!this.#columns) this.#byItem();
    return this.#columns!;
  }

  /** The entry index of this reading order (-1: a `<domain> -` line, or out of range). */
  indexOf(order: number): number {
    const t = this.#t;
    if (t.indexOfOrder === null) return order >= 0 && order < t.count && Number.isInteger(order) ? order : -1;
    return t.indexOfOrder[order] ?? -1;
  }

  /** The entry indexes of the entries naming this item key (maxlogins and maxsyslogins together), in reading order (do not write to it). */
  itemIndexes(key: ItemKey): Int32Array {
    return this.#byItem().get(key) ?? NO_INDEXES;
  }

  /** The entries naming this item key, as EntryRefs (new objects: itemIndexes gives them without one per entry). */
  itemEntries(key: ItemKey): readonly EntryRef[] {
    return Array.from(this.itemIndexes(key), (i) => this.refAt(i));
  }

  #runs: Map<TreeFile, ItemRun[]> | null = null;

  /**
   * The runs of each item's entries in `file`, items in itemKeys() order: what a rule of scope
   * 'file' walks for one file (one walk of every item's entries builds them for every file,
   * instead of a search of every item per file).
   */
  itemRuns(file: TreeFile): readonly ItemRun[] {
    if (!this.#runs) {
      const keys = this.itemKeys();
      if (!this.#rangesByFile) this.#ranges();
      this.#runs = runsByFile(this.#rangesByFile!, this.columns.item, keys);
    }
    return this.#runs.get(file) ?? [];
  }

  /** Lines a later same-domain line always overrides, by reading order (findDeadLines, read from the columns). */
  dead(): DeadLines {
    if (!this.#dead) {
      const c = this.columns;
      const keys = this.itemKeys();
      this.#dead = deadLinesOf({
        size: this.size, lists: keys.map((k) => this.itemIndexes(k)), ranked: c.rankedItem, flags: c.flags, domain: c.domain,
        itemText: c.itemText, itemTexts: c.itemTexts, orderOf: this.#t.orderOf,
      });
    }
    return this.#dead;
  }

  /** The dead line of this reading order, with the line replacing it, or undefined when it is live. */
  deadLine(order: number): DeadLine | undefined {
    const d = this.dead();
    const by = d.by[order];
    if (by === undefined || by < 0) return undefined;
    return { ref: this.entryAt(order)!, by: this.entryAt(by)!, removable: d.removable[order] === 1 };
  }

  #deadFlags: Uint8Array | null = null;

  /** 1 at the reading order (EntryRef.order) of each dead line, else 0. */
  deadFlags(): Uint8Array {
    if (!this.#deadFlags) {
      const by = this.dead().by;
      const f = new Uint8Array(by.length);
      for (let o = 0; o < by.length; o++) if (by[o]! >= 0) f[o] = 1;
      this.#deadFlags = f;
    }
    return this.#deadFlags;
  }
  get realAccounts(): readonly AccountCase[] {
    if (!this.#realAccounts) {
      const acc = this.options.accounts;
      const out: AccountCase[] = [];
      if (acc?.hasPasswd) for (const identity of identitiesOf(acc.db)) out.push({ identity, real: true });
      this.#realAccounts = out;
    }
    return this.#realAccounts;
  }

  /**
   * The accounts a finding about what *does* happen may name: with an etc/passwd in the tree only
   * its accounts (hypothetical ones serve the "never" claims), otherwise all.
   */
  witnesses(cases: readonly AccountCase[]): AccountCase[] {
    return this.options.accounts?.hasPasswd ? cases.filter((c) => c.real) : [...cases];
  }

  /** The per-account analysis of one item (computed on first use). */
  item(key: ItemKey): ItemAnalysis {
    let a = this.#items.get(key);
    if (!a) {
      a = analyseItem(this, key);
      this.#items.set(key, a);
    }
    return a;
  }
}
