/**
 * The intent journal that makes a multi-file write all-or-nothing across a crash.
 *
 * rename(2) replaces one file atomically, but a change to two files needs two renames; a process
 * killed between them would leave half of the change. So before the first rename of a multi-file
 * write, when every new content is already durable in its temporary file and every old file is
 * pinned by a hard link, the writer records its intent in `<root>/etc/security/.limitsctl.journal`
 * ({@link JOURNAL_RELATIVE_PATH}; hidden, not `*.conf`, not in limits.d: pam_limits never reads it).
 * The journal is itself written to a temporary file, fsync'ed and renamed into place, so it is
 * either complete or absent. It lists, per file: its directory (relative to the root, no symlinks),
 * its name, the temporary file holding the new content, the hard link holding the old content,
 * and the SHA-256 of the old and new contents. It is removed once every rename is done and flushed.
 *
 * The next process that takes the tree lock (every writing command), or starts a multi-file write,
 * finds a left-over journal and finishes the change before anything else ({@link recoverJournal}):
 *  - **forward** when every file holds either its new content or its untouched old content with the
 *    new content still in its temporary file: the remaining renames are done (the usual case: the
 *    change the user asked for is completed);
 *  - else **back** when every file holds its old content, or its new content with the old one still
 *    in its hard link: the renamed files get their old inode back;
 *  - else (someone else edited the files meanwhile) nothing is touched and {@link JournalError}
 *    (`EJOURNAL`) names the files; the journal stays until a person removes it.
 * Either way the temporary files and links are removed afterwards.
 */
import { createRequire } from 'node:module';
import { comparisonBuffer } from './compare-buffer.js';
import { randomHex } from './random.js';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { LimitsIoError, ProcessLimitError, isErrno, isOwnLimit, pidAlive, wrapIoError } from './write-errors.js';
import { type DirHandle, type TreeRoot, fsyncDir, openTreeDir, openTreeDirAt, resolveRoot } from './write-paths.js';

/** Where the journal lives, relative to the tree root. */
export const JOURNAL_RELATIVE_PATH = 'etc/security/.limitsctl.journal';
const JOURNAL_DIR = path.posix.dirname(JOURNAL_RELATIVE_PATH);
const JOURNAL_NAME = path.posix.basename(JOURNAL_RELATIVE_PATH);

/** One file of a journalled write. */
export interface JournalEntry {
  /** directory relative to the root ('/'-separated, no symlinks) */
  readonly dir: string;
  readonly name: string;
  /** name (in `dir`) of the temporary file with the new content */
  readonly temp: string;
  /** name (in `dir`) of the hard link to the old file; null when the file is new */
  readonly old: string | null;
  /** SHA-256 (hex) of the old content; null when the file did not exist */
  readonly before: string | null;
  /** SHA-256 (hex) of the new content */
  readonly after: string;
}

interface JournalFile {
  readonly tool: 'limitsctl-journal';
  readonly version: 1;
  readonly pid: number;
  readonly host: string;
  readonly created: string;
  readonly files: readonly JournalEntry[];
}

/** What {@link recoverJournal} did. */
export interface RecoveryReport {
  readonly outcome: 'forward' | 'back';
  /** pid of the process whose change was interrupted */
  readonly pid: number;
  /** the files, relative to the root */
  readonly files: readonly string[];
}

/** A journal that cannot be completed either way, or cannot be read: nothing was touched. */
export class JournalError extends LimitsIoError {
  constructor(journalPath: string, detail: string) {
    super(
      `an interrupted multi-file change is recorded in ${journalPath}, but it cannot be completed or undone: ${detail}; ` +
        'nothing was touched — check those files by hand, then remove the journal',
      { code: 'EJOURNAL', path: journalPath },
    );
    this.name = 'JournalError';
  }
}

