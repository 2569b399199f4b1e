/**
 * Safe writes of config files: atomic replacement, compare-and-swap against what the caller
 * planned from, multi-file commits that are all-or-nothing across a crash, backups, and
 * (re-exported from ./tree-lock.js) the per-tree lock. docs/editing.md states the guarantees.
 *
 * How files are written ({@link writeFilesAtomic}):
 *  1. Each path is resolved inside the tree by the tree reader's rule (src/io/paths.ts via
 *     src/io/write-paths.ts): symlinks are followed chroot-style and a path that leaves the root is
 *     refused ({@link OutsideRootError}); a symlink stays a symlink and its final target is
 *     replaced. The target's directory is then opened from the root one component at a time
 *     without following links, and every later step names files relative to that open directory,
 *     so a directory swapped for a symlink meanwhile cannot redirect the write out of the tree.
 *     Missing directories up to it are created (0755, whatever the umask).
 *  2. The target must be a regular file (never opened in a way that blocks on a FIFO) with one
 *     link: a file with other hard links is refused (`EHARDLINK`) unless `hardLinks: 'split'`.
 *  3. The old file is pinned by a hard link `.<name>.limitsctl-<pid>-<hex>.old.tmp`, and its
 *     content is compared with what the caller planned from (`expected`).
 *  4. The new content goes to a temporary file in the same directory,
 *     `.<name>.limitsctl-<pid>-<hex>.tmp` ({@link TEMP_FILE_PATTERN}: hidden, never `*.conf`, so
 *     pam_limits ignores it). It gets the old file's extended attributes and ACL (copied with
 *     coreutils `cp --attributes-only --preserve=mode,xattr`: `user.*`, `security.*` such as the
 *     SELinux label, `system.posix_acl_access`), owner, group and exact mode (setuid/setgid/sticky
 *     included), or 0644 for a new file whatever the umask, and is fsync'ed with its directory.
 *  5. With `backup`, the old content is saved next to the target (see {@link backupFileName}).
 *  6. With more than one file to replace, an intent journal is written (./write-journal.ts).
 *  7. Right before each rename the target is checked again: still the pinned inode, with the
 *     planned content (or still absent); the directory's path still leads to the open directory.
 *     Then rename(2) puts the new file in place; afterwards the pinned old inode is checked once
 *     more, so an in-place write by another program in between is also caught. A conflict undoes
 *     the renames already done and throws {@link ConcurrentModificationError}: nothing is
 *     overwritten, the caller re-plans.
 *  8. The directories are fsync'ed, the journal and the pinning links removed.
 * At any crash each target holds either its complete old or its complete new content, and a
 * multi-file change is completed (or undone) by the next run that takes the tree lock. On any error
 * before the renames, temporary files, links, backups and directories made for the write are
 * removed and the targets are untouched. Temporary files left by a killed process are recognisable
 * by name and removed by later writes to the same directory ({@link cleanStaleTempFiles}).
 *
 * Not kept: the inode number (the file is a new inode) and, with `hardLinks: 'split'`, the link
 * between the names. The module writes nothing to stdout/stderr.
 *
 * Test-only environment hooks (they make the process stop at a point so a test can race or kill
 * it): LIMITSCTL_TEST_PAUSE_AFTER_PLAN (paths resolved, nothing written yet) /
 * LIMITSCTL_TEST_PAUSE_BEFORE_RENAME / LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES = a file path;
 * at that point the process creates the file and waits until `<path>.go` exists.
 *
 * Why one file (about 800 lines): the steps above are one protocol whose safety comes from their
 * order: pin, compare, temp, attributes, journal, rename, check after rename, undo or roll back.
 * The helpers below share the private `Plan` record and are each called from one step; split
 * across modules they would have to export that record and the ordering would no longer be
 * readable top to bottom. The parts that stand alone already live apart: path resolution
 * (./write-paths.ts), the journal (./write-journal.ts), the lock (./tree-lock.ts), errors
 * (./write-errors.ts), and the edit transaction that calls this (./commit.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomHex } from './random.js';
import { accessSync, constants as fsConstants, existsSync, statSync, type BigIntStats, type Stats, writeFileSync, writeSync } from 'node:fs';
import { systemTool } from './system-tools.js';
import { access, link, lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import {
  ConcurrentModificationError,
  HardLinkError,
  LimitsIoError,
  PartialWriteError,
  isErrno,
  isOwnLimit,
  pidAlive,
  wrapIoError,
} from './write-errors.js';
import { kind, notRegular, readRegularAt, recoverJournal, sameContentAt, sha256, writeJournal } from './write-journal.js';
import {
  type DirHandle,
  type TreeRoot,
  fsyncDir,
  openTreeDir,
  removeDirs,
  resolveInsideRoot,
  resolveRoot,
  verifyDir,
} from './write-paths.js';

export {
  ConcurrentModificationError,
  HardLinkError,
  LimitsIoError,
  LockTimeoutError,
  OutsideRootError,
  PartialWriteError,
  ProcessLimitError,
  type LimitsIoCode,
  type LockOwner,
  type PartialWriteEntry,
} from './write-errors.js';
export { JOURNAL_RELATIVE_PATH, JournalError, type RecoveryReport, journalPending, recoverJournal } from './write-journal.js';
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  LOCK_RELATIVE_PATH,
  type TreeLockOptions,
  treeLockPath,
  withTreeLock,
} from './tree-lock.js';

/** Mode of a file that did not exist before (independent of the umask). */
const NEW_FILE_MODE = 0o644;

