/**
 * Safe writes of config files: atomic replacement, optimistic concurrency check, backups,
 * multi-file commits, and (re-exported from ./tree-lock.js) the per-tree lock.
 *
 * How one file is written ({@link writeFileAtomic}):
 *  1. The path is resolved inside the tree, every symlink followed by the same rule as the tree
 *     reader (src/io/paths.ts; see src/io/write-paths.ts): absolute link targets are read as the
 *     tree sees them (`/etc/x` = `<root>/etc/x`; on the live system that is the kernel's rule), and
 *     a path that climbs out of the root is refused ({@link OutsideRootError}). A symlink stays a
 *     symlink: its final target is what gets replaced; missing directories up to it are created
 *     (0755, whatever the umask).
 *  2. The new content goes to a temporary file in the target's own directory, named
 *     `.<name>.limitsctl-<pid>-<random>.tmp` ({@link TEMP_FILE_PATTERN}: hidden, never `*.conf`, so
 *     pam_limits ignores it). It gets the old file's owner, group and mode (setuid/setgid/sticky
 *     bits included), or 0644 for a new file whatever the umask, and is fsync'ed.
 *  3. Just before the switch the file is checked against what the caller planned from
 *     (`expected`); if it changed, nothing is replaced ({@link ConcurrentModificationError}).
 *  4. With `backup`, the old content is saved next to the target (see {@link backupFileName}).
 *  5. rename(2) puts the new file in place atomically and the directory is fsync'ed. At any crash
 *     the target holds either the complete old or the complete new content.
 * On any error before the rename, temporary files, backups and directories made for the write are
 * removed and the target is untouched. Temporary files left by a killed process are recognisable
 * by name and removed by later writes to the same directory ({@link cleanStaleTempFiles}).
 *
 * Not preserved: extended attributes, ACL entries beyond the mode bits, SELinux labels (a new
 * inode gets the directory's default label), and hard links (the other names keep the old
 * content, as with any rename-based editor).
 *
 * The module writes nothing to stdout/stderr.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type BigIntStats, type Stats } from 'node:fs';
import { access, link, lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import {
  ConcurrentModificationError,
  LimitsIoError,
  PartialWriteError,
  isErrno,
  pidAlive,
  wrapIoError,
} from './write-errors.js';
import {
  type TreeRoot,
  fsyncDir,
  makeMissingDirs,
  removeDirs,
  resolveInsideRoot,
  resolveRoot,
} from './write-paths.js';

export {
  ConcurrentModificationError,
  LimitsIoError,
  LockTimeoutError,
  OutsideRootError,
  PartialWriteError,
  type LimitsIoCode,
  type LockOwner,
  type PartialWriteEntry,
} from './write-errors.js';
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  LOCK_RELATIVE_PATH,
  type TreeLockOptions,
  treeLockPath,
  withTreeLock,
} from './tree-lock.js';

/** Mode of a file that did not exist before (independent of the umask). */
export const NEW_FILE_MODE = 0o644;
/** Mode of a directory created for a write, e.g. a missing limits.d (independent of the umask). */
export const NEW_DIR_MODE = 0o755;

/**
 * Names of temporary files made by this module: `.<name>.limitsctl-<pid>-<hex>.tmp`.
 * Group 1 is the target's name, group 2 the writer's pid.
 */
export const TEMP_FILE_PATTERN = /^\.(.*)\.limitsctl-(\d+)-([0-9a-f]+)\.tmp$/;

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
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileOptions extends WriteOptions {
  /** What the caller planned from; omitted = no concurrency check. */
  readonly expected?: Expected;
}

