/**
 * Why each line for an item won or lost, derived from a Resolution's event log. Pure.
 */
import type { LineEvent, Outcome, Resolution, Source } from './resolve.js';
import { PROFILE_TRAITS, type ItemName, RANK_NAMES } from './schema.js';

export type Verdict =
  | 'wins'             // holds the final value of this half
  | 'overridden'       // was set, then replaced by a later line of equal or stronger rank
  | 'outranked'        // a stronger rank already held this half
  | 'short-circuit'    // `-` line whose soft half was outranked: its hard half was never considered
  | 'clamped'          // wins, but soft is lowered to hard at setup time
  | 'skipped'          // pam_limits skipped the line (invalid type/value, % domain, …)
  | 'not-for-root'     // Debian ignores *, @group and % lines for uid 0
  | 'no-match'         // the domain does not match this account
  | 'not-applied';     // nothing is applied at all (a `<domain> -` line or a read failure)

export interface HalfExplanation {
  readonly verdict: Verdict;
  /** the line responsible (who outranked / overrode this one) */
  readonly by: Source | null;
}

export interface LineExplanation {
  readonly source: Source;
  /**
   * the item the line names, as pam_limits reads it: the item asked for, except on the login slot
   * that maxlogins and maxsyslogins share, where a line of either is listed under both
   */
  readonly item: ItemName;
  readonly matched: boolean;
  readonly rankName: string | null;
  /** soft and hard verdicts; for items without halves both are the same */
  readonly soft: HalfExplanation | null;
  readonly hard: HalfExplanation | null;
  readonly note: string | null;
}

const BOTH_SAME = new Set<ItemName>(['priority', 'nonewprivs', 'chroot', 'maxlogins', 'maxsyslogins']);

/** Explain every line naming `item` (matching ones, or all with includeUnmatched). */
export function explainItem(res: Resolution, item: ItemName, includeUnmatched = false): LineExplanation[] {
  const loginSlot = item === 'maxlogins' || item === 'maxsyslogins';
  const evs = res.events.filter((e) => (loginSlot ? e.item === 'maxlogins' || e.item === 'maxsyslogins' : e.item === item));
  const holder: Record<'soft' | 'hard', LineEvent | null> = { soft: null, hard: null };
  const setters: Record<'soft' | 'hard', LineEvent[]> = { soft: [], hard: [] };
  const blockers = new Map<LineEvent, Record<'soft' | 'hard', LineEvent | null>>();
  // the next line that set the same half, for "overridden later by"
  const nextSetter: Record<'soft' | 'hard', Map<LineEvent, LineEvent>> = { soft: new Map(), hard: new Map() };
  for (const e of evs) {
    if (!e.matched || e.skipped) continue;
    blockers.set(e, { soft: holder.soft, hard: holder.hard });
    for (const half of ['soft', 'hard'] as const) {
      if (e[half] !== 'set') continue;
      const prev = setters[half].at(-1);
      if (prev) nextSetter[half].set(prev, e);
      holder[half] = e;
      setters[half].push(e);
    }
  }
  const rootExempt = PROFILE_TRAITS[res.profile].rootExempt && res.identity.uid === 0;
  const out: LineExplanation[] = [];
  for (const e of evs) {
    const notForRoot = !e.matched && rootExempt && (e.source.domain === '*' || /^[@%]/.test(e.source.domain));
    if (!e.matched && !includeUnmatched && !notForRoot) continue;
    const explainHalf = (half: 'soft' | 'hard'): HalfExplanation | null => {
      if (!res.applied) return { verdict: 'not-applied', by: null };
      if (!e.matched) return { verdict: notForRoot ? 'not-for-root' : 'no-match', by: null };
      if (e.skipped) return { verdict: 'skipped', by: null };
      const o: Outcome = e[half];
      if (o === 'not-applicable') return null;
      if (o === 'outranked') return { verdict: 'outranked', by: blockers.get(e)?.[half]?.source ?? null };
      if (o === 'short-circuit') return { verdict: 'short-circuit', by: blockers.get(e)?.soft?.source ?? null };
      if (holder[half] === e) {
        const clamped = half === 'soft' && !BOTH_SAME.has(item) && res.rlimits[item as keyof typeof res.rlimits]?.clamped;
        return { verdict: clamped ? 'clamped' : 'wins', by: clamped ? res.rlimits[item as keyof typeof res.rlimits].hard.source : null };
      }
      return { verdict: 'overridden', by: nextSetter[half].get(e)?.source ?? null };
    };
    const soft = explainHalf('soft');
    const hard = BOTH_SAME.has(item) ? soft : explainHalf('hard');
    out.push({
      source: e.source, item: e.item, matched: e.matched, rankName: e.rank === null ? null : RANK_NAMES[e.rank],
      soft, hard: BOTH_SAME.has(item) ? null : hard,
      note: e.skipped,
    });
  }
  return out;
}

export function describeVerdict(h: HalfExplanation, at: (s: Source) => string): string {
  switch (h.verdict) {
    case 'wins': return 'wins';
    case 'clamped': return `wins, but is lowered to hard${h.by ? ` (${at(h.by)})` : ''} at login`;
    case 'overridden': return `overridden later by ${h.by ? at(h.by) : 'a later line'} (same or stronger rank, read later)`;
    case 'outranked': return `outranked by ${h.by ? `${at(h.by)} (${RANK_NAMES[h.by.rank]})` : 'the starting limits'}`;
    case 'short-circuit': return `never considered: the soft half was outranked${h.by ? ` by ${at(h.by)}` : ''}, and a '-' line then stops`;
    case 'skipped': return 'skipped by pam_limits';
    case 'not-for-root': return "ignored: Debian's pam_limits does not apply '*', '@group' or '%' lines to root";
    case 'no-match': return 'does not match this account';
    case 'not-applied': return 'not applied: pam_limits applies nothing for this account';
  }
}