/**
 * Names of temporary files made by this module: `.<name>.limitsctl-<pid>-<hex>.tmp`, and
 * `.<name>.limitsctl-<pid>-<hex>.old.tmp` for the link that pins the old file during a write.
 * Group 1 is the target's name, group 2 the writer's pid.
 */
export const TEMP_FILE_PATTERN = /^\.(.*)\.limitsctl-(\d+)-([0-9a-f]+)(?:\.old)?\.tmp$/;

/**
 * Names of backups: `<name>.<YYYYMMDD>T<HHMMSS>Z.bak`, or `<name>.<…>Z.<n>.bak` when that name is
 * taken. Group 1 is the original name.
 */
export const BACKUP_FILE_PATTERN = /^(.*)\.(\d{8}T\d{6}Z)(?:\.(\d+))?\.bak$/;

/** A temporary file older than this is removed even if its writer's pid is alive (pid reuse). */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** Identity of a file's content at some moment, as returned in {@link FileSnapshot.stamp}. */
export interface FileStamp {
  readonly ino: bigint | number;
  readonly size: bigint | number;
  /** nanosecond mtime (compared exactly when present) */
  readonly mtimeNs?: bigint;
  /** millisecond mtime (compared when `mtimeNs` is absent, e.g. for a plain fs.Stats) */
  readonly mtimeMs?: number | bigint;
}

/** A file as read by {@link readFileSnapshot}: what a caller plans a change from. */
export interface FileSnapshot {
  /** the path as given */
  readonly path: string;
  /** the physical path (symlinks followed) */
  readonly realPath: string;
  readonly exists: boolean;
  /** the content; null when the file does not exist */
  readonly data: Buffer | null;
  /** the stamp of the same inode that `data` was read from; null when the file does not exist */
  readonly stamp: FileStamp | null;
}

/**
 * What the caller planned from; the write is refused with {@link ConcurrentModificationError} if
 * the file is no longer like this:
 * - a Buffer/Uint8Array: the exact old content (the strongest check);
 * - a {@link FileSnapshot}: its `data` (content check; a snapshot of a missing file means "must
 *   still not exist");
 * - a {@link FileStamp} or fs.Stats / fs.BigIntStats: same inode, size and mtime (cheaper, but a
 *   same-size in-place edit within the file system's timestamp granularity goes unnoticed);
 * - `null`: the file must not exist.
 */
export type Expected = Uint8Array | FileSnapshot | FileStamp | Stats | BigIntStats | null;

/** Options shared by {@link writeFileAtomic} and {@link writeFilesAtomic}. */
export interface WriteOptions {
  /** The tree root: an absolute directory ("/" on the live system). Nothing outside is written. */
  readonly root: string;
  /** Save the old content of each replaced file first (see {@link backupFileName}). */
  readonly backup?: boolean;
  /** Clock for backup names (tests). */
  readonly now?: () => Date;
  /**
   * A target with other hard links: `'refuse'` (default) throws `EHARDLINK` and writes nothing;
   * `'split'` replaces this name only (the other names keep the old content).
   */
  readonly hardLinks?: 'refuse' | 'split';
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileOptions extends WriteOptions {
  /** What the caller planned from; omitted = no concurrency check. */
  readonly expected?: Expected;
}

/**
 * New content given as consecutive byte ranges — an edit's unchanged head and tail of the old
 * file around its new middle (./commit.ts changeBytes) — written, compared and hashed range by
 * range, never joined into one buffer of the file's size: on a machine where the first touch of
 * a page is expensive (a virtual machine whose host backs guest memory lazily), a new buffer of
 * a large file's size cost more than writing it.
 */
export class SplicedBytes {
  /** the length of the content (the sum of the parts') */
  readonly byteLength: number;
  constructor(readonly parts: readonly Uint8Array[]) {
    let n = 0;
    for (const x of parts) n += x.byteLength;
    this.byteLength = n;
  }

  /** the content as one buffer (a copy) */
  join(): Buffer {
    return Buffer.concat(this.parts.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)), this.byteLength);
  }
}

/** A file's new content: bytes, or {@link SplicedBytes}. */
export type Content = Uint8Array | SplicedBytes;

/** The byte ranges of `c`, in order. */
export function contentParts(c: Content): readonly Uint8Array[] {
  return c instanceof SplicedBytes ? c.parts : [c];
}

/** Whether `a` holds exactly the content `c`. */
function sameContent(a: Uint8Array, c: Content): boolean {
  if (!(c instanceof SplicedBytes)) return sameBytes(a, c);
  if (a.byteLength !== c.byteLength) return false;
  const whole = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  let at = 0;
  for (const x of c.parts) {
    if (whole.compare(x, 0, x.byteLength, at, at + x.byteLength) !== 0) return false;
    at += x.byteLength;
  }
  return true;
}

/** One file of a {@link writeFilesAtomic} call. */
export interface FileWrite {
  /** Path of the file (absolute, inside the root; may be or pass through a symlink). */
  readonly path: string;
  /** The complete new content (bytes; a binary string converts with Buffer.from(s, 'latin1')). */
  readonly data: Content;
  /** What the caller planned from; omitted = no concurrency check. */
  readonly expected?: Expected;
}

