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
import type { ConfigTree, TreeFile } from '../model.js';
import { entryRaw } from '../parse.js';
import type { Profile } from '../schema.js';
import { identitiesOf } from './analysis/accounts.js';
import { findDeadLines } from './analysis/dead-lines.js';
import { analyseItem } from './analysis/item.js';
import {
  type AccountCase, type DeadLine, type DeadLines, type EntryRef, type ItemAnalysis, type ItemKey, itemKeyOf, type NoLimitRef,
} from './analysis/types.js';
import type { LintAccounts } from './types.js';
import type { Policy } from './policy.js';

export { identitiesOf } from './analysis/accounts.js';
export { findDeadLines } from './analysis/dead-lines.js';
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

export class Analysis {
  #entries: EntryRef[] | null = null;
  #nolimits: NoLimitRef[] | null = null;
  /** entry index (in entries) of each reading order, -1 for a `<domain> -` line */
  #indexOfOrder: Int32Array | null = null;
  #dead: DeadLines | null = null;
  #items = new Map<ItemKey, ItemAnalysis>();
  #realAccounts: AccountCase[] | null = null;

  constructor(readonly options: AnalysisOptions) {}

  #scan(): void {
    const entries: EntryRef[] = [];
    const nolimits: NoLimitRef[] = [];
    let order = 0;
    for (const file of this.options.tree.files) {
      const doc = file.doc;
      if (!doc) continue;
      for (const line of doc.lines) {
        const readings = line.readings;
        for (let chunk = 0; chunk < readings.length; chunk++) {
          const r = readings[chunk]!;
          if (r.kind === 'entry') entries.push({ file, doc, line, reading: r, chunk, order: order++ });
          else if (r.kind === 'nolimit') nolimits.push({ file, doc, line, reading: r, chunk, order: order++ });
        }
      }
    }
    const index = new Int32Array(order).fill(-1);
    for (let i = 0; i < entries.length; i++) index[entries[i]!.order] = i;
    this.#entries = entries;
    this.#nolimits = nolimits;
    this.#indexOfOrder = index;
  }

  /** Every entry reading of the tree, in reading order. */
  get entries(): readonly EntryRef[] {
    if (!this.#entries) this.#scan();
    return this.#entries!;
  }

  get nolimits(): readonly NoLimitRef[] {
    if (!this.#nolimits) this.#scan();
    return this.#nolimits!;
  }

  /** How many reading orders there are (entries and `<domain> -` lines): the length of arrays by order. */
  get size(): number {
    if (!this.#indexOfOrder) this.#scan();
    return this.#indexOfOrder!.length;
  }

  /** The entry of this reading order (EntryRef.order), or undefined (a `<domain> -` line, out of range). */
  entryAt(order: number): EntryRef | undefined {
    if (!this.#indexOfOrder) this.#scan();
    const i = this.#indexOfOrder![order];
    return i === undefined || i < 0 ? undefined : this.#entries![i];
  }

  #fileRanges: Map<string, { lo: number; hi: number }> | null = null;
  #rangesByFile: Map<TreeFile, { lo: number; hi: number }> | null = null;

  #ranges(): void {
    const byPath = new Map<string, { lo: number; hi: number }>();
    const byFile = new Map<TreeFile, { lo: number; hi: number }>();
    const entries = this.entries;
    for (let i = 0; i < entries.length;) {
      const file = entries[i]!.file;
      let j = i + 1;
      while (j < entries.length && entries[j]!.file === file) j++;
      const r = { lo: i, hi: j };
      byFile.set(file, r);
      if (!byPath.has(file.path)) byPath.set(file.path, r);
      i = j;
    }
    this.#fileRanges = byPath;
    this.#rangesByFile = byFile;
  }

  /** The entries of one file: entries[lo .. hi - 1] (they are one run in reading order), or undefined. */
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
      const entries = this.entries;
      if (!this.#rangesByFile) this.#ranges();
      for (const [f, r] of this.#rangesByFile!) m.set(f, { lo: entries[r.lo]!.order, hi: entries[r.hi - 1]!.order + 1 });
      this.#orderRanges = m;
    }
    return this.#orderRanges.get(file);
  }

  #orderRanges: Map<TreeFile, { lo: number; hi: number }> | null = null;

  /**
   * The entry a resolver Source (or `{ file, line, chunk }`: display path, 1-based line, chunk)
   * names, found by a binary search in its file's entries (no Map of every entry by a string key).
   */
  refOf(s: { readonly file: string; readonly line: number; readonly chunk?: number }): EntryRef | undefined {
    if (!this.#fileRanges) this.#ranges();
    const r = this.#fileRanges!.get(s.file);
    if (!r) return undefined;
    const entries = this.#entries!;
    const chunk = s.chunk ?? 0;
    let lo = r.lo;
    let hi = r.hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid]!;
      const ln = e.line.index + 1;
      if (ln < s.line || (ln === s.line && e.chunk < chunk)) lo = mid + 1; else hi = mid;
    }
    const e = entries[lo];
    return lo < r.hi && e !== undefined && e.line.index + 1 === s.line && e.chunk === chunk ? e : undefined;
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

  #itemIndex: Map<ItemKey, EntryRef[]> | null = null;
  #columns: EntryColumns | null = null;

  #byItem(): Map<ItemKey, EntryRef[]> {
    if (!this.#itemIndex) {
      // one walk of every entry: the item lists and the columns the per-item pass reads
      const m = new Map<ItemKey, EntryRef[]>();
      const entries = this.entries;
      const domain = new Int32Array(entries.length);
      const active = new Uint8Array(entries.length);
      const valid = new Uint8Array(entries.length);
      const item = new Int32Array(entries.length).fill(-1);
      const itemIds = new Map<ItemKey, number>();
      const domainIds = new Map<string, number>();
      const domainSpecs: DomainSpec[] = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const r = e.reading;
        const raw = entryRaw(r, 0);
        let d = domainIds.get(raw);
        if (d === undefined) { domainIds.set(raw, (d = domainSpecs.length)); domainSpecs.push(r.domainSpec); }
        domain[i] = d;
        const p = r.problem;
        if (!p) { active[i] = 1; valid[i] = 1; } else if (p.code === 'percent-domain') active[i] = 1;
        if (!r.itemInfo) continue;
        const k = itemKeyOf(r.itemInfo);
        const list = m.get(k);
        if (list) { list.push(e); item[i] = itemIds.get(k)!; } else { m.set(k, [e]); item[i] = itemIds.size; itemIds.set(k, itemIds.size); }
      }
      const files = this.options.tree.files;
      const fatalAt = files.findIndex((f) => f.fatal);
      // reading orders from the file pam_limits cannot read on (the files before it hold the lower ones)
      let fatalOrder = Infinity;
      if (fatalAt >= 0) {
        const before = new Set(files.slice(0, fatalAt));
        fatalOrder = 0;
        for (const e of entries) if (before.has(e.file)) fatalOrder = e.order + 1;
        for (const x of this.nolimits) if (before.has(x.file) && x.order + 1 > fatalOrder) fatalOrder = x.order + 1;
      }
      this.#columns = { domain, domainSpecs, active, valid, item, fatalAt, fatalOrder };
      this.#itemIndex = m;
    }
    return this.#itemIndex;
  }

  /** Per-entry facts as typed arrays by entry index (see EntryColumns). */
  get columns(): EntryColumns {
    if (!this.#columns) this.#byItem();
    return this.#columns!;
  }

  /** The index in `entries` of the entry of this reading order (-1: a `<domain> -` line). */
  indexOf(order: number): number {
    if (!this.#indexOfOrder) this.#scan();
    return this.#indexOfOrder![order] ?? -1;
  }

  /** The entries naming this item key (maxlogins and maxsyslogins together), in reading order. */
  itemEntries(key: ItemKey): readonly EntryRef[] {
    return this.#byItem().get(key) ?? [];
  }

  #runs: Map<TreeFile, ItemRun[]> | null = null;

  /**
   * The runs of each item's entries in `file`, items in itemKeys() order: what a rule of scope
   * 'file' walks for one file (one walk of every item's entries builds them for every file,
   * instead of a search of every item per file).
   */
  itemRuns(file: TreeFile): readonly ItemRun[] {
    if (!this.#runs) {
      // one walk of the item column in reading order (each file's entries are one range of it):
      // per file, the items met and where their run starts in the item's list (no read of the
      // entry objects, which item by item would be out of reading order)
      const m = new Map<TreeFile, ItemRun[]>();
      const keys = this.itemKeys();
      const item = this.columns.item;
      const next = new Int32Array(keys.length);
      const start = new Int32Array(keys.length);
      const seen = new Int32Array(keys.length).fill(-1);
      if (!this.#rangesByFile) this.#ranges();
      let fileNo = 0;
      const met: number[] = [];
      for (const [f, r] of this.#rangesByFile!) {
        met.length = 0;
        for (let i = r.lo; i < r.hi; i++) {
          const id = item[i]!;
          if (id < 0) continue;
          if (seen[id] !== fileNo) { seen[id] = fileNo; start[id] = next[id]!; met.push(id); }
          next[id]!++;
        }
        fileNo++;
        if (met.length === 0) continue;
        met.sort((a, b) => a - b);
        m.set(f, met.map((id) => ({ key: keys[id]!, from: start[id]!, to: next[id]! })));
      }
      this.#runs = m;
    }
    return this.#runs.get(file) ?? [];
  }

  /** Lines a later same-domain line always overrides, by reading order (findDeadLines). */
  dead(): DeadLines {
    return (this.#dead ??= findDeadLines(this.entries, this.size, this.columns.domain));
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
