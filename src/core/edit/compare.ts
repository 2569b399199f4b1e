/**
 * Comparing values: what a value means (kernel units, or the number), whether an edited line
 * reads as meant by both parser families, and the order `at-least` / `at-most` compare in.
 *
 * Pure.
 */
import type { Line } from '../model.js';
import { parseLine } from '../parse.js';
import type { Resolution } from '../resolve.js';
import { type ItemInfo, itemForProfile, type Profile, PROFILE_TRAITS, READING_PROFILES, RLIM_INFINITY, type RlimitItem } from '../schema.js';
import { type ParsedValue, parseValue } from '../values.js';

/** Meaning of a value for comparison: kernel units, or the number for non-rlimits. */
/**
 * The fs.nr_open that nofile unlimited means on this release, for meaning() and orderKey(): nrOpen
 * where pam_limits maps it (1.5.2+, 3234488f, and backports), null where RLIM_INFINITY is asked for.
 */
export function unlimitedNofileAs(profile: Profile, nrOpen: bigint | null): bigint | null {
  return PROFILE_TRAITS[profile].nofileUnlimited === 'nr-open' ? nrOpen : null;
}

export function meaning(info: ItemInfo, pv: ParsedValue | null, nrOpen: bigint | null): string {
  if (!pv) return '?';
  if (pv.path !== undefined) return `path:${pv.path}`;
  if (info.rlimit !== null) {
    let k = pv.kernel!;
    if (info.name === 'nofile' && k === RLIM_INFINITY && nrOpen !== null) k = nrOpen;
    return `k:${k}`;
  }
  return `n:${pv.number}`;
}

/**
 * True when the edited line (the one that started at `line.start`) reads as `want` under both
 * parser families: 1.5.2 ignores extra fields, 1.7 reads them as part of the value.
 */
export function readsAs(text: string, line: Line, info: ItemInfo, want: string, nrOpen: bigint | null): boolean {
  let end = text.indexOf('\n', line.start);
  const eol: 0 | 1 = end < 0 ? 0 : 1;
  if (end < 0) end = text.length;
  for (const profile of READING_PROFILES) {
    const rInfo = itemForProfile(info.name, profile);
    if (!rInfo) continue; // an item one reading's profile does not know (rttime in 1.5.2, chroot in 1.7.2)
    const readings = parseLine(text, line.index, line.start, end, eol, profile, false).readings;
    const r = readings.find((x) => x.kind === 'entry');
    if (readings.length !== 1 || !r || r.kind !== 'entry' || !r.parsedValue) return false;
    if (meaning(rInfo, parseValue(rInfo, r.valueText), nrOpen) !== want) return false;
  }
  return true;
}

/** An order key where "more" is larger: a higher limit (unlimited highest), for nice a higher
 * 20-n, for priority a lower number, maxlogins unlimited highest. */
export function orderKey(info: ItemInfo, v: ParsedValue, nrOpen: bigint | null): bigint {
  if (info.rlimit !== null) {
    let k = v.kernel!;
    if (info.name === 'nofile' && k === RLIM_INFINITY && nrOpen !== null) k = nrOpen;
    return k;
  }
  if (info.name === 'priority') return -(v.number ?? 0n);
  if (info.name === 'maxlogins' || info.name === 'maxsyslogins') return v.number! < 0n ? RLIM_INFINITY : v.number!;
  return v.number ?? 0n;
}

/** The same order key for what an account gets now (null when unknown or not applicable). */
export function effectiveKey(info: ItemInfo, res: Resolution, half: 'soft' | 'hard'): bigint | null {
  if (!res.applied) return null;
  if (info.rlimit !== null) {
    const r = res.rlimits[info.name as RlimitItem];
    return r.applied?.[half] ?? r[half].value;
  }
  switch (info.name) {
    case 'priority': return -BigInt(res.priority.value);
    case 'maxlogins': case 'maxsyslogins': return res.logins.value < 0 ? RLIM_INFINITY : BigInt(res.logins.value);
    default: return null;
  }
}

export function satisfies(mode: 'at-least' | 'at-most', have: bigint, want: bigint): boolean {
  return mode === 'at-least' ? have >= want : have <= want;
}
