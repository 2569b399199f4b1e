/**
 * The edit transaction: the one place that turns a planned change of a configuration tree into
 * files on disk. `set`, `unset`, `apply` (src/cli/editing.ts), `lint --fix`
 * (src/cli/commands/lint.ts) and the Ansible module (ansible/library/limitsctl) all call
 * {@link commitEdits}; the guarantees it gives are those of docs/editing.md ("What a write
 * guarantees"), built from the write layer (./write.ts, ./write-journal.ts, ./tree-lock.ts).
 */
import { lstatSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkRootPaths, resolveInRoot } from './paths.js';
import { refuseFewDescriptors } from './descriptors.js';
import { journalPending, type RecoveryReport } from './write-journal.js';
import { ConcurrentModificationError, LimitsIoError } from './write-errors.js';
import { refuseUnwritable } from './writable.js';
import { MAX_LIMITS_FILE_BYTES } from './read.js';
import { withTreeLock } from './tree-lock.js';
import { SplicedBytes, TEMP_FILE_PATTERN, cpRefusal, cpUnavailable, hardLinkRefusal, writeFilesAtomic } from './write.js';

/** One file a plan changes (the shape of `planEdits`' FileChange; extra fields are ignored). */
export interface CommitChange {
  /** path relative to the tree root, '/'-separated (e.g. `etc/security/limits.conf`) */
  readonly path: string;
  /** the content the change was planned from (binary string: one char per byte); null = a new file */
  readonly before: string | null;
  /** the complete new content (binary string) */
  readonly after: string;
  /**
   * The bytes of `before` (one byte per character), when the caller has them (a plan from a tree
   * loaded with `keepBytes`, core/edit/types.ts FileChange): the write compares the file with them
   * instead of converting `before`, and, with exactly one edit in `edits`, builds the new content
   * from them and that edit instead of converting `after`. Ignored unless its length is `before`'s.
   */
  readonly beforeBytes?: Uint8Array;
  /**
   * The edits that turn `before` into `after` (offsets in characters = bytes); read only together
   * with `beforeBytes`, and only when there is one.
   */
  readonly edits?: readonly { readonly offset: number; readonly length: number; readonly content: string }[];
}

/** What a plan callback returns: the changes, plus anything else the caller wants back. */
export interface CommitPlan {
  readonly changes: readonly CommitChange[];
}

/** Options of {@link commitEdits}. */
export interface CommitOptions<P extends CommitPlan> {
  /**
   * Called with every plan, before anything is written (dry runs included); throw to refuse the
   * change (a change that would not take effect, warnings treated as errors). The error is passed
   * on unchanged. A plan refused before the lock is taken leaves no trace, not even a lock file.
   */
  readonly check?: (plan: P) => void;
  /** Plan and check only: nothing is written, no lock is taken. */
  readonly dryRun?: boolean;
  /** Keep the old content of each replaced file as `<name>.<UTC time>.bak` next to it. */
  readonly backup?: boolean;
  /**
   * A target with other hard links: `'refuse'` (default; `EHARDLINK`, nothing written) or
   * `'split'` (replace this name only; the other names keep the old content).
   */
  readonly hardLinks?: 'refuse' | 'split';
  /** How many times to plan under the lock when files keep changing underneath (default 3). */
  readonly maxAttempts?: number;
  /**
   * Take the tree lock (default true). Pass false only for a file that is not part of a tree
   * (no `<root>/etc/security` to hold the lock): the write is still atomic and compare-and-swap,
   * and the first plan is written as it is; a plan may then change one file only (a change of
   * several files needs the tree's lock and journal to be all-or-nothing).
   */
  readonly lock?: boolean;
  /** How long to wait for the tree lock, in milliseconds (default 30 000). */
  readonly lockTimeoutMs?: number;
  /**
   * The most bytes a changed file may hold after the change: the cap limitsctl reads that kind of
   * file with (src/io/read.ts), so that no change writes a file the next run refuses to read.
   * Default MAX_LIMITS_FILE_BYTES (16 MiB, limits.conf and limits.d); a systemd drop-in is read
   * with MAX_SMALL_FILE_BYTES (1 MiB). A change above it is refused with `ETOOLARGE`
   * ({@link tooLargeRefusal}) before anything is written, dry runs included.
   */
  readonly maxBytes?: number;
  /** Told when taking the lock completed (or undid) a multi-file change a killed process left. */
  readonly onRecovered?: (report: RecoveryReport) => void;
}

/** One file that was written. */
export interface CommittedFile {
  /** as in the plan: relative to the root */
  readonly path: string;
  /** the file actually written (absolute; symlinks followed) */
  readonly realPath: string;
  /** false when the file already held exactly the new content (it was not touched) */
  readonly changed: boolean;
  /** true when the file did not exist before */
  readonly created: boolean;
  /** where the old content was saved, with `backup` (absolute) */
  readonly backupPath?: string;
}

