/**
 * How doctor writes numbers, limits and provenance into its sentences. Pure; en-US digit grouping
 * (`1,024`), so the output does not depend on the machine's locale.
 */
import { RLIM_INFINITY } from '../schema.js';
import type { ConfiguredNproc, SourceRef } from './report.js';

/** A count with digit grouping; a bigint limit may be `unlimited`. */
export function fmt(n: number | bigint): string {
  if (typeof n === 'bigint') {
    if (n === RLIM_INFINITY) return 'unlimited';
    n = Number(n);
  }
  return n.toLocaleString('en-US');
}

/** A kernel limit value as pam_limits writes it: a number, `unlimited`, or `unknown` (null). */
export function formatLimit(v: bigint | null): string {
  return v === null ? 'unknown' : v === RLIM_INFINITY ? 'unlimited' : v.toString();
}

/** A ratio as a whole percentage, rounded down: 0.999 → "99 %". */
export function pct(ratio: number): string {
  return `${Math.floor(ratio * 100)} %`;
}

/** "etc/security/limits.d/90-nproc.conf:5 *", or '' for no source. */
export function formatSource(s: SourceRef | null): string {
  return s ? `${s.file}:${s.line} ${s.domain}` : '';
}

/** "soft 1024 (limits.d/90-nproc.conf:5 *), hard 63445 (not configured: PID 1's limit)" */
export function describeConfigured(c: ConfiguredNproc): string {
  const half = (v: bigint | null, from: SourceRef | null, origin: string) => `${formatLimit(v)} (${from ? formatSource(from) : origin})`;
  return `soft ${half(c.soft, c.softFrom, c.softOrigin)}, hard ${half(c.hard, c.hardFrom, c.hardOrigin)}`;
}

/** A size in KiB (as /proc/meminfo gives it) in KiB, MiB or GiB. */
export function kib(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} GiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} MiB`;
  return `${n} KiB`;
}

/**
 * What doctor says when a snapshot (--root DIR) has no sys/: the cgroup pids limits are unknown,
 * and the live /sys is not read in its place (it would describe this machine, not the snapshot's).
 */
export function sysMissingProblem(sys: string): string {
  return `the snapshot has no sys/ (${sys}): cgroup pids limits (pids.max, pids.current) were not read, and the live /sys is not read for a snapshot; pass --sys DIR to read them (--sys /sys: this machine's)`;
}
