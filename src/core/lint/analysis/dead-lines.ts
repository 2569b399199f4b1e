/**
 * Dead lines, proven from the text alone (no account looked at).
 *
 * Pure.
 */
import { type DeadLine, type EntryRef, type ItemKey, itemKeyOf } from './types.js';

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
 */
export function findDeadLines(entries: readonly EntryRef[]): Map<string, DeadLine> {
  const byKey = new Map<ItemKey, EntryRef[]>();
  for (const e of entries) {
    if (!e.reading.itemInfo) continue;
    const k = itemKeyOf(e.reading.itemInfo);
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(e);
  }
  const dead = new Map<string, DeadLine>();
  for (const list of byKey.values()) {
    // next index (in list) of a valid line covering soft, for the `-`/`-` case
    const nextSoftCover: number[] = new Array<number>(list.length);
    let ns = Infinity;
    for (let i = list.length - 1; i >= 0; i--) {
      nextSoftCover[i] = ns;
      const r = list[i]!.reading;
      if (!r.problem && (r.limitType === 'soft' || r.limitType === '-' || !r.itemInfo!.typeChecked)) ns = i;
    }
    // per domain+item: the nearest later valid line of each type, 4 slots per (domain, item
    // text) pair found through an integer id (no string key per line)
    const pairOf = new Map<string, Map<string, number>>();
    const pair = new Int32Array(list.length);
    let pairs = 0;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!.reading;
      let byItem = pairOf.get(r.domain.raw);
      if (!byItem) pairOf.set(r.domain.raw, (byItem = new Map()));
      let id = byItem.get(r.itemText);
      if (id === undefined) byItem.set(r.itemText, (id = pairs++));
      pair[i] = id;
    }
    const later = new Float64Array(pairs * 4).fill(Infinity);
    for (let i = list.length - 1; i >= 0; i--) {
      const a = list[i]!;
      const r = a.reading;
      const info = r.itemInfo!;
      const at = pair[i]! * 4;
      const nx = { soft: later[at]!, hard: later[at + 1]!, dash: later[at + 2]!, any: later[at + 3]! };
      if (!r.problem) {
        let by = Infinity;
        if (!info.ranked || itemKeyOf(info) === 'logins') by = nx.any;
        else if (r.limitType === 'soft') by = Math.min(nx.soft, nx.dash);
        else if (r.limitType === 'hard') by = nx.hard;
        // the - / - case needs no soft-covering line strictly between A and B: the first one
        // after A must be B itself.
        else if (r.limitType === '-' && nx.dash !== Infinity && nx.dash === nextSoftCover[i]) by = nx.dash;
        if (by !== Infinity) {
          const b = list[by]!;
          const plain = (x: EntryRef) => x.line.readings.length === 1 && x.line.other === undefined;
          dead.set(a.key, { ref: a, by: b, removable: by === i + 1 && plain(a) && plain(b) });
        }
        if (r.limitType === 'soft') later[at] = i;
        else if (r.limitType === 'hard') later[at + 1] = i;
        else if (r.limitType === '-') later[at + 2] = i;
        later[at + 3] = i;
      }
    }
  }
  return dead;
}