/** SHA-256 hex of bytes (or of byte ranges one after the other). */
export function sha256(data: Uint8Array | readonly Uint8Array[]): string {
  // node:crypto is loaded here, by a change of several files, not at every start of a write
  const h = (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256');
  if (data instanceof Uint8Array) h.update(data);
  else for (const x of data) h.update(x);
  return h.digest('hex');
}

/**
 * Read a regular file named `name` in `dir` without following a symlink and without blocking on a
 * FIFO; undefined when it does not exist.
 * @throws LimitsIoError `ENOTREG` for a FIFO, socket, device or directory
 */
export async function readRegularAt(dir: DirHandle, name: string, given: string): Promise<Buffer | undefined> {
  // Read with synchronous calls on one descriptor: the tree loader reads the same way
  // (src/io/read.ts). fs/promises' readFile reads a large file in 512 KiB rounds through the
  // thread pool and then copies the pieces together, which costs a multi-megabyte file more CPU
  // than the read itself; here the buffer is sized from fstat and filled in place.
  return withRegularAt(dir, name, given, (fd, size) => readAllSync(fd, size));
}

/**
 * Runs `use` on a read-only descriptor of the regular file `name` in `dir` (never following a
 * symbolic link, never blocking on a FIFO) and its fstat size, closing it after; undefined when
 * the file does not exist.
 * @throws as {@link readRegularAt}
 */
function withRegularAt<T>(dir: DirHandle, name: string, given: string, use: (fd: number, size: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(dir.at(name), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    if (isErrno(e, 'ELOOP')) throw notRegular(given, path.join(dir.phys, name), 'a symbolic link');
    throw wrapIoError(e, 'read', given, path.join(dir.phys, name), dir.phys);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(given, path.join(dir.phys, name), kind(st));
    return use(fd, st.size);
  } catch (e) {
    throw wrapIoError(e, 'read', given, path.join(dir.phys, name), dir.phys);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the regular file `name` in `dir` holds exactly the bytes `want` (read as
 * {@link readRegularAt} reads, a piece at a time into one reused buffer (compare-buffer.ts), so a multi-megabyte file
 * costs no second copy of itself); undefined when it does not exist.
 * @throws as {@link readRegularAt}
 */
export async function sameContentAt(dir: DirHandle, name: string, given: string, want: Uint8Array): Promise<boolean | undefined> {
  return withRegularAt(dir, name, given, (fd) => {
    const wanted = Buffer.from(want.buffer, want.byteOffset, want.byteLength);
    const buf = comparisonBuffer();
    let at = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) return at === wanted.length;
      if (at + got > wanted.length || buf.compare(wanted, at, at + got, 0, got) !== 0) return false;
      at += got;
    }
  });
}

/**
 * Everything `fd` reads from its current offset to end of file, into a buffer of `size` bytes
 * (the fstat size) that grows if the file grows meanwhile; a file that shrinks gives fewer bytes.
 */
function readAllSync(fd: number, size: number): Buffer {
  let buf = Buffer.allocUnsafe(size + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      const grown = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(grown, 0, 0, n);
      buf = grown;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** What kind of non-regular file a stat describes. */
export function kind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isSymbolicLink(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a device';
}

/** The error for a path that must be a regular file but is not. */
export function notRegular(given: string, real: string, what: string): LimitsIoError {
  return new LimitsIoError(
    `cannot use ${given}${real !== given ? ` (→ ${real})` : ''}: it is ${what}, not a regular file — remove it or give the path of a regular file`,
    { code: 'ENOTREG', path: given, realPath: real },
  );
}

/**
 * Record the intent of a multi-file write (see the module comment). Every temporary file and old
 * link it names must already be durable. Returns a function that removes the journal (durably).
 */
export async function writeJournal(root: TreeRoot, entries: readonly JournalEntry[]): Promise<() => Promise<void>> {
  const given = path.join(root.abs, JOURNAL_RELATIVE_PATH);
  const dir = await openTreeDirAt(root, JOURNAL_DIR, { given, create: true });
  let tmp: string | undefined;
  try {
    const body: JournalFile = {
      tool: 'limitsctl-journal',
      version: 1,
      pid: process.pid,
      host: hostname(),
      created: new Date().toISOString(),
      files: entries,
    };
    tmp = `.${JOURNAL_NAME}.limitsctl-${process.pid}-${randomHex(6)}.tmp`;
    const fh = await open(dir.at(tmp), fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(body)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(dir.at(tmp), dir.at(JOURNAL_NAME));
    await fsyncDir(dir);
  } catch (e) {
    // a journal that could not be written in full leaves no temporary file behind
    if (tmp !== undefined) await unlink(dir.at(tmp)).catch(() => undefined);
    dir.close();
    throw wrapIoError(e, 'write-temp', given, undefined, path.join(root.real, JOURNAL_DIR));
  }
  return async () => {
    try {
      await unlink(dir.at(JOURNAL_NAME)).catch((e: unknown) => {
        if (!isErrno(e, 'ENOENT')) throw e;
      });
      await fsyncDir(dir);
    } finally {
      dir.close();
    }
  };
}

/**
 * Whether the tree at `root` holds a left-over journal (a cheap synchronous check for read-only
 * commands, which do not recover it but can warn that a change is half-done).
 * @throws ProcessLimitError when limitsctl runs out of descriptors or memory (EMFILE, ENFILE,
 *   ENOMEM) opening it: that is no "no journal" — an edit with nothing to change would report
 *   "unchanged" and leave a killed run's half-done change unrecovered
 */
export function journalPending(root: string): boolean {
  try {
    closeSync(openSync(path.join(root, JOURNAL_RELATIVE_PATH), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK));
    return true;
  } catch (e) {
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, JOURNAL_RELATIVE_PATH);
    return false;
  }
}

function parseJournal(raw: string): JournalFile | undefined {
  try {
    const v = JSON.parse(raw) as JournalFile;
    if (v?.tool !== 'limitsctl-journal' || v.version !== 1 || !Array.isArray(v.files)) return undefined;
    const name = (s: unknown) => typeof s === 'string' && s !== '' && !s.includes('/') && s !== '.' && s !== '..';
    const hash = (s: unknown) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
    for (const f of v.files) {
      const dirOk = typeof f.dir === 'string' && !f.dir.startsWith('/') && f.dir.split('/').every((c: string) => c !== '..');
      if (!dirOk || !name(f.name) || !name(f.temp) || !(f.old === null || name(f.old))) return undefined;
      if (!(f.before === null || hash(f.before)) || !hash(f.after)) return undefined;
    }
    return v;
  } catch {
    return undefined;
  }
}

/**
 * Finish (or undo) a multi-file write that was interrupted, if `<root>/etc/security` holds a
 * journal. Call it holding the tree lock. Returns null when there is nothing to do (no journal, or
 * the journal's writer is still running), else what was done.
 *
 * @throws JournalError (`EJOURNAL`) when the journal is malformed or the files changed so that
 *   neither direction is safe (nothing touched); LimitsIoError `ENOTREG` when the journal path is
 *   not a regular file; LimitsIoError with the errno code on I/O errors
 */
export async function recoverJournal(rootPath: string): Promise<RecoveryReport | null> {
  const root = await resolveRoot(rootPath);
  const journalPath = path.join(root.abs, JOURNAL_RELATIVE_PATH);
  let sec: DirHandle;
  try {
    sec = await openTreeDirAt(root, JOURNAL_DIR, { given: journalPath });
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
  const handles = new Map<string, DirHandle>();
  try {
    const raw = await readRegularAt(sec, JOURNAL_NAME, journalPath);
    if (raw === undefined) return null;
    const j = parseJournal(raw.toString('utf8'));
    if (j === undefined) throw new JournalError(journalPath, 'the journal is not in the expected format');
    if (j.pid !== process.pid && j.host === hostname() && pidAlive(j.pid)) return null; // still being written
    const dirOf = async (rel: string): Promise<DirHandle | undefined> => {
      if (!handles.has(rel)) {
        try {
          handles.set(rel, await openTreeDir(root, rel, { given: path.join(root.abs, rel) }));
        } catch {
          return undefined;
        }
      }
      return handles.get(rel);
    };
    const hashAt = async (d: DirHandle | undefined, name: string | null): Promise<string | null | 'error'> => {
      if (d === undefined || name === null) return null;
      try {
        const b = await readRegularAt(d, name, path.join(d.phys, name));
        return b === undefined ? null : sha256(b);
      } catch {
        return 'error';
      }
    };
    interface EntryState {
      readonly f: JournalEntry;
      readonly d: DirHandle | undefined;
      readonly cur: string | null | 'error';
      readonly temp: string | null | 'error';
      readonly old: string | null | 'error';
    }
    const state: EntryState[] = [];
    for (const f of j.files) {
      const d = await dirOf(f.dir);
      state.push({
        f,
        d,
        cur: await hashAt(d, f.name),
        temp: await hashAt(d, f.temp),
        old: await hashAt(d, f.old),
      });
    }
    const done = (s: EntryState) => s.cur === s.f.after;
    const untouched = (s: EntryState) => s.cur === s.f.before;
    const files = j.files.map((f) => (f.dir === '' ? f.name : `${f.dir}/${f.name}`));
    let outcome: 'forward' | 'back';
    if (state.every((s) => s.d !== undefined && (done(s) || (untouched(s) && s.temp === s.f.after)))) {
      outcome = 'forward';
      for (const s of state) if (!done(s)) await rename((s.d as DirHandle).at(s.f.temp), (s.d as DirHandle).at(s.f.name));
    } else if (state.every((s) => s.d !== undefined && (untouched(s) || (done(s) && (s.f.before === null || s.old === s.f.before))))) {
      outcome = 'back';
      for (const s of state) {
        if (!done(s)) continue;
        const d = s.d as DirHandle;
        if (s.f.old !== null) await rename(d.at(s.f.old), d.at(s.f.name));
        else await unlink(d.at(s.f.name));
      }
    } else {
      const odd = state.filter((s) => !done(s) && !untouched(s)).map((s) => (s.f.dir === '' ? s.f.name : `${s.f.dir}/${s.f.name}`));
      throw new JournalError(journalPath, `${odd.length > 0 ? odd.join(', ') : files.join(', ')} changed since the interrupted write`);
    }
    for (const d of handles.values()) await fsyncDir(d);
    for (const s of state) {
      if (s.d === undefined) continue;
      await unlink(s.d.at(s.f.temp)).catch(() => undefined);
      if (s.f.old !== null) await unlink(s.d.at(s.f.old)).catch(() => undefined);
    }
    await unlink(sec.at(JOURNAL_NAME));
    await fsyncDir(sec);
    return { outcome, pid: j.pid, files };
  } catch (e) {
    throw wrapIoError(e, 'rename', journalPath, undefined, sec.phys);
  } finally {
    for (const d of handles.values()) d.close();
    sec.close();
  }
}
