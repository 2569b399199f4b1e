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

/**
 * The warnings of a resolution (src/core/resolve.ts) about a limits file or limits.d that
 * pam_limits reads but limitsctl did not — this uid may not read it (pam_limits runs as root), or
 * it is above limitsctl's size cap: the values computed leave it out, so a sentence stating them
 * needs a caveat. (An unlistable limits.d that pam_limits cannot list either is not one: pam_limits
 * leaves it out too.)
 */
export function leftOutFiles(warnings: readonly string[]): string[] {
  return warnings.filter((w) => w.endsWith('this result leaves it out'));
}

/**
 * The caveat for values computed without the `n` files of {@link leftOutFiles} (a limits.d counts
 * as one); '' when n is 0.
 */
export function leftOutCaveat(n: number): string {
  if (n === 0) return '';
  const what = n === 1 ? 'one file or limits.d pam_limits reads was' : `${n} files or directories pam_limits reads were`;
  return `as far as the files limitsctl read say: ${what} not read (listed under "Some facts could not be read")`;
}

/**
 * {@link leftOutCaveat} for a resolution's warnings (undefined: no resolution, no caveat): the
 * caveat every sentence stating configured values carries.
 */
export function caveatOf(warnings: readonly string[] | undefined): string {
  return leftOutCaveat(leftOutFiles(warnings ?? []).length);
}
