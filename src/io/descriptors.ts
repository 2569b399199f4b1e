/**
 * How many file descriptors this process has free below its soft RLIMIT_NOFILE (getrlimit(2);
 * `ulimit -n`), for the two places that must know before they start: a tree scope, which keeps
 * directories open for a whole load (./paths.ts), and a write, which must not create its lock file
 * when it could not finish (./commit.ts {@link refuseFewDescriptors}).
 *
 * Linux only: the soft limit is read from /proc/self/limits ("Max open files"), the descriptors
 * open from the entries of /proc/self/fd (proc(5)). A count is conservative: open(2) fails with
 * EMFILE when no descriptor number below the limit is free, and every open descriptor (also one
 * numbered above a limit lowered later) is counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ProcessLimitError } from './write-errors.js';

/** RLIMIT_NOFILE's soft limit, read once (null: not known; Node never changes it). */
let nofileSoft: number | null | undefined;

/**
 * The soft RLIMIT_NOFILE of this process, from /proc/self/limits: a whole number, Infinity for
 * "unlimited", or null when it cannot be read (no /proc).
 */
export function nofileSoftLimit(): number | null {
  if (nofileSoft === undefined) {
    nofileSoft = null;
    try {
      const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'));
      if (m) nofileSoft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
    } catch { /* not known */ }
  }
  return nofileSoft;
}

/** What {@link freeDescriptors} found: the soft limit and the descriptors open now. */
export interface DescriptorCount {
  /** the soft RLIMIT_NOFILE (`ulimit -n`) */
  readonly limit: number;
  /** descriptors open now (entries of /proc/self/fd, less the one listing them) */
  readonly open: number;
  /** limit − open, at least 0 */
  readonly free: number;
}

/**
 * The descriptors free below the soft RLIMIT_NOFILE right now, or null when either the limit or
 * the open descriptors cannot be read (no /proc, or the listing itself fails — also with EMFILE).
 */
export function freeDescriptors(): DescriptorCount | null {
  const limit = nofileSoftLimit();
  if (limit === null) return null;
  let open: number;
  try {
    // the listing's own descriptor is among the entries it returns, and closed again after it
    open = readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
  return { limit, open, free: Math.max(0, limit - open) };
}

/**
 * Descriptors a write needs free before it creates its lock file, for a change of `files` files:
 * {@link WRITE_SPARE_FDS} + `files`. Measured on Debian 12 with Node 20 as the lowest `ulimit -n`
 * at which each editing command succeeds, less the descriptors open when it checks: 15 + the
 * number of files for a change of existing files (set, unset, apply, lint --fix, set --backup, a
 * unit's drop-in), 2 for a new file only. Most of it is the copy of an old file's attributes: cp(1)
 * run with pipes for its standard streams, about 13 descriptors while it starts.
 */
export function descriptorsForWrite(files: number): number {
  return WRITE_SPARE_FDS + Math.max(1, files);
}

/** The part of {@link descriptorsForWrite} that does not depend on the number of files: 15 measured, and a margin of 5. */
const WRITE_SPARE_FDS = 20;

/**
 * Refuse a write of `files` files (the first named `first`, as messages name it) before anything
 * is created — the lock file's creation and removal alone change `etc/security`'s mtime — when
 * fewer than {@link descriptorsForWrite} descriptors are free: a ProcessLimitError (EMFILE; exit 2)
 * saying how many are free, how many the write needs and the limit. Does nothing when the count
 * cannot be read (the write then meets EMFILE itself, if at all, and refuses as it always did).
 * @throws ProcessLimitError `EMFILE`
 */
export function refuseFewDescriptors(files: number, first: string): void {
  const count = freeDescriptors();
  if (count === null) return;
  const need = descriptorsForWrite(files);
  if (count.free >= need) return;
  throw ProcessLimitError.tooFew(first, files, count.free, need, count.limit);
}