/** What {@link commitEdits} did. */
export interface CommitResult<P extends CommitPlan> {
  /** the plan that was written (or, for a dry run or a plan without changes, the one made) */
  readonly plan: P;
  /** the files written, in the plan's order; empty for a dry run or a plan without changes */
  readonly written: readonly CommittedFile[];
  /** how many times the change was planned under the lock (0 when the lock was not needed) */
  readonly attempts: number;
  /** a half-done change of a killed process that taking the lock completed or undid, else null */
  readonly recovered: RecoveryReport | null;
}

/**
 * Plan a change of the tree at `root` and write it as one transaction.
 *
 * 1. `plan()` is called and the result given to `check` — before any lock is taken, so bad input
 *    or a refused change creates nothing, not even the lock file. Then the pre-flight
 *    ({@link preflight}): a file whose new content is above `maxBytes` (`ETOOLARGE`: limitsctl
 *    could not read it back), and a refusal the writer can predict from the files alone — a target
 *    with other hard links under `hardLinks: 'refuse'` — are thrown here, dry runs included, so
 *    `--dry-run`/`--check` and a real run agree and a refused run leaves no trace. (A refusal that cannot be cheaply predicted, such as an immutable file, still comes
 *    from the writer, after the lock is taken; see docs/editing.md.)
 * 2. For a dry run, or a plan without changes (and no half-done change left in the tree), that
 *    plan is returned at once: nothing written, no lock.
 * 3. Otherwise the tree lock is taken (which first completes or undoes a multi-file change that a
 *    killed process left: `onRecovered`), and under it the tree is planned again (`plan()`,
 *    `check`, the size cap) and every changed file written by `writeFilesAtomic` as one all-or-nothing commit,
 *    each file compared right before its rename with the `before` it was planned from.
 * 4. When a file changed underneath (another program's edit), nothing is written and the change is
 *    planned again from what is now on disk, up to `maxAttempts` plans.
 *
 * `plan` must read the tree afresh on every call (it is called at least twice when something is
 * written) and may be async. Paths are relative to `root`; the lock is `<root>/etc/security/.limitsctl.lock`.
 *
 * @param root the tree root: an absolute directory ("/" on the live system)
 * @throws whatever `plan` or `check` throws, unchanged (nothing written)
 * @throws ConcurrentModificationError (`ECONFLICT`) when files were still changing underneath after
 *   `maxAttempts` plans (nothing written)
 * @throws LockTimeoutError (`ELOCKTIMEOUT`) when the lock stays held by another process
 * @throws JournalError (`EJOURNAL`) when a left-over change can be neither completed nor undone
 * @throws OutsideRootError (`EOUTSIDEROOT`) when a path leads outside `root`
 * @throws LimitsIoError `ETOOLARGE` when a file's new content would be above `maxBytes` (checked
 *   before the lock and again under it: nothing written, not even the lock file when it is refused
 *   before the lock)
 * @throws LimitsIoError with the errno code (`EACCES`, `EROFS`, `ENOSPC`…) or `ENOTREG`, `EHARDLINK`,
 *   `EATTR`, `EBADROOT`, `EDUPLICATE`; nothing written. `EPARTIAL` (PartialWriteError): renames
 *   failed and could not be undone; the journal stays and the next locked run completes the change.
 * @throws RangeError when `maxAttempts` is not a whole number ≥ 1, `maxBytes` not a whole number
 *   ≥ 0, or `lock: false` is given a plan that changes more than one file
 */
