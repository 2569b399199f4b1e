/**
 * Facts several rules share, computed once per lint target and only when a rule asks:
 *
 * - `dead()`: lines proven dead without looking at any account: a later line with the *same
 *   domain* and item covers every half this line sets, so pam_limits always replaces its value
 *   (see `findDeadLines` for the proof and for when removing the line is also safe).
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
import type { ConfigTree } from '../model.js';
import type { Profile } from '../schema.js';
import { identitiesOf } from './analysis/accounts.js';
import { findDeadLines } from './analysis/dead-lines.js';
import { analyseItem } from './analysis/item.js';
import {
  type AccountCase, type DeadLine, type EntryRef, type ItemAnalysis, type ItemKey, itemKeyOf, type NoLimitRef, refKey,
} from './analysis/types.js';
import type { LintAccounts } from './types.js';
import type { Policy } from './policy.js';

export { identitiesOf } from './analysis/accounts.js';
export { findDeadLines } from './analysis/dead-lines.js';
export { describeAccount, describeAccounts, describeWho, domainMatches, rootExempt } from './analysis/describe.js';
export {
  type AccountCase, type AccountOutcome, type DeadLine, type EntryRef, type HalfValue, type ItemAnalysis, type ItemKey,
  itemKeyOf, type NoLimitRef, sourceKey,
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

export class Analysis {
  #entries: EntryRef[] | null = null;
  #nolimits: NoLimitRef[] | null = null;
  #dead: Map<string, DeadLine> | null = null;
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
          if (r.kind === 'entry') entries.push({ file, doc, line, reading: r, chunk, order: order++, key: refKey(file, line, chunk) });
          else if (r.kind === 'nolimit') nolimits.push({ file, doc, line, reading: r, chunk, order: order++ });
        }
      }
    }
    this.#entries = entries;
    this.#nolimits = nolimits;
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

  #byKey: Map<string, EntryRef> | null = null;

  /** The entry with this key (`file\0line\0chunk`, as sourceKey gives for a resolver Source). */
  ref(key: string): EntryRef | undefined {
    if (!this.#byKey) this.#byKey = new Map(this.entries.map((e) => [e.key, e]));
    return this.#byKey.get(key);
  }

  /** Item keys named by valid entry lines, in order of first appearance. */
  itemKeys(): ItemKey[] {
    return [...this.#byItem().keys()];
  }

  #itemIndex: Map<ItemKey, EntryRef[]> | null = null;

  #byItem(): Map<ItemKey, EntryRef[]> {
    if (!this.#itemIndex) {
      const m = new Map<ItemKey, EntryRef[]>();
      for (const e of this.entries) {
        if (!e.reading.itemInfo) continue;
        const k = itemKeyOf(e.reading.itemInfo);
        const list = m.get(k);
        if (list) list.push(e); else m.set(k, [e]);
      }
      this.#itemIndex = m;
    }
    return this.#itemIndex;
  }

  /** The entries naming this item key (maxlogins and maxsyslogins together), in reading order. */
  itemEntries(key: ItemKey): readonly EntryRef[] {
    return this.#byItem().get(key) ?? [];
  }

  /** Lines a later same-domain line always overrides, by entry key. */
  dead(): ReadonlyMap<string, DeadLine> {
    return (this.#dead ??= findDeadLines(this.entries));
  }

  #deadFlags: Uint8Array | null = null;

  /** 1 at the reading order (EntryRef.order) of each line of dead(), else 0. */
  deadFlags(): Uint8Array {
    if (!this.#deadFlags) {
      const f = new Uint8Array(this.entries.length + this.nolimits.length);
      for (const d of this.dead().values()) f[d.ref.order] = 1;
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
