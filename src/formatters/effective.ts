/**
 * Views of a Resolution: the documented `effective --json` format (docs/effective-json.md) and
 * the per-half values the text commands print. Pure.
 */
import { type ItemInfo, ITEMS, NICE_RANGE, type Profile, PROFILE_TRAITS, type RlimitItem } from '../core/schema.js';
import type { Resolution, Slot, Source } from '../core/resolve.js';
import { kernelToConf } from '../core/values.js';
import { binaryToDisplay } from '../core/model.js';

/** A value in limits.conf units: an exact integer, "unlimited", or null when inherited. */
export type ConfValue = bigint | 'unlimited' | null;

export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly domain: string;
}

export interface HalfView {
  readonly value: ConfValue;
  readonly from: SourceRef | null;
  /** the kernel-unit value pam_limits passes to setrlimit, when known */
  readonly kernel: bigint | null;
  /** where a value no line set comes from */
  readonly baseline: 'pid1' | 'fallback' | 'process' | 'unknown' | null;
  /** the baseline value (limits.conf units) when no line sets it and it is known */
  readonly inherited: ConfValue;
  readonly clamped: boolean;
}

function sourceRef(s: Source | null): SourceRef | null {
  return s ? { file: s.file, line: s.line, domain: binaryToDisplay(s.domain) } : null; // bytes shown as text (core/bytes.ts)
}

/** The value pam_limits ends up using for one half of an rlimit, with where it comes from. */
export function halfView(res: Resolution, item: RlimitItem, half: 'soft' | 'hard'): HalfView {
  const r = res.rlimits[item];
  const slot: Slot = r[half];
  const kernel = r.applied ? r.applied[half] : null;
  const baseline = slot.origin === 'line' ? null : slot.origin;
  const inherited = slot.origin !== 'line' && slot.value !== null ? kernelToConf(r.info, slot.value) : null;
  if (!res.applied) return { value: null, from: null, kernel: null, baseline: 'unknown', inherited: null, clamped: false };
  if (slot.origin === 'line') {
    return { value: kernel === null ? null : kernelToConf(r.info, kernel), from: sourceRef(slot.source), kernel, baseline, inherited, clamped: half === 'soft' && r.clamped };
  }
  if (half === 'soft' && r.clamped && r.hard.origin === 'line' && kernel !== null) {
    // an inherited soft value above a configured hard value is lowered to it
    return { value: kernelToConf(r.info, kernel), from: sourceRef(r.hard.source), kernel, baseline, inherited, clamped: true };
  }
  return { value: null, from: null, kernel, baseline, inherited, clamped: false };
}

/** `16 MiB`, `1.5 GiB`: a byte count in the largest binary unit it reaches (one decimal unless exact). */
function binarySize(bytes: bigint): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  let div = 1n;
  while (u < units.length - 1 && bytes >= div * 1024n) { div *= 1024n; u++; }
  if (bytes % div === 0n) return `${bytes / div} ${units[u]}`;
  const tenths = (bytes * 10n + div / 2n) / div; // rounded to one decimal
  return `${tenths / 10n}.${tenths % 10n} ${units[u]}`;
}

/**
 * A value (limits.conf units, as ConfValue) as a person reads it in text output: with its unit
 * (schema.ts ItemInfo.unit), and where it helps what the kernel gets — `memlock 16384 KiB (16 MiB)`,
 * `cpu 90 minutes (5400 s)`, `msgqueue 819200 bytes (800 KiB)`. Counts, nice values and
 * `unlimited` as they are; null is `inherited`. JSON keeps plain limits.conf units
 * (docs/effective-json.md).
 */
export function valueWithUnit(info: Pick<ItemInfo, 'unit' | 'factor'>, v: ConfValue): string {
  if (v === null) return 'inherited';
  if (v === 'unlimited') return 'unlimited';
  switch (info.unit) {
    case 'KiB': return v >= 1024n ? `${v} KiB (${binarySize(v * 1024n)})` : `${v} KiB`;
    case 'minutes': return `${v} ${v === 1n ? 'minute' : 'minutes'} (${v * 60n} s)`;
    case 'bytes': return v >= 1024n ? `${v} bytes (${binarySize(v)})` : `${v} ${v === 1n ? 'byte' : 'bytes'}`;
    case 'microseconds': return `${v} µs`;
    default: return String(v);
  }
}

/**
 * Where a value no line sets comes from, by the profile's baseline rule (schema.ts traits):
 * Debian 10–12 (pid1Baseline) start from PID 1's limits, nofile soft at most 1024
 * (debianKernelLimits); Debian 13 and upstream from the limits of the process that calls
 * pam_limits (login, sshd, sudo…). `baseline` is HalfView.baseline.
 */