/** What happened to one file. */
export interface WriteResult {
  /** the path as given */
  readonly path: string;
  /** the file actually written (symlinks followed) */
  readonly realPath: string;
  /** false when the file already had exactly this content (nothing was touched) */
  readonly changed: boolean;
  /** true when the file did not exist before */
  readonly created: boolean;
  /** where the old content was saved, with `backup` */
  readonly backupPath?: string;
}

/**
 * Read a file for planning a change: content and stamp of the same inode, through symlinks, with
 * the same root rule as a write. A missing file gives `exists: false` (not an error).
 * @throws OutsideRootError, or LimitsIoError with the errno code (EACCES, EISDIR…) or `ENOTREG`
 *   (a FIFO, socket or device: never opened in a way that could block)
 */
export async function readFileSnapshot(file: string, options: { readonly root: string }): Promise<FileSnapshot> {
  const root = await resolveRoot(options.root);
  const phys = await resolveInsideRoot(file, root);
  const missing: FileSnapshot = { path: file, realPath: phys.realPath, exists: false, data: null, stamp: null };
  if (!phys.exists) return missing;
  let dir: DirHandle;
  try {
    dir = await openTreeDir(root, path.posix.dirname(phys.rel), { given: file });
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return missing;
    throw e;
  }
  const name = path.posix.basename(phys.rel);
  let fh;
  try {
    fh = await open(dir.at(name), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    dir.close();
    if (isErrno(e, 'ENOENT')) return missing;
    if (isErrno(e, 'ELOOP')) throw new ConcurrentModificationError(file, phys.realPath, 'it was replaced by a symlink while reading');
    throw wrapIoError(e, 'read', file, phys.realPath, path.dirname(phys.realPath));
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (st.isDirectory()) throw errnoError('EISDIR', 'is a directory');
    if (!st.isFile()) throw notRegular(file, phys.realPath, kind(st));
    const data = await fh.readFile();
    return { path: file, realPath: phys.realPath, exists: true, data, stamp: toStamp(st) };
  } catch (e) {
    throw wrapIoError(e, 'read', file, phys.realPath, path.dirname(phys.realPath));
  } finally {
    await fh.close();
    dir.close();
  }
}

/**
 * Replace `file` with `data` atomically (see the module comment for the steps). When the file
 * already holds exactly `data`, nothing is touched and `changed` is false.
 *
 * @throws ConcurrentModificationError (`ECONFLICT`) when the file differs from `expected`, also
 *   when it changes right before the rename, or a directory on its path is swapped meanwhile
 * @throws OutsideRootError (`EOUTSIDEROOT`) when the path leads outside `root`
 * @throws LimitsIoError with the errno code (`EACCES`, `EPERM`, `EROFS`, `ENOSPC`, `ENOTDIR`,
 *   `EISDIR`…) or `ENOTREG`/`EBADROOT`/`EHARDLINK`/`EATTR`; in every case nothing was written
 */
export async function writeFileAtomic(file: string, data: Content, options: WriteFileOptions): Promise<WriteResult> {
  const [result] = await writeFilesAtomic(
    [options.expected === undefined ? { path: file, data } : { path: file, data, expected: options.expected }],
    options,
  );
  return result as WriteResult;
}

/**
 * Write several files as one change, all or nothing. Every file is prepared first (resolved, its
 * directory opened, the old file pinned and checked, its temporary file written and fsync'ed, its
 * backup made); with two or more files to replace an intent journal is then written
 * (./write-journal.ts), and the files are renamed into place in the order given, each checked right
 * before its rename. If anything fails before the first rename, nothing is renamed and everything
 * prepared is removed. A conflict found between renames undoes the renames already done (each old
 * file gets its inode back) and throws {@link ConcurrentModificationError}. If rename(2) itself
 * fails after some renames and undoing them fails too, {@link PartialWriteError} lists which files
 * are new; the journal stays, and the next run that takes the tree lock completes the change. A
 * killed process is completed (or undone) the same way. A left-over journal is recovered first.
 *
 * Call it inside {@link withTreeLock}, around the read that `expected` comes from.
 *
 * @returns one result per input, in the input order
 * @throws as {@link writeFileAtomic}; `EDUPLICATE` when two entries are the same file; `EJOURNAL`
 *   when a left-over journal cannot be recovered
 */
export async function writeFilesAtomic(files: readonly FileWrite[], options: WriteOptions): Promise<WriteResult[]> {
  const root = await resolveRoot(options.root);
  await recoverJournal(root.abs);
  const plans: Plan[] = [];
  const byReal = new Map<string, string>();
  let removeJournal: (() => Promise<void>) | undefined;
  try {
    try {
      for (const f of files) {
        const plan = await planOne(f, root, options);
        plans.push(plan);
        const dup = byReal.get(plan.realPath);
        if (dup !== undefined) {
          throw new LimitsIoError(
            `${f.path} and ${dup} are the same file (${plan.realPath}); give each file once`,
            { code: 'EDUPLICATE', path: f.path, realPath: plan.realPath },
          );
        }
        byReal.set(plan.realPath, f.path);
      }
      const todo = plans.filter((p) => !p.unchanged);
      // cp copies a replaced file's attributes (copyAttributes): one that cannot be started is
      // refused now, before a file is pinned or made (each would change its directory's mtime)
      const replaced = todo.find((p) => p.exists);
      const noCp = replaced === undefined ? null : cpUnavailable();
      if (replaced !== undefined && noCp !== null) throw cpRefusal(replaced.given, replaced.realPath, noCp);
      await pausePoint('LIMITSCTL_TEST_PAUSE_AFTER_PLAN');
      for (const p of todo) await pinOld(p);
      for (const p of todo) await prepareTemp(p);
      for (const d of uniqueDirs(todo)) await fsyncDir(d);
      if (options.backup === true) {
        const now = (options.now ?? (() => new Date()))();
        for (const p of todo) if (p.exists) await makeBackup(p, now);
      }
      if (todo.length > 1) {
        removeJournal = await writeJournal(
          root,
          todo.map((p) => ({
            dir: p.dir.rel,
            name: p.name,
            temp: p.tempName as string,
            old: p.oldName ?? null,
            before: p.oldData === undefined ? null : sha256(p.oldData),
            after: sha256(contentParts(p.data)),
          })),
        );
      }
    } catch (e) {
      await rollback(plans);
      throw e;
    }

    const todo = plans.filter((p) => !p.unchanged);
    const committed: Plan[] = [];
    try {
      for (let i = 0; i < todo.length; i++) {
        const p = todo[i] as Plan;
        if (i === 0) await pausePoint('LIMITSCTL_TEST_PAUSE_BEFORE_RENAME');
        verifyDir(p.dir, p.given);
        await checkBeforeRename(p);
        try {
          await rename(p.dir.at(p.tempName as string), p.dir.at(p.name));
        } catch (e) {
          throw wrapIoError(e, 'rename', p.given, p.realPath, p.dir.phys);
        }
        committed.push(p);
        activeTemps.delete(p.tempName as string);
        await checkAfterRename(p);
        if (i < todo.length - 1) await pausePoint('LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES');
      }
    } catch (e) {
      const undone = await undo(committed);
      if (!undone) {
        // Some new content is in place and could not be taken back: the journal (kept) lets the
        // next run finish the change.
        throw new PartialWriteError(
          todo.map((q) => ({ path: q.given, committed: committed.includes(q) })),
          e,
        );
      }
      await rollback(plans);
      if (removeJournal !== undefined) await removeJournal().catch(() => undefined);
      throw e;
    }
    for (const d of uniqueDirs(todo)) {
      try {
        await fsyncDir(d);
      } catch (e) {
        const p = todo.find((q) => q.dir === d) as Plan;
        throw wrapIoError(e, 'sync', p.given, p.realPath, d.phys);
      }
    }
    if (removeJournal !== undefined) await removeJournal();
    for (const p of todo) if (p.oldName !== undefined) await unlink(p.dir.at(p.oldName)).catch(() => undefined);
    for (const d of uniqueDirs(todo)) await cleanStaleTempFiles(d).catch(() => undefined);

    return plans.map((p) => {
      const r: WriteResult = { path: p.given, realPath: p.realPath, changed: !p.unchanged, created: !p.exists };
      return p.backupPath !== undefined ? { ...r, backupPath: p.backupPath } : r;
    });
  } finally {
    for (const p of plans) p.dir.close();
  }
}

/**
 * The backup name of `fileName` at `date`: `<fileName>.<YYYYMMDD>T<HHMMSS>Z.bak` (UTC), or with
 * `.<n>` before `.bak` for the n-th collision. A backup of `limits.d/x.conf` is `x.conf.….bak`,
 * which pam_limits never reads (it reads only `limits.d/*.conf`). Backups live next to the file
 * they save (the symlink's final target, for a symlink) and have its mode, owner and group.
 */
export function backupFileName(fileName: string, date: Date, n = 0): string {
  const ts = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return n === 0 ? `${fileName}.${ts}.bak` : `${fileName}.${ts}.${n}.bak`;
}

/**
 * Remove temporary files of this module left in `dir` (a path, or an open directory) by processes
 * that died (or older than an hour). Files of live writers are kept. Returns the paths removed.
 * Never throws for a single file.
 */
export async function cleanStaleTempFiles(dir: string | DirHandle): Promise<string[]> {
  const removed: string[] = [];
  const at = (name: string) => (typeof dir === 'string' ? path.join(dir, name) : dir.at(name));
  const shown = (name: string) => path.join(typeof dir === 'string' ? dir : dir.phys, name);
  let names: string[];
  try {
    names = await readdir(at('.'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_FILE_PATTERN.exec(name);
    if (!m) continue;
    if (activeTemps.has(name)) continue;
    const pid = Number(m[2]);
    try {
      const st = await lstat(at(name));
      if (!st.isFile()) continue;
      const old = Date.now() - st.mtimeMs > TEMP_MAX_AGE_MS;
      if (pid !== process.pid && pidAlive(pid) && !old) continue;
      await unlink(at(name));
      removed.push(shown(name));
    } catch {
      /* vanished or not removable: leave it */
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------

/** Names of temporary files this process is writing right now (never cleaned as stale). */
const activeTemps = new Set<string>();

interface Plan {
  readonly given: string;
  readonly realPath: string;
  /** the open directory holding the target */
  readonly dir: DirHandle;
  readonly name: string;
  readonly exists: boolean;
  readonly data: Content;
  readonly expected: Expected | undefined;
  /** mode/uid/gid to give the new file */
  readonly mode: number;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly unchanged: boolean;
  readonly createdDirs: string[];
  /** the link pinning the old file, and that file's identity */
  oldName?: string;
  oldDev?: number;
  oldIno?: number;
  tempName?: string;
  tempIno?: number;
  /** the old content, read from the pinned inode */
  oldData?: Buffer | undefined;
  backupPath?: string;
}

function uniqueDirs(plans: readonly Plan[]): DirHandle[] {
  return [...new Set(plans.map((p) => p.dir))];
}

function toStamp(st: BigIntStats): FileStamp {
  return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
}

function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

function isSnapshot(x: unknown): x is FileSnapshot {
  return typeof x === 'object' && x !== null && 'data' in x && 'exists' in x;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** The old content `expected` names (bytes, or an existing file's snapshot), else undefined. */
function expectedBytes(exp: Expected | undefined): Uint8Array | undefined {
  if (exp === undefined || exp === null) return undefined;
  if (isBytes(exp)) return exp;
  if (isSnapshot(exp)) return exp.exists && exp.data !== null ? exp.data : undefined;
  return undefined;
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

function conflict(p: { given: string; realPath: string }, detail: string): never {
  throw new ConcurrentModificationError(p.given, p.realPath, detail);
}

/** Test hook (see the module comment): stop here until `<file>.go` exists. */
async function pausePoint(variable: string): Promise<void> {
  const file = process.env[variable];
  if (file === undefined || file === '') return;
  writeFileSync(file, `${process.pid}\n`);
  while (!existsSync(`${file}.go`)) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Check `current` (the file's content now, undefined = absent) against `expected`. For a stamp,
 * `st` is the stat of the same inode.
 */
function checkAgainst(
  p: { given: string; realPath: string },
  exp: Expected | undefined,
  current: Buffer | undefined,
  st: BigIntStats | undefined,
): void {
  if (exp === undefined) return;
  if (exp === null || (isSnapshot(exp) && !exp.exists)) {
    if (current !== undefined) conflict(p, 'it was expected not to exist, but now it does');
    return;
  }
  if (current === undefined) conflict(p, 'it was deleted');
  if (isBytes(exp) || isSnapshot(exp)) {
    const want = isBytes(exp) ? exp : (exp.data as Buffer);
    if (!sameBytes(current as Buffer, want)) conflict(p, 'its content differs');
    return;
  }
  // A stamp or fs.Stats.
  const s = exp as FileStamp;
  if (st === undefined) return;
  const same =
    typeof s.mtimeNs === 'bigint'
      ? st.ino === BigInt(s.ino) && st.size === BigInt(s.size) && st.mtimeNs === s.mtimeNs
      : st.ino === BigInt(s.ino) && st.size === BigInt(s.size) && Number(st.mtimeMs) === Number(s.mtimeMs);
  if (!same) conflict(p, 'its inode, size or modification time differ');
}

async function planOne(f: FileWrite, root: TreeRoot, options: WriteOptions): Promise<Plan> {
  if (!isBytes(f.data) && !(f.data instanceof SplicedBytes)) throw new TypeError(`data for ${f.path} must be a Buffer/Uint8Array or SplicedBytes`);
  const phys = await resolveInsideRoot(f.path, root);
  const realPath = phys.realPath;
  const relDir = path.posix.dirname(phys.rel);
  const name = path.posix.basename(phys.rel);
  const createdDirs: string[] = [];
  const dir = await openTreeDir(root, relDir === '.' ? '' : relDir, { given: f.path, create: true, created: createdDirs });
  try {
    // A killed writer's pinning link would look like a second hard link: clear leftovers first.
    await cleanStaleTempFiles(dir).catch(() => undefined);
    let st: BigIntStats | undefined;
    try {
      st = await lstat(dir.at(name), { bigint: true });
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw wrapIoError(e, 'stat', f.path, realPath, dir.phys);
    }
    let mode = NEW_FILE_MODE;
    let uid: number | undefined;
    let gid: number | undefined;
    if (st !== undefined) {
      if (st.isSymbolicLink()) conflict({ given: f.path, realPath }, 'it was replaced by a symlink while writing');
      if (st.isDirectory()) throw wrapIoError(errnoError('EISDIR', 'is a directory'), 'rename', f.path, realPath, dir.phys);
      if (!st.isFile()) throw notRegular(f.path, realPath, kind(st));
      const links = st.nlink > 1n ? st.nlink - (await pinningLinks(dir, name, st.ino)) : 1n;
      if (links > 1n && options.hardLinks !== 'split') throw hardLinkRefusal(f.path, realPath, links);
      mode = Number(st.mode) & 0o7777;
      uid = Number(st.uid);
      gid = Number(st.gid);
    }
    const exists = st !== undefined;
    // Permission pre-checks, so a write behaves like an in-place write permission-wise: refused for
    // a file you may not write (or an immutable one, or on a read-only file system).
    try {
      if (exists) await access(dir.at(name), fsConstants.W_OK);
    } catch (e) {
      throw wrapIoError(e, 'rename', f.path, realPath, realPath);
    }
    try {
      await access(dir.at('.'), fsConstants.W_OK | fsConstants.X_OK);
    } catch (e) {
      throw wrapIoError(e, exists ? 'rename' : 'create-temp', f.path, realPath, dir.phys);
    }
    // With the old content given (bytes or a snapshot) and new content that differs from it, the
    // file is not read whole here: a file of another size is a conflict at once, and the content is
    // compared a piece at a time (no copy of the file held), so a conflict is found before any
    // file of the transaction is planned or anything made (no pin link, no directory created and
    // removed: not even a directory's mtime changes); pinOld compares again on the pinned inode.
    // Otherwise it is read now: to compare with a stamp, and to see that a file already holding
    // `data` needs no write.
    const want = exists && st !== undefined ? expectedBytes(f.expected) : undefined;
    if (want !== undefined && BigInt(want.byteLength) !== st!.size) conflict({ given: f.path, realPath }, 'its content differs');
    const deferred = want !== undefined && !sameContent(want, f.data);
    if (deferred) {
      const same = await sameContentAt(dir, name, f.path, want!);
      if (same === undefined) conflict({ given: f.path, realPath }, 'it was deleted');
      if (!same) conflict({ given: f.path, realPath }, 'its content differs');
    }
    const current = exists && !deferred ? await readRegularAt(dir, name, f.path) : undefined;
    if (!deferred) checkAgainst({ given: f.path, realPath }, f.expected, current, st);
    const unchanged = current !== undefined && sameContent(current, f.data);
    return { given: f.path, realPath, dir, name, exists, data: f.data, expected: f.expected, mode, uid, gid, unchanged, createdDirs };
  } catch (e) {
    dir.close();
    await removeDirs(createdDirs);
    throw e;
  }
}

/**
 * The refusal of a target that has other hard links (`hardLinks: 'refuse'`): `given` as the caller
 * named it, `realPath` the file it leads to, `links` its link count (pinning links of running
 * writers not counted). The edit transaction (./commit.ts) throws the same error in its pre-flight,
 * so a dry run predicts the refusal word for word.
 * @returns a HardLinkError (code `EHARDLINK`)
 */
export function hardLinkRefusal(given: string, realPath: string, links: bigint): HardLinkError {
  return new HardLinkError(given, realPath, links);
}

/** How many pinning links of writers running now (other processes without the lock) `name` has. */
async function pinningLinks(dir: DirHandle, name: string, ino: bigint): Promise<bigint> {
  let n = 0n;
  for (const other of await readdir(dir.at('.')).catch(() => [] as string[])) {
    const m = TEMP_FILE_PATTERN.exec(other);
    if (!m || m[1] !== name.slice(0, 200) || !other.endsWith('.old.tmp')) continue;
    const st = await lstat(dir.at(other), { bigint: true }).catch(() => undefined);
    if (st?.ino === ino) n++;
  }
  return n;
}

function tempNameFor(fileName: string, suffix = '.tmp'): string {
  return `.${fileName.slice(0, 200)}.limitsctl-${process.pid}-${randomHex(6)}${suffix}`;
}

/**
 * Pin the old file with a hard link (so its inode, content and attributes stay reachable for the
 * checks around the rename, for undoing, and for the journal), then check it against `expected`.
 */
async function pinOld(p: Plan): Promise<void> {
  if (!p.exists) {
    try {
      await lstat(p.dir.at(p.name));
      conflict(p, 'it was expected not to exist, but now it does');
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
    checkAgainst(p, p.expected, undefined, undefined);
    return;
  }
  const oldName = tempNameFor(p.name, '.old.tmp');
  try {
    await link(p.dir.at(p.name), p.dir.at(oldName));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) conflict(p, 'it was deleted');
    throw wrapIoError(e, 'create-temp', p.given, p.realPath, p.dir.phys);
  }
  p.oldName = oldName;
  activeTemps.add(oldName);
  const st = await lstat(p.dir.at(oldName), { bigint: true });
  if (!st.isFile()) throw notRegular(p.given, p.realPath, kind(st)); // swapped since planning
  p.oldDev = Number(st.dev);
  p.oldIno = Number(st.ino);
  const want = expectedBytes(p.expected);
  if (want !== undefined) {
    // compared a piece at a time; the pinned file then holds exactly `want`, which stands for
    // its content from here on (checks around the rename, backup, journal)
    const same = await sameContentAt(p.dir, oldName, p.given, want);
    if (same === undefined) conflict(p, 'it was deleted');
    if (!same) conflict(p, 'its content differs');
    p.oldData = Buffer.from(want.buffer, want.byteOffset, want.byteLength);
    return;
  }
  p.oldData = await readRegularAt(p.dir, oldName, p.given);
  checkAgainst(p, p.expected, p.oldData, st);
}

/** Right before the rename: the target is still the pinned inode with the same content, or still absent. */
async function checkBeforeRename(p: Plan): Promise<void> {
  let st;
  try {
    st = await lstat(p.dir.at(p.name));
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw wrapIoError(e, 'stat', p.given, p.realPath, p.dir.phys);
  }
  if (!p.exists) {
    if (st !== undefined && p.expected !== undefined) conflict(p, 'it was created by someone else meanwhile');
    return;
  }
  if (p.expected === undefined) return;
  if (st === undefined) conflict(p, 'it was deleted');
  if (st.dev !== p.oldDev || st.ino !== p.oldIno) conflict(p, 'it was replaced by another file');
  await checkPinned(p);
}

/** The pinned old inode still has the content it had when it was checked. */
async function checkPinned(p: Plan): Promise<void> {
  if (p.expected === undefined || p.oldName === undefined) return;
  if (p.oldData === undefined || (await sameContentAt(p.dir, p.oldName, p.given, p.oldData)) !== true) conflict(p, 'its content differs');
}

/** After the rename: the old inode was not written to in between (else the rename is undone). */
async function checkAfterRename(p: Plan): Promise<void> {
  if (p.exists) await checkPinned(p);
}

/** Take back renames (newest first). Returns false when one could not be taken back. */
async function undo(committed: readonly Plan[]): Promise<boolean> {
  let ok = true;
  for (const p of [...committed].reverse()) {
    try {
      if (p.oldName !== undefined) {
        await rename(p.dir.at(p.oldName), p.dir.at(p.name));
        activeTemps.delete(p.oldName);
        p.oldName = undefined;
      } else {
        const st = await lstat(p.dir.at(p.name));
        if (st.ino === p.tempIno) await unlink(p.dir.at(p.name));
      }
      await fsyncDir(p.dir);
    } catch {
      ok = false;
    }
  }
  return ok;
}

/**
 * Copy the old file's extended attributes and ACL to the new one, with coreutils cp (Node has no
 * xattr API): `cp --attributes-only --preserve=mode,xattr`. ACLs travel as the
 * system.posix_acl_access attribute (copied with "mode", see /etc/xattr.conf); `security.*`
 * (SELinux labels) and `user.*` with "xattr". The descriptors are handed to cp, so it copies from
 * the pinned inode to the temporary file whatever happens to the names.
 */
async function copyAttributes(p: Plan, tempFd: number, tempPhys: string): Promise<void> {
  const oldPath = p.dir.at(p.oldName as string);
  const old = await open(oldPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  try {
    const viaFd = existsSync('/proc/self/fd');
    const args = ['--attributes-only', '--preserve=mode,xattr', '--'];
    args.push(...(viaFd ? ['/proc/self/fd/3', '/proc/self/fd/4'] : [path.join(p.dir.phys, p.oldName as string), tempPhys]));
    // spawnSync: cp takes a few milliseconds, and the asynchronous spawn cost the parent about
    // twice the CPU (a stream object per pipe, their reads and events) for the same child.
    // Pipes, not 'ignore': an ignored descriptor is /dev/null opened in the child, and a system
    // without /dev (a minimal chroot or container) would then fail every write with ENOENT
    const cp = cpProgram();
    if ('why' in cp) throw cpRefusal(p.given, p.realPath, cp.why);
    const child = spawnSync(cp.path, args, { stdio: ['pipe', 'pipe', 'pipe', old.fd, tempFd], env: { ...process.env, LC_ALL: 'C' } });
    if (child.error !== undefined) throw child.error;
    const code = child.status;
    const stderr = child.stderr?.toString() ?? '';
    if (code !== 0) {
      const why = stderr.trim().replace(/\/proc\/self\/fd\/3/g, p.realPath).replace(/\/proc\/self\/fd\/4/g, tempPhys);
      throw new LimitsIoError(
        `cannot keep the ACL and extended attributes of ${p.given} on its new content (${why || `cp exited with ${code}`}); nothing was written — ` +
          'run as root, or remove the attributes that cannot be copied',
        { code: 'EATTR', path: p.given, realPath: p.realPath },
      );
    }
  } catch (e) {
    if (e instanceof LimitsIoError) throw e;
    // cp could not be started because this process ran out of descriptors or memory (its pipes,
    // fork): limitsctl's own limit, not a missing cp — said as such (write-errors.ts OWN_LIMIT_CODES)
    if (isOwnLimit(e)) throw wrapIoError(e, 'write-temp', p.given, p.realPath, p.dir.phys);
    throw cpRefusal(p.given, p.realPath, cpFailure(e), e);
  } finally {
    await old.close();
  }
}

/**
 * The cp that copyAttributes runs, found before anything is written (no spawn): systemTool('cp')
 * (/usr/bin/cp or /bin/cp), else the first `cp` in an absolute PATH entry that this process may
 * execute (access(2) X_OK) and that is a regular file — never one in the working directory (an
 * empty or relative PATH entry), which a run as root must not execute. `{ why }` otherwise, in the
 * words {@link cpFailure} gives for a failed start (`/usr/bin/cp: ENOENT (not found)`,
 * `not found in /usr/bin, /bin or on PATH`). The path found is the one spawned, so the check and
 * the run agree.
 */
export function cpProgram(): { readonly path: string } | { readonly why: string } {
  const program = systemTool('cp');
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '').split(':').filter((d) => path.isAbsolute(d)).map((d) => path.join(d, program));
  let why: string | null = null;
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      if (statSync(c).isFile()) return { path: c };
      why ??= 'EACCES';
    } catch (e) {
      if (isErrno(e) && e.code !== 'ENOENT' && e.code !== 'ENOTDIR') why ??= e.code ?? null;
    }
  }
  if (!program.includes('/')) return { why: 'not found in /usr/bin, /bin or on PATH' };
  return { why: why === 'EACCES' ? `${program}: EACCES (not executable)` : `${program}: ${why ?? 'ENOENT (not found)'}` };
}

/**
 * Why cp cannot be started ({@link cpProgram}), or null when it can. writeFilesAtomic and the
 * commit pre-flight (./commit.ts) ask it before they pin, lock or create anything, so that this
 * refusal changes no directory's mtime; a start that fails for another reason (no memory, a
 * broken binary) is still reported when it happens, with nothing written.
 */
export function cpUnavailable(): string | null {
  const cp = cpProgram();
  return 'why' in cp ? cp.why : null;
}

/** The EATTR refusal of a file whose attributes cp cannot copy because it cannot be started (`why`: cpUnavailable's words). */
export function cpRefusal(given: string, realPath: string | undefined, why: string, cause?: unknown): LimitsIoError {
  return new LimitsIoError(
    `cannot keep the ACL and extended attributes of ${given}: cp (GNU coreutils) could not be run (${why}); nothing was written`,
    {
      code: 'EATTR', path: given, ...(realPath !== undefined ? { realPath } : {}), ...(cause !== undefined ? { cause } : {}),
      hint: 'limitsctl copies them to the new content with GNU coreutils cp (/usr/bin/cp or /bin/cp, else cp on PATH): install coreutils, or make it runnable.',
    },
  );
}

/**
 * Why cp could not be started, in a user's words: `/usr/bin/cp: ENOENT (not found)` rather than
 * Node's `spawnSync /usr/bin/cp ENOENT`; `not found in /usr/bin, /bin or on PATH` when neither
 * copy exists (systemTool fell back to the bare name).
 */
function cpFailure(e: unknown): string {
  const program = systemTool('cp');
  if (!isErrno(e)) return e instanceof Error ? e.message : String(e);
  if (e.code === 'ENOENT') return program.includes('/') ? `${program}: ENOENT (not found)` : 'not found in /usr/bin, /bin or on PATH';
  if (e.code === 'EACCES') return `${program}: EACCES (not executable)`;
  return `${program}: ${e.code}`;
}

/** Write `data` to a new temporary file in `p.dir` with the old file's attributes, fsync'ed. */
async function writeTemp(p: Plan, data: Content, copyAttrs: boolean): Promise<{ name: string; ino: number }> {
  const name = tempNameFor(p.name);
  // O_EXCL|O_NOFOLLOW: never follows or reuses an existing name (no symlink games in a shared directory).
  const fh = await open(p.dir.at(name), fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
  activeTemps.add(name);
  try {
    // written with synchronous calls on the descriptor (fs/promises writes a large buffer in
    // 512 KiB rounds through the thread pool, which costs more CPU than the write itself)
    for (const part of contentParts(data)) for (let at = 0; at < part.byteLength;) at += writeSync(fh.fd, part, at, part.byteLength - at);
    if (p.uid !== undefined && p.gid !== undefined) {
      const st = await fh.stat();
      if (st.uid !== p.uid || st.gid !== p.gid) await fh.chown(p.uid, p.gid);
    }
    // after chown (which clears security.capability); the ACL sets the group bits to its mask
    if (copyAttrs && p.oldName !== undefined) await copyAttributes(p, fh.fd, path.join(p.dir.phys, name));
    await fh.chmod(p.mode); // after chown, which may clear setuid/setgid bits: the exact old mode
    await fh.sync();
    const ino = (await fh.stat()).ino;
    await fh.close();
    return { name, ino };
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(p.dir.at(name)).catch(() => undefined);
    activeTemps.delete(name);
    throw e;
  }
}

async function prepareTemp(p: Plan): Promise<void> {
  try {
    const t = await writeTemp(p, p.data, true);
    p.tempName = t.name;
    p.tempIno = t.ino;
  } catch (e) {
    throw wrapIoError(e, 'write-temp', p.given, p.realPath, p.dir.phys);
  }
}

/** Save `p.oldData` as a backup next to the file: written to a temp, then linked to a free name. */
async function makeBackup(p: Plan, now: Date): Promise<void> {
  const old = p.oldData;
  if (old === undefined) return;
  let tmp: string | undefined;
  try {
    tmp = (await writeTemp(p, old, true)).name;
    for (let n = 0; ; n++) {
      const candidate = backupFileName(p.name, now, n);
      try {
        await link(p.dir.at(tmp), p.dir.at(candidate)); // fails with EEXIST instead of overwriting
        p.backupPath = path.join(p.dir.phys, candidate);
        break;
      } catch (e) {
        if (!isErrno(e, 'EEXIST') || n >= 999) throw e;
      }
    }
  } catch (e) {
    throw wrapIoError(e, 'backup', p.given, p.realPath, p.dir.phys);
  } finally {
    if (tmp !== undefined) {
      await unlink(p.dir.at(tmp)).catch(() => undefined);
      activeTemps.delete(tmp);
    }
  }
}

/** Undo everything prepared for these plans (nothing of theirs is renamed into place any more). */
async function rollback(plans: readonly Plan[]): Promise<void> {
  for (const p of plans) {
    for (const n of [p.tempName, p.oldName]) {
      if (n === undefined) continue;
      await unlink(p.dir.at(n)).catch(() => undefined);
      activeTemps.delete(n);
    }
    p.tempName = undefined;
    p.oldName = undefined;
    if (p.backupPath !== undefined) await unlink(p.dir.at(path.basename(p.backupPath))).catch(() => undefined);
  }
  for (const p of [...plans].reverse()) await removeDirs(p.createdDirs);
}

