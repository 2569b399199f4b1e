/**
 * Dead lines, proven from the text alone (no account looked at).
 *
 * Pure.
 */
import type { EntryReading } from '../../model.js';
import { entryRaw } from '../../parse.js';
import { type DeadLines, type EntryRef, type ItemKey, itemKeyOf } from './types.js';

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
  const deadBy = new Int32Array(n).fill(-1);
  const removable = new Uint8Array(n);
  let count = 0;
  // one read of each entry's reading (the passes below read typed arrays only): per entry its
  // flags (F_*), its domain id and its item text id (interned per item key)
  const F_SOFT = 1;
  const F_HARD = 2;
  const F_DASH = 4;
  const F_VALID = 8;
  /** a line that covers soft: a valid soft or '-' line, or any valid line of an item without types */
  const F_COVERS_SOFT = 16;
  const flags = new Uint8Array(total);
  const dom = new Float64Array(total);
  const text = new Int32Array(total);
  // each entry's order, read with its reading (the passes below visit entries item by item, out
  // of reading order: reading the objects again there cost a cache miss per dead line)
  const orderOf = new Int32Array(total);
  const domainId = new Map<string, number>();
  // the entries of each item key, by index in `entries`, and its item texts (its name in any
  // letter case: at most 2^12 + 2^9 of them, for maxsyslogins and maxlogins)
  const byKey = new Map<ItemKey, { list: number[]; texts: Map<string, number>; ranked: boolean }>();
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
    let f = F_VALID;
    const type = r.limitType;
    if (type === 'soft') f |= F_SOFT | F_COVERS_SOFT;
    else if (type === 'hard') f |= F_HARD;
    else if (type === '-') f |= F_DASH | F_COVERS_SOFT;
    if (!info.typeChecked) f |= F_COVERS_SOFT;
    flags[i] = f;
    let d = domainIds?.[i];
    if (d === undefined) {
      const raw = entryRaw(r, 0);
      d = domainId.get(raw);
      if (d === undefined) domainId.set(raw, (d = domainId.size));
    }
    dom[i] = d;
    let t = g.texts.get(r.itemText);
    if (t === undefined) g.texts.set(r.itemText, (t = g.texts.size));
    text[i] = t;
  }
  // (domain text, item text) pairs as integers, found through one Map of numbers (no string key,
  // no Map per domain)
  const pairId = new Map<number, number>();
  for (const { list, ranked } of byKey.values()) {
    const m = list.length;
    // next index (in list) of a valid line covering soft, for the `-`/`-` case
    const nextSoftCover = new Float64Array(m);
    let ns = Infinity;
    for (let i = m - 1; i >= 0; i--) {
      nextSoftCover[i] = ns;
      if (flags[list[i]!]! & F_COVERS_SOFT) ns = i;
    }
    pairId.clear();
    const pair = new Int32Array(m);
    let pairs = 0;
    for (let i = 0; i < m; i++) {
      const x = list[i]!;
      if (!(flags[x]! & F_VALID)) continue;
      const key = dom[x]! * 65536 + text[x]!;
      let id = pairId.get(key);
      if (id === undefined) pairId.set(key, (id = pairs++));
      pair[i] = id;
    }
    // per pair, the nearest later valid line of each type: soft, hard, '-', any
    const later = new Float64Array(pairs * 4).fill(Infinity);
    for (let i = m - 1; i >= 0; i--) {
      const f = flags[list[i]!]!;
      if (!(f & F_VALID)) continue;
      const at = pair[i]! * 4;
      let by = Infinity;
      // unranked items and the login slot: the last matching line wins
      if (!ranked) by = later[at + 3]!;
      else if (f & F_SOFT) by = Math.min(later[at]!, later[at + 2]!);
      else if (f & F_HARD) by = later[at + 1]!;
      // the - / - case needs no soft-covering line strictly between A and B: the first one
      // after A must be B itself.
      else if (f & F_DASH && later[at + 2] !== Infinity && later[at + 2] === nextSoftCover[i]) by = later[at + 2]!;
      if (by !== Infinity) {
        const a = list[i]!;
        const b = list[by]!;
        deadBy[orderOf[a]!] = orderOf[b]!;
        if (by === i + 1 && entries.plainAt(a) && entries.plainAt(b)) removable[orderOf[a]!] = 1;
        count++;
      }
      if (f & F_SOFT) later[at] = i;
      else if (f & F_HARD) later[at + 1] = i;
      else if (f & F_DASH) later[at + 2] = i;
      later[at + 3] = i;
    }
  }
  return { by: deadBy, removable, count };
}

/** One reading on its line, read the same way by 1.5.2 and 1.7. */
function plain(x: EntryRef): boolean {
  return x.line.readings.length === 1 && x.line.other === undefined;
}