export function baselineText(profile: Profile, item: RlimitItem, half: 'soft' | 'hard', baseline: HalfView['baseline']): string {
  const traits = PROFILE_TRAITS[profile];
  const capped = traits.debianKernelLimits && item === 'nofile' && half === 'soft';
  switch (baseline) {
    case 'pid1': return `PID 1's limit${capped ? ', at most 1024' : ''}`;
    case 'fallback': return "Debian's built-in default";
    case 'process': return "the calling process's limit";
    default: return traits.pid1Baseline
      ? `PID 1's limits${capped ? ', nofile soft at most 1024' : ''}`
      : "the calling process's limits";
  }
}

function confJson(v: ConfValue): bigint | string | null {
  return v;
}

/** The items a profile knows that are rlimits, in RLIMIT order. */
export function rlimitItemsFor(res: Resolution): RlimitItem[] {
  return ITEMS.filter((i) => i.rlimit !== null && i.profiles.includes(res.profile)).map((i) => i.name as RlimitItem);
}

/** The documented `effective --json` object. bigint values are exact integers (see output.toJson). */
export function effectiveJson(res: Resolution, profileSource?: object) {
  const limits: Record<string, unknown> = {};
  for (const item of rlimitItemsFor(res)) {
    const s = halfView(res, item, 'soft');
    const h = halfView(res, item, 'hard');
    limits[item] = { soft: confJson(s.value), hard: confJson(h.value), softFrom: s.from, hardFrom: h.from };
  }
  if (res.applied && res.logins.source) {
    const v = res.logins.value < 0 ? 'unlimited' : BigInt(res.logins.value);
    const from = sourceRef(res.logins.source);
    limits[res.logins.system ? 'maxsyslogins' : 'maxlogins'] = { soft: v, hard: v, softFrom: from, hardFrom: from };
  }
  if (res.applied && res.nonewprivs.source) {
    const v = res.nonewprivs.value ? 1n : 0n;
    const from = sourceRef(res.nonewprivs.source);
    limits.nonewprivs = { soft: v, hard: v, softFrom: from, hardFrom: from };
  }
  if (res.applied && res.chroot?.source) {
    const from = sourceRef(res.chroot.source);
    limits.chroot = { soft: res.chroot.value, hard: res.chroot.value, softFrom: from, hardFrom: from };
  }
  return {
    user: binaryToDisplay(res.identity.name),
    uid: res.identity.uid,
    gid: res.identity.gid,
    groups: res.identity.groups.map((g) => binaryToDisplay(g.name)),
    profile: res.profile,
    ...(profileSource !== undefined ? { profileSource } : {}),
    applied: res.applied,
    result: res.result,
    limits,
    // setpriority(2) clamps the nice value to -20..19: `value` is what the session runs with, `written` what pam_limits passed
    priority: res.applied ? { value: clampNice(res.priority.value), written: res.priority.value, from: sourceRef(res.priority.source) } : null,
    warnings: resolutionWarnings(res),
  };
}

/** The nice value setpriority(2) leaves for `n` (Linux clamps to NICE_RANGE, -20..19). */
export function clampNice(n: number): number {
  return Math.min(Number(NICE_RANGE.max), Math.max(Number(NICE_RANGE.min), n));
}

/** Warnings a user should see next to the values. */
export function resolutionWarnings(res: Resolution): string[] {
  const out = [...res.warnings];
  if (res.noLimit) out.push(`${res.noLimit.file}:${res.noLimit.line}: '${binaryToDisplay(res.noLimit.domain)} -' matches ${binaryToDisplay(res.identity.name)}: pam_limits stops reading and applies no limits at all`);
  if (res.failure) out.push(`${res.failure.reason}`);
  if (res.logins.check === 'deny') out.push(`maxlogins 0 (${res.logins.source?.file}:${res.logins.source?.line}): every login of ${binaryToDisplay(res.identity.name)} is refused (PAM_PERM_DENIED)`);
  if (res.applied) {
    for (const item of rlimitItemsFor(res)) {
      const r = res.rlimits[item];
      if (r.clamped) {
        const s = r.soft.source ? `${r.soft.source.file}:${r.soft.source.line}` : 'the inherited soft value';
        const h = r.hard.source ? `${r.hard.source.file}:${r.hard.source.line}` : "the inherited hard value";
        out.push(`${item}: soft (${s}) is above hard (${h}); pam_limits lowers soft to ${kernelToConf(r.info, r.applied!.hard!)}`);
      }
    }
    if (PROFILE_TRAITS[res.profile].rootExempt && res.identity.uid === 0) {
      const ignored = res.events.filter((e) => !e.matched && (e.source.domain === '*' || /^[@%][^:]*$/.test(e.source.domain)));
      if (ignored.length > 0) out.push(`uid 0: Debian's pam_limits ignores '*', '@group' and '%' lines for root (${ignored.length} such line${ignored.length === 1 ? '' : 's'}); use 'root' or a uid range like '0:' instead`);
    }
  }
  return out;
}
