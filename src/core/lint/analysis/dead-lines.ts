/**
 * Dead lines, proven from the text alone (no account looked at).
 *
 * Pure.
 */
import type { EntryReading } from '../../model.js';
import { entryRaw } from '../../parse.js';
import { type DeadLines, type EntryRef, type ItemKey, itemKeyOf } from './types.js';
import { E_COVERS_SOFT, E_DASH, E_HARD, E_PLAIN, E_SOFT, E_VALID } from './flags.js';

/** Entries by index without an object each (Analysis): their count, reading, order and plainness. */
export interface EntryColumnsView {
  readonly count: number;
  readingAt(i: number): EntryReading;
  orderAt(i: number): number;
  /** one reading on its line, read the same way by 1.5.2 and 1.7 */
  plainAt(i: number): boolean;
}

/** EntryRefs as an EntryColumnsView. */
function viewOf(entries: readonly EntryRef[]): EntryColumnsView {
  return {
    count: entries.length,
    readingAt: (i) => entries[i]!.reading,
    orderAt: (i) => entries[i]!.order,
    plainAt: (i) => plain(entries[i]!),
  };
}

/**
 * Dead lines, proven from the text alone. For an entry A and a later entry B with the same
 * domain text and item (so B matches exactly the accounts A matches, at the same rank) and B
 * valid:
 *  - unranked items (priority, nonewprivs, chroot): the last matching line wins → A is dead;
 *  - the maxlogins slot: B stores unless a stronger line holds the slot, and then A's value was
 *    replaced or never stored → A is dead;
 *  - rlimits, per half: A soft / B soft or `-`; A hard / B hard; A `-` / B `-` when no line
 *    covering soft for the item lies between them (otherwise a stronger soft line between them
 *    would make B skip its hard half — the `-` short-circuit — and A's hard value would stay).
 * Removing A is also safe (the result is identical for every account) when no other line
 * naming the item lies between A and B (A's value could otherwise have blocked a weaker line in
 * between), and both lines are plain (one reading, read the same way by 1.5.2 and 1.7).
 *
 * `entries` are in reading order (EntryRefs, or an Analysis: its entries by index, no object
 * each); the result is indexed by EntryRef.order,
 * over `size` orders (default: the last entry's order + 1). `domainIds`, when given, is the
 * domain text of each entry already interned (Analysis.columns.domain, by index in `entries`).
 * O(entries), no object per line.
 */
export function findDeadLines(list: readonly EntryRef[] | EntryColumnsView, size?: number, domainIds?: Int32Array): DeadLines {
  const entries: EntryColumnsView = Array.isArray(list) ? viewOf(list as readonly EntryRef[]) : list as EntryColumnsView;
  const total = entries.count;
  const n = size ?? (total > 0 ? entries.orderAt(total - 1) + 1 : 0);
  // one read of each entry's reading (deadLinesOf reads typed arrays only): per entry its flags
  // (E_*), its domain id and its item text id (interned per item key)
  const flags = new Uint8Array(total);
  const dom = new Int32Array(total);
  const text = new Int32Array(total);
  const orderOf = new Int32Array(total);
  const domainId = new Map<string, number>();
  const byKey = new Map<ItemKey, { list: number[]; texts: Map<string, number>; ranked: boolean }>();
  let texts = 0;
  for (let i = 0; i < total; i++) {
    orderOf[i] = entries.orderAt(i);
    const r = entries.readingAt(i);
    const info = r.itemInfo;
    if (!info) continue;
    const k = itemKeyOf(info);
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { list: [], texts: new Map(), ranked: info.ranked && k !== 'logins' }));
    g.list.push(i);
    if (r.problem) continue;
    let f = E_VALID;
    const type = r.limitType;
    if (type === 'soft') f |= E_SOFT | E_COVERS_SOFT;
    else if (type === 'hard') f |= E_HARD;
    else if (type === '-') f |= E_DASH | E_COVERS_SOFT;
    if (!info.typeChecked) f |= E_COVERS_SOFT;
    if (entries.plainAt(i)) f |= E_PLAIN;
    flags[i] = f;
    let d = domainIds?.[i];
    if (d === undefined) {
      const raw = entryRaw(r, 0);
      d = domainId.get(raw);
      if (d === undefined) domainId.set(raw, (d = domainId.size));
    }
    dom[i] = d;
    let t = g.texts.get(r.itemText);
    if (t === undefined) { g.texts.set(r.itemText, (t = g.texts.size)); if (t >= texts) texts = t + 1; }
    text[i] = t;
  }
  const lists: Int32Array[] = [];
  const ranked: number[] = [];
  for (const g of byKey.values()) { lists.push(Int32Array.from(g.list)); ranked.push(g.ranked ? 1 : 0); }
  return deadLinesOf({ size: n, lists, ranked: Uint8Array.from(ranked), flags, domain: dom, itemText: text, itemTexts: texts, orderOf });
}