/** One file of a {@link writeFilesAtomic} call. */
export interface FileWrite {
  /** Path of the file (absolute, inside the root; may be or pass through a symlink). */
  readonly path: string;
  /** The complete new content (bytes; a binary string converts with Buffer.from(s, 'latin1')). */
  readonly data: Uint8Array;
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
 * the same root check as a write. A missing file gives `exists: false` (not an error).
 * @throws OutsideRootError, or LimitsIoError with the errno code (EACCES, EISDIR…)
 */
export async function readFileSnapshot(file: string, options: { readonly root: string }): Promise<FileSnapshot> {
  const root = await resolveRoot(options.root);
  const phys = await resolveInsideRoot(file, root);
  if (!phys.exists) return { path: file, realPath: phys.realPath, exists: false, data: null, stamp: null };
  let fh;
  try {
    fh = await open(phys.realPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return { path: file, realPath: phys.realPath, exists: false, data: null, stamp: null };
    throw wrapIoError(e, 'read', file, phys.realPath, path.dirname(phys.realPath));
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (st.isDirectory()) throw errnoError('EISDIR', 'is a directory');
    const data = await fh.readFile();
    return { path: file, realPath: phys.realPath, exists: true, data, stamp: toStamp(st) };
  } catch (e) {
    throw wrapIoError(e, 'read', file, phys.realPath, path.dirname(phys.realPath));
  } finally {
    await fh.close();
  }
}

/**
 * Replace `file` with `data` atomically (see the module comment for the steps). When the file
 * already holds exactly `data`, nothing is touched and `changed` is false.
 *
 * @throws ConcurrentModificationError (`ECONFLICT`) when the file differs from `expected`
 * @throws OutsideRootError (`EOUTSIDEROOT`) when the path leads outside `root`
 * @throws LimitsIoError with the errno code (`EACCES`, `EPERM`, `EROFS`, `ENOSPC`, `ENOTDIR`,
 *   `EISDIR`…) or `ENOTREG`/`EBADROOT`; in every case nothing was written
 */
export async function writeFileAtomic(file: string, data: Uint8Array, options: WriteFileOptions): Promise<WriteResult> {
  const [result] = await writeFilesAtomic(
    [options.expected === undefined ? { path: file, data } : { path: file, data, expected: options.expected }],
    options,
  );
  return result as WriteResult;
}

/**
 * Write several files as one change. Every file is prepared first (resolved, checked, its
 * temporary file written and fsync'ed, its `expected` state re-checked, its backup made); only then
 * are the files renamed into place, in the order given. If anything fails before the first rename,
 * nothing is renamed and everything prepared is removed. A failure of rename(2) itself after some
 * files were renamed throws {@link PartialWriteError} listing which were. If only the final fsync of
 * a directory fails (EIO), a LimitsIoError (action "flush") is thrown although the new content is
 * already in place.
 *
 * Call it inside {@link withTreeLock}, around the read that `expected` comes from.
 *
 * @returns one result per input, in the input order
 * @throws as {@link writeFileAtomic}; `EDUPLICATE` when two entries are the same file
 */
export async function writeFilesAtomic(files: readonly FileWrite[], options: WriteOptions): Promise<WriteResult[]> {
  const root = await resolveRoot(options.root);
  const plans: Plan[] = [];
  const byReal = new Map<string, string>();
  try {
    for (const f of files) {
      const plan = await planOne(f, root);
      const dup = byReal.get(plan.realPath);
      if (dup !== undefined) {
        throw new LimitsIoError(
          `${f.path} and ${dup} are the same file (${plan.realPath}); give each file once`,
          { code: 'EDUPLICATE', path: f.path, realPath: plan.realPath },
        );
      }
      byReal.set(plan.realPath, f.path);
      plans.push(plan);
    }
    const todo = plans.filter((p) => !p.unchanged);
    for (const p of todo) await prepareTemp(p);
    // Late checks, as close to the renames as possible.
    for (const p of todo) p.oldData = await checkExpected(p, options.backup === true);
    if (options.backup === true) {
      const now = (options.now ?? (() => new Date()))();
      for (const p of todo) if (p.exists) await makeBackup(p, now);
    }
  } catch (e) {
    await rollback(plans);
    throw e;
  }

  const todo = plans.filter((p) => !p.unchanged);
  const committed = new Set<Plan>();
  for (const p of todo) {
    try {
      await rename(p.tempPath as string, p.realPath);
      committed.add(p);
      activeTemps.delete(p.tempPath as string);
    } catch (e) {
      const err = wrapIoError(e, 'rename', p.given, p.realPath, p.dir);
      await rollback(todo.filter((q) => !committed.has(q)));
      if (committed.size === 0) throw err;
      throw new PartialWriteError(
        todo.map((q) => ({ path: q.given, committed: committed.has(q) })),
        err,
      );
    }
  }
  const dirs = [...new Set(todo.map((p) => p.dir))];
  for (const d of dirs) {
    try {
      await fsyncDir(d);
    } catch (e) {
      const p = todo.find((q) => q.dir === d) as Plan;
      throw wrapIoError(e, 'sync', p.given, p.realPath, d);
    }
  }
  for (const d of dirs) await cleanStaleTempFiles(d).catch(() => undefined);

  return plans.map((p) => {
    const r: WriteResult = { path: p.given, realPath: p.realPath, changed: !p.unchanged, created: !p.exists };
    return p.backupPath !== undefined ? { ...r, backupPath: p.backupPath } : r;
  });
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
 * Remove temporary files of this module left in `dir` by processes that died (or older than an
 * hour). Files of live writers are kept. Returns the paths removed. Never throws for a single file.
 */
export async function cleanStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_FILE_PATTERN.exec(name);
    if (!m) continue;
    const full = path.join(dir, name);
    if (activeTemps.has(full)) continue;
    const pid = Number(m[2]);
    try {
      const st = await lstat(full);
      if (!st.isFile()) continue;
      const old = Date.now() - st.mtimeMs > TEMP_MAX_AGE_MS;
      if (pid !== process.pid && pidAlive(pid) && !old) continue;
      await unlink(full);
      removed.push(full);
    } catch {
      /* vanished or not removable: leave it */
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------

/** Temporary files this process is writing right now (never cleaned as stale). */
const activeTemps = new Set<string>();

interface Plan {
  readonly given: string;
  readonly realPath: string;
  readonly dir: string;
  readonly existingAncestor: string;
  readonly exists: boolean;
  readonly data: Uint8Array;
  readonly expected: Expected | undefined;
  /** mode/uid/gid to give the new file */
  readonly mode: number;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly unchanged: boolean;
  createdDirs: string[];
  tempPath?: string;
  oldData?: Buffer | undefined;
  backupPath?: string;
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

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Read the current content of `p`, or undefined when it does not exist. */
async function readCurrent(p: Plan): Promise<Buffer | undefined> {
  try {
    const fh = await open(p.realPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw wrapIoError(e, 'read', p.given, p.realPath, p.dir);
  }
}

/**
 * Check the file against `expected` (when given) and return its current content when `want` (or
 * when the check needed it).
 */
async function checkExpected(p: Plan, want: boolean): Promise<Buffer | undefined> {
  const exp = p.expected;
  let current: Buffer | undefined;
  const needContent = want || exp === null || isBytes(exp) || isSnapshot(exp);
  if (needContent) current = await readCurrent(p);
  if (exp === undefined) return current;
  const conflict = (detail: string): never => {
    throw new ConcurrentModificationError(p.given, p.realPath, detail);
  };
  if (exp === null || (isSnapshot(exp) && !exp.exists)) {
    if (current !== undefined) conflict('it was expected not to exist, but now it does');
    return current;
  }
  if (isBytes(exp) || isSnapshot(exp)) {
    const want = isBytes(exp) ? exp : (exp.data as Buffer);
    if (current === undefined) conflict('it was deleted');
    else if (!sameBytes(current, want)) conflict('its content differs');
    return current;
  }
  // A stamp or fs.Stats.
  const s = exp as FileStamp;
  try {
    if (typeof s.mtimeNs === 'bigint') {
      const st = await stat(p.realPath, { bigint: true });
      if (st.ino !== BigInt(s.ino) || st.size !== BigInt(s.size) || st.mtimeNs !== s.mtimeNs) {
        conflict('its inode, size or modification time differ');
      }
    } else {
      const st = await stat(p.realPath);
      if (st.ino !== Number(s.ino) || st.size !== Number(s.size) || st.mtimeMs !== Number(s.mtimeMs)) {
        conflict('its inode, size or modification time differ');
      }
    }
  } catch (e) {
    if (isErrno(e, 'ENOENT')) conflict('it was deleted');
    throw wrapIoError(e, 'stat', p.given, p.realPath, p.dir);
  }
  return current;
}

async function planOne(f: FileWrite, root: TreeRoot): Promise<Plan> {
  if (!isBytes(f.data)) throw new TypeError(`data for ${f.path} must be a Buffer/Uint8Array`);
  const phys = await resolveInsideRoot(f.path, root);
  const realPath = phys.realPath;
  const dir = path.dirname(realPath);
  let exists = phys.exists;
  let mode = NEW_FILE_MODE;
  let uid: number | undefined;
  let gid: number | undefined;
  if (exists) {
    let st;
    try {
      st = await lstat(realPath);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw wrapIoError(e, 'stat', f.path, realPath, dir);
    }
    if (st === undefined) {
      exists = false;
    } else if (st.isDirectory()) {
      throw wrapIoError(errnoError('EISDIR', 'is a directory'), 'rename', f.path, realPath, dir);
    } else if (!st.isFile()) {
      throw new LimitsIoError(
        `cannot replace ${f.path}: ${realPath} is not a regular file (a FIFO, socket or device) — give the path of a regular file`,
        { code: 'ENOTREG', path: f.path, realPath },
      );
    } else {
      mode = st.mode & 0o7777;
      uid = st.uid;
      gid = st.gid;
    }
  }
  // Permission pre-checks, so a write behaves like an in-place write permission-wise: refused for a
  // file you may not write (or an immutable one, or on a read-only file system).
  if (exists) {
    try {
      await access(realPath, fsConstants.W_OK);
    } catch (e) {
      throw wrapIoError(e, 'rename', f.path, realPath, realPath);
    }
  }
  const writableDir = phys.exists || dir === phys.existingAncestor ? dir : phys.existingAncestor;
  try {
    await access(writableDir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    throw wrapIoError(e, exists ? 'rename' : writableDir === dir ? 'create-temp' : 'create-dir', f.path, realPath, writableDir);
  }
  const plan: Plan = {
    given: f.path,
    realPath,
    dir,
    existingAncestor: phys.existingAncestor,
    exists,
    data: f.data,
    expected: f.expected,
    mode,
    uid,
    gid,
    unchanged: false,
    createdDirs: [],
  };
  // Fail fast on a conflict, and skip files whose content is already the new one.
  const current = await checkExpected(plan, true);
  if (current !== undefined && sameBytes(current, f.data)) return { ...plan, unchanged: true };
  return plan;
}

function tempNameFor(fileName: string): string {
  return `.${fileName.slice(0, 200)}.limitsctl-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/** Write `data` to a new temporary file in `dir` with the given mode/owner, fsync'ed. */
async function writeTemp(
  dir: string,
  fileName: string,
  data: Uint8Array,
  mode: number,
  uid: number | undefined,
  gid: number | undefined,
): Promise<string> {
  const tempPath = path.join(dir, tempNameFor(fileName));
  // O_EXCL: never follows or reuses an existing name (no symlink games in a shared directory).
  const fh = await open(tempPath, 'wx', 0o600);
  activeTemps.add(tempPath);
  try {
    await fh.writeFile(data);
    if (uid !== undefined && gid !== undefined) {
      const st = await fh.stat();
      if (st.uid !== uid || st.gid !== gid) await fh.chown(uid, gid);
    }
    await fh.chmod(mode); // after chown, which may clear setuid/setgid bits
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    activeTemps.delete(tempPath);
    throw e;
  }
  return tempPath;
}

async function prepareTemp(p: Plan): Promise<void> {
  if (p.dir !== p.existingAncestor && !p.exists) {
    const missing = await lstat(p.dir).then(
      () => false,
      () => true,
    );
    if (missing) p.createdDirs = await makeMissingDirs(p.dir, p.existingAncestor, p.given);
  }
  try {
    p.tempPath = await writeTemp(p.dir, path.basename(p.realPath), p.data, p.mode, p.uid, p.gid);
  } catch (e) {
    throw wrapIoError(e, 'write-temp', p.given, p.realPath, p.dir);
  }
}

/** Save `p.oldData` as a backup next to the file: written to a temp, then linked to a free name. */
async function makeBackup(p: Plan, now: Date): Promise<void> {
  const old = p.oldData;
  if (old === undefined) return; // vanished meanwhile (only possible without `expected`)
  const name = path.basename(p.realPath);
  let tmp: string | undefined;
  try {
    tmp = await writeTemp(p.dir, name, old, p.mode, p.uid, p.gid);
    for (let n = 0; ; n++) {
      const candidate = path.join(p.dir, backupFileName(name, now, n));
      try {
        await link(tmp, candidate); // fails with EEXIST instead of overwriting
        p.backupPath = candidate;
        break;
      } catch (e) {
        if (!isErrno(e, 'EEXIST') || n >= 999) throw e;
      }
    }
  } catch (e) {
    throw wrapIoError(e, 'backup', p.given, p.realPath, p.dir);
  } finally {
    if (tmp !== undefined) {
      await unlink(tmp).catch(() => undefined);
      activeTemps.delete(tmp);
    }
  }
}

/** Undo everything prepared for these plans (nothing of theirs has been renamed). */
async function rollback(plans: readonly Plan[]): Promise<void> {
  for (const p of plans) {
    if (p.tempPath !== undefined) {
      await unlink(p.tempPath).catch(() => undefined);
      activeTemps.delete(p.tempPath);
    }
    if (p.backupPath !== undefined) {
      await unlink(p.backupPath).catch(() => undefined);
    }
  }
  for (const p of [...plans].reverse()) await removeDirs(p.createdDirs);
}