export async function commitEdits<P extends CommitPlan>(
  root: string,
  plan: () => P | Promise<P>,
  options: CommitOptions<P> = {},
): Promise<CommitResult<P>> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  const maxBytes = options.maxBytes ?? MAX_LIMITS_FILE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a whole number of at least 0, got ${maxBytes}`);
  const check = options.check ?? (() => undefined);
  const locking = options.lock !== false;

  const first = await plan();
  check(first);
  preflight(root, first.changes, options.hardLinks ?? 'refuse', maxBytes);
  if (options.dryRun === true) return { plan: first, written: [], attempts: 0, recovered: null };
  // nothing to write: no lock, unless a killed run left a half-done change that taking it completes
  if (first.changes.length === 0 && !(locking && journalPending(root))) return { plan: first, written: [], attempts: 0, recovered: null };
  // the writer's permission refusals (an immutable or read-only file, a directory this user may
  // not write), before the lock file is created: a real run only (a dry run previews the diff, also
  // as a user who may not write there, or of a read-only image)
  refuseUnwritable(root, first.changes.map((ch) => ({ abs: path.join(root, ch.path) })));
  // too few descriptors to finish: refused before the lock file is created (creating and removing
  // it alone changes etc/security's mtime)
  if (first.changes.length > 0) refuseFewDescriptors(first.changes.length, first.changes[0]!.path);

  let recovered: RecoveryReport | null = null;
  let attempts = 0;
  // without a lock there is nothing to re-plan under: the first attempt writes the first plan
  let pending: P | undefined = locking ? undefined : first;
  const transaction = async (): Promise<CommitResult<P>> => {
    for (;;) {
      attempts++;
      const p = pending ?? await plan();
      if (pending === undefined) {
        check(p);
        // a plan made under the lock from a file that grew meanwhile: the cap holds for it too
        refuseTooLarge(root, p.changes, maxBytes);
      }
      pending = undefined;
      if (p.changes.length === 0) return { plan: p, written: [], attempts, recovered };
      if (!locking && p.changes.length > 1) {
        throw new RangeError(`without the tree lock a change is written one file at a time; this plan changes ${p.changes.length} files`);
      }
      try {
        const results = await writeFilesAtomic(p.changes.map((ch) => ({
          path: path.join(root, ch.path),
          ...changeBytes(ch),
        })), { root, backup: options.backup === true, hardLinks: options.hardLinks ?? 'refuse' });
        const written = results.map((r, i): CommittedFile => ({
          path: p.changes[i]!.path,
          realPath: r.realPath,
          changed: r.changed,
          created: r.created,
          ...(r.backupPath !== undefined ? { backupPath: r.backupPath } : {}),
        }));
        return { plan: p, written, attempts, recovered };
      } catch (e) {
        // a file changed between the read and the write (another editor): plan again from disk
        if (e instanceof ConcurrentModificationError && attempts < maxAttempts) continue;
        throw e;
      }
    }
  };
  if (!locking) return await transaction();
  return await withTreeLock(root, transaction, {
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
    onRecovered: (r) => {
      recovered = r;
      options.onRecovered?.(r);
    },
  });
}

/**
 * The bytes to write for a change and those to find on disk: from `beforeBytes` and the change's
 * one edit when both are given and agree with the texts' lengths (no conversion of a large text;
 * the new content is then the old bytes around the edit and its new middle, as ranges:
 * ./write.ts SplicedBytes), else by converting `after` and `before` (binary strings: one byte
 * per character).
 */
export function changeBytes(ch: CommitChange): { data: Buffer | SplicedBytes; expected: Buffer | null } {
  if (ch.before === null) return { data: Buffer.from(ch.after, 'latin1'), expected: null };
  const bb = ch.beforeBytes;
  if (bb === undefined || bb.byteLength !== ch.before.length) return { data: Buffer.from(ch.after, 'latin1'), expected: Buffer.from(ch.before, 'latin1') };
  const expected = Buffer.from(bb.buffer, bb.byteOffset, bb.byteLength);
  const e = ch.edits?.length === 1 ? ch.edits[0]! : undefined;
  if (e === undefined || e.offset < 0 || e.length < 0 || e.offset + e.length > bb.byteLength
    || bb.byteLength - e.length + e.content.length !== ch.after.length) {
    return { data: Buffer.from(ch.after, 'latin1'), expected };
  }
  // the old bytes around the edit and its new middle, as ranges (never joined: ./write.ts SplicedBytes)
  const mid = Buffer.from(e.content, 'latin1');
  if (mid.length !== e.content.length) return { data: Buffer.from(ch.after, 'latin1'), expected };
  return { data: new SplicedBytes([expected.subarray(0, e.offset), mid, expected.subarray(e.offset + e.length)]), expected };
}

/**
 * The refusals checked before anything is written, without the lock (nothing created) and for dry
 * runs too:
 * - a change whose new content is above `maxBytes` bytes, the cap limitsctl reads the file with
 *   (src/io/read.ts): written, it would be a file that every later run refuses to read, so it is
 *   refused with `ETOOLARGE` ({@link tooLargeRefusal}); checked from the plan alone (`after`'s
 *   length), whatever `hardLinks` is;
 * - the refusals the writer (./write.ts) would make that can be seen from the tree alone: each
 *   change of an existing file is resolved in the root (symlinks followed chroot-style,
 *   src/io/paths.ts) and lstat'ed; a regular file with more than one hard link — pinning links of
 *   writers running now not counted — is refused under `hardLinks: 'refuse'` with the writer's own
 *   `EHARDLINK` error (same message);
 * - when a change replaces an existing file, cp — which copies its ACL and extended attributes to
 *   the new content — must be startable (./write.ts cpUnavailable): else the writer's own `EATTR`
 *   refusal, before the lock file is created.
 *
 * Anything else that goes wrong here (a path that cannot be resolved, a file that vanished) is left
 * to the writer, which reports it under the lock: the pre-flight only predicts, it never adds a
 * refusal the writer would not make (the size cap aside, which is the transaction's own).
 *
 * @param root the tree root (absolute)
 * @param maxBytes the most bytes a changed file may hold (default MAX_LIMITS_FILE_BYTES, 16 MiB)
 * @throws LimitsIoError `ETOOLARGE`, `EHARDLINK` or `EATTR`, nothing written
 */
export function preflight(root: string, changes: readonly CommitChange[], hardLinks: 'refuse' | 'split', maxBytes: number = MAX_LIMITS_FILE_BYTES): void {
  refuseTooLarge(root, changes, maxBytes);
  // a replaced file's attributes are copied by cp: one that cannot be started is the writer's
  // EATTR refusal, made here before the lock file is created
  // (a change whose new content is what it was planned from writes nothing: the writer finds the
  // file unchanged and runs no cp for it, so it is no reason to refuse)
  const replaced = changes.find((ch) => ch.before !== null && ch.after !== ch.before);
  const noCp = replaced === undefined ? null : cpUnavailable();
  if (replaced !== undefined && noCp !== null) throw cpRefusal(path.join(root, replaced.path), undefined, noCp);
  let real: string;
  try {
    real = checkRootPaths(root).real;
  } catch {
    return; // the writer reports a bad root
  }
  if (hardLinks === 'split') return;
  for (const ch of changes) {
    if (ch.before === null) continue; // a new file has no other names
    const refusal = hardLinkRefusalFor(root, real, ch.path);
    if (refusal !== undefined) throw refusal;
  }
}

/** Throws {@link tooLargeRefusal} for the first change whose new content is above `maxBytes` bytes. */
function refuseTooLarge(root: string, changes: readonly CommitChange[], maxBytes: number): void {
  // `after` is a binary string: its length is its size in bytes
  for (const ch of changes) if (ch.after.length > maxBytes) throw tooLargeRefusal(path.join(root, ch.path), ch.after.length, maxBytes);
}

/**
 * The refusal of a change whose new content would be above the cap limitsctl reads the file with
 * (src/io/read.ts): `ETOOLARGE`, naming the file, the size it would have and the cap, both in bytes.
 * Also made by the Ansible collection's planner (src/fleet/plan-host.ts) for the same reason.
 *
 * @param given the file as the caller names it
 * @param size the bytes its new content would have
 * @param maxBytes the cap, in bytes
 */
export function tooLargeRefusal(given: string, size: number, maxBytes: number): LimitsIoError {
  const mib = maxBytes > 0 && maxBytes % (1024 * 1024) === 0 ? ` (${maxBytes / (1024 * 1024)} MiB)` : '';
  return new LimitsIoError(
    `refusing to write ${given}: its new content would be ${size} bytes, above limitsctl's ${maxBytes}-byte cap${mib} for this file, ` +
      'so no later limitsctl run could read it; nothing was written',
    {
      code: 'ETOOLARGE',
      path: given,
      hint: 'Make the file smaller first (remove lines or comments it does not need), or put the new lines in another file.',
    },
  );
}