/**
 * The entries as columns, by entry index (Analysis.columns, or what findDeadLines reads from
 * EntryRefs): per item key its entries in reading order, and per entry its E_* flags (E_SOFT,
 * E_HARD, E_DASH, E_VALID, E_COVERS_SOFT, E_PLAIN), domain id and item text id.
 */
export interface DeadLineColumns {
  /** how many reading orders (the length of the result's arrays) */
  readonly size: number;
  /** per item key, its entries' indexes in reading order */
  readonly lists: readonly Int32Array[];
  /** per item key (as lists): 1 when its soft and hard halves are ranked separately */
  readonly ranked: Uint8Array;
  readonly flags: Uint8Array;
  readonly domain: Int32Array;
  readonly itemText: Int32Array;
  /** itemText values are below this */
  readonly itemTexts: number;
  /** per entry its reading order; null: the entry index */
  readonly orderOf: Int32Array | null;
}

/** findDeadLines on entries already read into columns (one walk of typed arrays per item, no reading looked at). */
export function deadLinesOf(c: DeadLineColumns): DeadLines {
  const { flags, domain: dom, itemText: text, orderOf } = c;
  const deadBy = new Int32Array(c.size).fill(-1);
  const removable = new Uint8Array(c.size);
  let count = 0;
  // (domain text, item text) pairs as integers, found through one Map of numbers (no string key,
  // no Map per domain)
  const pairId = new Map<number, number>();
  const T = Math.max(1, c.itemTexts);
  // one call per item key: V8 optimises the loops of one list (deadIn), not this whole function
  // once per loop while it runs
  for (let li = 0; li < c.lists.length; li++) {
    count += deadIn(c.lists[li]!, c.ranked[li] === 1, flags, dom, text, T, orderOf, pairId, deadBy, removable);
  }
  return { by: deadBy, removable, count };
}

/**
 * The dead lines of one item key's entries (`list`: their indexes, in reading order) into deadBy
 * and removable (by reading order); how many. `pairId` is scratch (cleared here).
 */
function deadIn(
  list: Int32Array, ranked: boolean, flags: Uint8Array, dom: Int32Array, text: Int32Array, T: number, orderOf: Int32Array | null,
  pairId: Map<number, number>, deadBy: Int32Array, removable: Uint8Array,
): number {
  let count = 0;
  const m = list.length;
  // One walk from the last line back (V8 optimises one loop, not three): `ns` is the index (in
  // list) of the nearest later line covering soft, for the `-`/`-` case; per (domain text, item
  // text) pair, numbered as met, `later` holds its nearest later valid line of each type: soft,
  // hard, '-', any.
  let ns = Infinity;
  pairId.clear();
  let pairs = 0;
  const later = new Float64Array(m * 4);
  for (let i = m - 1; i >= 0; i--) {
    const a = list[i]!;
    const f = flags[a]!;
    const nextSoftCover = ns;
    if (f & E_COVERS_SOFT) ns = i;
    if (!(f & E_VALID)) continue;
    const key = dom[a]! * T + text[a]!;
    let id = pairId.get(key);
    if (id === undefined) {
      pairId.set(key, (id = pairs++));
      later.fill(Infinity, id * 4, id * 4 + 4);
    }
    const at = id * 4;
    let by = Infinity;
    // unranked items and the login slot: the last matching line wins
    if (!ranked) by = later[at + 3]!;
    else if (f & E_SOFT) by = Math.min(later[at]!, later[at + 2]!);
    else if (f & E_HARD) by = later[at + 1]!;
    // the - / - case needs no soft-covering line strictly between A and B: the first one
    // after A must be B itself.
    else if (f & E_DASH && later[at + 2] !== Infinity && later[at + 2] === nextSoftCover) by = later[at + 2]!;
    if (by !== Infinity) {
      const b = list[by]!;
      const oa = orderOf === null ? a : orderOf[a]!;
      deadBy[oa] = orderOf === null ? b : orderOf[b]!;
      if (by === i + 1 && f & E_PLAIN && flags[b]! & E_PLAIN) removable[oa] = 1;
      count++;
    }
    if (f & E_SOFT) later[at] = i;
    else if (f & E_HARD) later[at + 1] = i;
    else if (f & E_DASH) later[at + 2] = i;
    later[at + 3] = i;
  }
  return count;
}

/** One reading on its line, read the same way by 1.5.2 and 1.7. */
function plain(x: EntryRef): boolean {
  return x.line.readings.length === 1 && x.line.other === undefined;
}
