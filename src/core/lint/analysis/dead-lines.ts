/**
 * Dead lines, proven from the text alone (no account looked at).
 *
 * Pure.
 */
import { type DeadLines, type EntryRef, type ItemKey, itemKeyOf } from './types.js';

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
 * `entries` are in reading order (Analysis.entries); the result is indexed by EntryRef.order,
 * over `size` orders (default: the last entry's order + 1). `domainIds`, when given, is the
 * domain text of each entry already interned (Analysis.columns.domain, by index in `entries`).
 * O(entries), no object per line.
 */
export function findDeadLines(entries: readonly EntryRef[], size?: number, domainIds?: Int32Array): DeadLines {
  const n = size ?? (entries.length > 0 ? entries[entries.length - 1]!.order + 1 : 0);
  const deadBy = new Int32Array(n).fill(-1);
  const removable = new Uint8Array(n);
  let count = 0;
  // the entries of each item key, by index in `entries`
  const byKey = new Map<ItemKey, number[]>();
  for (let i = 0; i < entries.length; i++) {
    const info = entries[i]!.reading.itemInfo;
    if (!info) continue;
    const k = itemKeyOf(info);
    const list = byKey.get(k);
    if (list) list.push(i); else byKey.set(k, [i]);
  }
  // (domain text, item text) pairs as integers: each domain text interned once for the whole
  // tree, item texts per item key, a pair found through one Map of numbers (no string key, no Map
  // per domain)
  const domainId = new Map<string, number>();
  const itemTextId = new Map<string, number>();
  const pairId = new Map<number, number>();
  for (const list of byKey.values()) {
    const m = list.length;
    // next index (in list) of a valid line covering soft, for the `-`/`-` case
    const nextSoftCover = new Float64Array(m);
    let ns = Infinity;
    for (let i = m - 1; i >= 0; i--) {
      nextSoftCover[i] = ns;
      const r = entries[list[i]!]!.reading;
      if (!r.problem && (r.limitType === 'soft' || r.limitType === '-' || !r.itemInfo!.typeChecked)) ns = i;
    }
    pairId.clear();
    itemTextId.clear();
    const pair = new Int32Array(m);
    let pairs = 0;
    for (let i = 0; i < m; i++) {
      const r = entries[list[i]!]!.reading;
      let d = domainIds?.[list[i]!];
      if (d === undefined) {
        d = domainId.get(r.domain.raw);
        if (d === undefined) domainId.set(r.domain.raw, (d = domainId.size));
      }
      let t = itemTextId.get(r.itemText);
      if (t === undefined) itemTextId.set(r.itemText, (t = itemTextId.size));
      // an item key's texts are its names in any letter case: at most 2^12 + 2^9 (maxsyslogins and
      // maxlogins), below 2^16
      const key = d * 65536 + t;
      let id = pairId.get(key);
      if (id === undefined) pairId.set(key, (id = pairs++));
      pair[i] = id;
    }
    // per pair, the nearest later valid line of each type: soft, hard, '-', any
    const later = new Float64Array(pairs * 4).fill(Infinity);
    for (let i = m - 1; i >= 0; i--) {
      const a = entries[list[i]!]!;
      const r = a.reading;
      if (r.problem) continue;
      const info = r.itemInfo!;
      const at = pair[i]! * 4;
      const type = r.limitType;
      let by = Infinity;
      if (!info.ranked || itemKeyOf(info) === 'logins') by = later[at + 3]!;
      else if (type === 'soft') by = Math.min(later[at]!, later[at + 2]!);
      else if (type === 'hard') by = later[at + 1]!;
      // the - / - case needs no soft-covering line strictly between A and B: the first one
      // after A must be B itself.
      else if (type === '-' && later[at + 2] !== Infinity && later[at + 2] === nextSoftCover[i]) by = later[at + 2]!;
      if (by !== Infinity) {
        const b = entries[list[by]!]!;
        deadBy[a.order] = b.order;
        if (by === i + 1 && plain(a) && plain(b)) removable[a.order] = 1;
        count++;
      }
      if (type === 'soft') later[at] = i;
      else if (type === 'hard') later[at + 1] = i;
      else if (type === '-') later[at + 2] = i;
      later[at + 3] = i;
    }
  }
  return { by: deadBy, removable, count };
}

/** One reading on its line, read the same way by 1.5.2 and 1.7. */
function plain(x: EntryRef): boolean {
  return x.line.readings.length === 1 && x.line.other === undefined;
}