function hardLinkRefusalFor(root: string, real: string, rel: string): LimitsIoError | undefined {
  let st;
  let realPath: string;
  try {
    const r = resolveInRoot(root, rel);
    if (r.missing || r.rel === '') return undefined;
    realPath = path.join(real, ...r.rel.split('/'));
    st = lstatSync(realPath, { bigint: true });
  } catch {
    return undefined;
  }
  if (!st.isFile() || st.nlink <= 1n) return undefined;
  const links = st.nlink - pinningLinks(path.dirname(realPath), path.basename(realPath), st.ino);
  if (links <= 1n) return undefined;
  // a writer running now may have pinned the file (nlink 2) and then renamed its new file into
  // place and removed the pin before the directory was listed: the file changed underneath, and
  // the writer, under the lock, decides on what is there then
  try {
    const again = lstatSync(realPath, { bigint: true });
    if (again.ino !== st.ino || again.nlink !== st.nlink) return undefined;
  } catch {
    return undefined;
  }
  return hardLinkRefusal(path.join(root, rel), realPath, links);
}

/**
 * How many links of `name` (inode `ino`) in `dir` are the pinning links
 * (`.<name>.limitsctl-<pid>-<hex>.old.tmp`, ./write.ts TEMP_FILE_PATTERN) of a writer running now:
 * they are not other names of the file, and the writer does not count them either.
 */
function pinningLinks(dir: string, name: string, ino: bigint): bigint {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0n;
  }
  let n = 0n;
  for (const other of names) {
    const m = TEMP_FILE_PATTERN.exec(other);
    if (!m || m[1] !== name.slice(0, 200) || !other.endsWith('.old.tmp')) continue;
    try {
      if (lstatSync(path.join(dir, other), { bigint: true }).ino === ino) n++;
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}
