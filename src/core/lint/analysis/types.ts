/**
 * The shapes the shared lint analysis works with: item keys (the state pam_limits keeps per
 * item), references to the tree's readings, and what the per-item resolution found.
 *
 * Pure.
 */
import type { EntryReading, LimitsDocument, Line, NoLimitReading, TreeFile } from '../../model.js';
import type { Identity } from '../../accounts.js';
import type { Source } from '../../resolve.js';
import type { ItemInfo, RlimitItem } from '../../schema.js';

/** Items grouped by the state pam_limits keeps: maxlogins and maxsyslogins share one slot. */
export type ItemKey = RlimitItem | 'logins' | 'priority' | 'nonewprivs' | 'chroot';

export function itemKeyOf(info: ItemInfo): ItemKey {
  if (info.name === 'maxlogins' || info.name === 'maxsyslogins') return 'logins';
  return info.name as ItemKey;
}

/** One entry reading of the tree, in reading order. */
export interface EntryRef {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  readonly line: Line;
  readonly reading: EntryReading;
  /** index of the reading in line.readings (0 unless 1.5.2 split a long line) */
  readonly chunk: number;
  /** position in reading order over the whole tree (entries and `<domain> -` lines together) */
  readonly order: number;
}

export interface NoLimitRef {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  readonly line: Line;
  readonly reading: NoLimitReading;
  readonly chunk: number;
  readonly order: number;
}

/**
 * The dead lines of a tree (findDeadLines), by reading order (EntryRef.order): `by[o]` is the
 * order of the later line that always replaces the entry of order `o`, or -1 when it is live;
 * `removable[o]` is 1 when removing it also changes nothing. Arrays of `size` (the number of
 * entry and `<domain> -` readings), no object or string key per line.
 */
export interface DeadLines {
  readonly by: Int32Array;
  readonly removable: Uint8Array;
  /** how many entries are dead */
  readonly count: number;
}

export interface DeadLine {
  readonly ref: EntryRef;
  /** the later line that always replaces it */
  readonly by: EntryRef;
  /** removing the line changes nothing for any account, in any case pam_limits can meet */
  readonly removable: boolean;
}

/** An account the analysis resolved for. */
export interface AccountCase {
  readonly identity: Identity;
  /** from the tree's etc/passwd (otherwise hypothetical) */
  readonly real: boolean;
}

export interface HalfValue {
  /** value passed to setrlimit (after clamping), or the stored value for other items */
  readonly value: bigint | null;
  readonly source: Source | null;
}

export interface AccountOutcome {
  readonly account: AccountCase;
  readonly applied: boolean;
  readonly soft: HalfValue;
  readonly hard: HalfValue;
}

export interface ItemAnalysis {
  readonly key: ItemKey;
  /** every combination of the facts the lines test was resolved */
  readonly exhaustive: boolean;
  /**
   * how many combinations those facts give (user names × uid points × gid points × 2^groups
   * named); above the analysis budget only the tree's accounts and one witness per domain are
   * resolved, and `exhaustive` is false
   */
  readonly classes: number;
  readonly accounts: readonly AccountCase[];
  /**
   * the item's entries (Analysis.itemIndexes), in reading order: the arrays below follow it. Its
   * `count` entries are asked for by position i (indexAt, readingAt, orderAt, fileAt, refAt: no
   * object per entry); `entries` makes (and keeps) an EntryRef per entry on first read
   */
  readonly entries: readonly EntryRef[];
  readonly count: number;
  /** the entry index (in the Analysis) of the item's i-th entry */
  indexAt(i: number): number;
  /** the item's i-th entry as an EntryRef (a new object at each call) */
  refAt(i: number): EntryRef;
  readingAt(i: number): EntryReading;
  orderAt(i: number): number;
  fileAt(i: number): TreeFile;
  /** per entry: how many accounts it matched (and was not skipped for) */
  readonly matchedCount: Uint32Array;
  /** per entry: how many of those accounts got nothing applied (a `<domain> -` line) */
  readonly notAppliedCount: Uint32Array;
  /** per entry: 1 when it holds a final value for at least one account (with limits applied) */
  readonly won: Uint8Array;
  /**
   * the lines that beat entry `i` (overrode, outranked), each once, in the order first seen;
   * recorded for live entries only (not in Analysis.dead(): those are always replaced by their `by`)
   */
  beatenAt(i: number): readonly Source[];
  /** how many lines beat entry `i` (beatenAt(i).length, without building the Sources) */
  beatenCount(i: number): number;
  /** the `k`-th line that beats entry `i` (k < beatenCount(i)), as the entry it is */
  beatenRef(i: number, k: number): EntryRef;
  /** entry key (entryKey) → how many accounts it matched (and was not skipped for) */
  readonly matched: ReadonlyMap<string, number>;
  /** entry keys that hold a final value for at least one account (with limits applied) */
  readonly wins: ReadonlySet<string>;
  /** entry key → the lines that beat it (overrode, outranked), by key (live entries only) */
  readonly beatenBy: ReadonlyMap<string, Map<string, Source>>;
  /** entry key → how many of those accounts got nothing applied (a `<domain> -` line) */
  readonly notApplied: ReadonlyMap<string, number>;
  /**
   * index in `entries` of a `-` entry (live entries only) → accounts for which its hard half was
   * skipped, and the soft holder (`byRef`: the entry it is), in reading order
   */
  readonly shortCircuit: ReadonlyMap<number, { accounts: AccountCase[]; by: Source | null; byRef: EntryRef | null }>;
  /** soft key + hard key → the clamp pam_limits does at login */
  readonly clamps: ReadonlyMap<string, { soft: Source; hard: Source; softValue: bigint; hardValue: bigint; accounts: AccountCase[] }>;
  /**
   * what each account of `accounts` gets, in its order; reading it resolves the final values of
   * every class (outcomeAt resolves one account's)
   */
  readonly outcomes: readonly AccountOutcome[];
  /** outcomes[i], resolving only the class of accounts[i] (a lookup of one account costs one resolution, not all) */
  outcomeAt(i: number): AccountOutcome;
}

export function sourceKey(s: { file: string; line: number; chunk?: number }): string {
  return `${s.file}\0${s.line}\0${s.chunk ?? 0}`;
}

/** The key sourceKey gives for the resolver Source of this entry (tests and maps off the hot path). */
export function entryKey(e: { readonly file: TreeFile; readonly line: Line; readonly chunk: number }): string {
  return `${e.file.path}\0${e.line.index + 1}\0${e.chunk}`;
}

/** The name of the hypothetical account that no domain names (the "any other account" case). */
export const FRESH = 'limitsctl-other-account';
