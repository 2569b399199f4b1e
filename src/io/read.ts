/**
 * The one way limitsctl reads a file: never blocks, never balloons, never leaves the tree.
 *
 * `readFileInRoot(root, rel)` resolves `rel` with the chroot-style rule of `resolveInRoot`
 * (absolute link targets are read as `<root>/…`, `..` never climbs above the root, a link that
 * leaves the root is refused), opens the result without following links (`openInRoot`:
 * O_RDONLY|O_NONBLOCK|O_NOFOLLOW, directory by directory), checks with fstat that the handle is
 * the regular file the resolver saw (same device and inode), and reads at most `maxBytes`.
 * A FIFO, device, socket or directory is never read: it is a typed failure (opening a FIFO with
 * O_NONBLOCK returns at once; devices and sockets are refused from lstat before any open, so
 * opening one has no side effect). /dev/null is the exception: it reads as empty, as it does for
 * pam_limits. A file growing while it is read stops at the cap instead of filling memory.
 *
 * `readFileCapped(file)` is the same for files outside any tree (settings, policies, the live
 * /proc and /sys): the path is opened as the kernel resolves it, then the same checks apply.
 *
 * Caps (bytes): limits files 16 MiB — a real limits.conf is a few KiB; the cap is a thousand
 * times that and keeps the parsed model of a file well under a gigabyte; passwd/group 64 MiB —
 * flat-file exports of large directories reach tens of MiB; os-release, /proc and /sys files,
 * settings and policies 1 MiB — each is a few KiB at most.
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { canOpenAt, openInRoot, PathChangedError, pathParts, plainDirInScope, resolveInRoot, type ResolvedInRoot } from './paths.js';
import { isOwnLimit, isOwnLimitCode, OutsideRootError, ProcessLimitError } from './write-errors.js';
import { comparisonBuffer } from './compare-buffer.js';

const MiB = 1024 * 1024;
/** limits.conf, limits.d/*.conf (pam_limits reads these). */
export const MAX_LIMITS_FILE_BYTES = 16 * MiB;
/** etc/passwd, etc/group. */
export const MAX_ACCOUNTS_FILE_BYTES = 64 * MiB;
/** os-release, /proc and /sys files, .limitsctl.ini, policy files. */
export const MAX_SMALL_FILE_BYTES = 1 * MiB;

const { O_RDONLY, O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW } = fsConstants;

export type FileKind = 'FIFO' | 'character device' | 'block device' | 'socket' | 'directory';

/** Why a read gave no bytes. `message` is one clear sentence naming the path. */
export type ReadFailure =
  /** nothing there (ENOENT), or a symlink whose target does not exist (`dangling`) */
  | { readonly kind: 'missing'; readonly dangling: boolean; readonly message: string }
  /** a symlink that leads outside the root: not followed */
  | { readonly kind: 'outside-root'; readonly target: string; readonly message: string }
  /** not a regular file: never opened for reading */
  | { readonly kind: 'not-regular'; readonly fileKind: FileKind; readonly message: string }
  /** a regular file above the cap (or one that grew past it while being read) */
  | { readonly kind: 'too-large'; readonly size: number; readonly maxBytes: number; readonly message: string }
  /** EACCES/EPERM, on the file or on a directory on the way (resolveInRoot); `uid` is the effective uid that tried */
  | { readonly kind: 'denied'; readonly uid: number | null; readonly code: string; readonly message: string }
  /** the path changed while it was being opened (a component swapped for a symlink) */
  | { readonly kind: 'changed'; readonly message: string }
  /** any other errno (ELOOP, EIO, …); never EMFILE, ENFILE or ENOMEM, which throw ProcessLimitError (see fromErrno) */
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export type ReadResult =
  | { readonly ok: true; readonly bytes: Buffer; readonly resolved: ResolvedInRoot; readonly devNull?: boolean }
  | { readonly ok: false; readonly failure: ReadFailure; readonly resolved?: ResolvedInRoot };

export interface ReadOptions {
  /** refuse files larger than this (default MAX_LIMITS_FILE_BYTES) */
  readonly maxBytes?: number;
  /**
   * What the caller read from this file before (an edit's load under the lock, compared with the
   * load it planned from): when the file still holds exactly these bytes, they are the result, and
   * the file is read a piece at a time into one reused buffer instead of into a new buffer of its
   * size (see {@link readFd}).
   */
  readonly same?: Uint8Array;
}

/** What pam_limits (fopen + fgets, no O_NONBLOCK) would do with a file of this kind. */
export function pamWouldDo(kind: FileKind): string {
  switch (kind) {
    case 'FIFO': return 'pam_limits would block here: opening a FIFO waits for a writer, so every session through pam_limits hangs';
    case 'character device': return 'pam_limits would read the device as a stream that may never end, so sessions through pam_limits can hang';
    case 'block device': return 'pam_limits would read the raw device as configuration';
    case 'socket': return 'pam_limits cannot open a socket (ENXIO) and returns PAM_SERVICE_ERR';
    case 'directory': return 'pam_limits opens a directory and reads it as an empty file';
  }
}

export function kindOf(st: Stats): FileKind | null {
  if (st.isFile()) return null;
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  if (st.isDirectory()) return 'directory';
  return 'character device'; // nothing else exists on Linux; never read an unknown kind
}

/** /dev/null: character device 1:3 (Linux dev_t encoding). */
export function isDevNull(st: Stats): boolean {
  const major = ((st.rdev >> 8) & 0xfff) | Math.floor(st.rdev / 2 ** 32) & ~0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & ~0xff);
  return st.isCharacterDevice() && major === 1 && minor === 3;
}

/** An EACCES or EPERM error: this uid may not read the file, or search or list a directory on its way. */
export function isDenied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** The effective uid of this process (null where the platform has none): whose permissions a read is refused for. */
export function effectiveUid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}

/**
 * Throws ProcessLimitError when `failure` is an 'error' whose code is EMFILE, ENFILE or ENOMEM
 * (write-errors.ts OWN_LIMIT_CODES: limitsctl's own limit, not the file's); `shown` names what was
 * being read. For the places that turn a ReadFailure into a fact about the tree (tree.ts
 * readTreeFile and unlistedDir): {@link fromErrno} never makes such a failure, this keeps one made
 * elsewhere from becoming "unreadable".
 */
export function refuseOwnLimit(failure: ReadFailure, shown: string): void {
  if (failure.kind === 'error' && isOwnLimitCode(failure.code)) throw new ProcessLimitError(failure.code, shown);
}

function notRegular(shown: string, kind: FileKind): ReadFailure {
  return { kind: 'not-regular', fileKind: kind, message: `${shown} is not a regular file but a ${kind}; limitsctl does not read it; ${pamWouldDo(kind)}` };
}

/**
 * The ReadFailure an error met while reading or listing `shown` stands for: OutsideRootError →
 * 'outside-root', PathChangedError → 'changed', ENOENT/ENOTDIR → 'missing', EACCES/EPERM →
 * 'denied', ENXIO → a socket ('not-regular'), any other errno → 'error'.
 * @throws ProcessLimitError for EMFILE, ENFILE or ENOMEM (write-errors.ts OWN_LIMIT_CODES): those
 *   are limitsctl's own process running out of descriptors or memory (open(2), opendir(3)), not a
 *   property of the file — pam_limits, in another process, reads it — so no failure is made of them
 */
export function fromErrno(shown: string, e: unknown): ReadFailure {
  if (e instanceof OutsideRootError) return { kind: 'outside-root', target: e.target, message: e.message };
  if (e instanceof PathChangedError) return { kind: 'changed', message: e.message };
  if (isOwnLimit(e)) throw ProcessLimitError.from(e, shown);
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    const dangling = (e as { viaSymlink?: boolean }).viaSymlink === true;
    return { kind: 'missing', dangling, message: dangling ? `${shown} is a symlink whose target does not exist (${(e as Error).message})` : `${shown}: no such file` };
  }
  if (isDenied(e)) {
    const uid = effectiveUid();
    return { kind: 'denied', uid, code, message: `${shown}: permission denied (${code}) reading as uid ${uid ?? '?'}` };
  }
  if (code === 'ENXIO') return notRegular(shown, 'socket');
  const detail = (e as Error).message.replace(/^[A-Z]+: /, '');
  return { kind: 'error', code, message: `${shown} cannot be read (${code}: ${detail})` };
}

/**
 * Read an open fd: fstat must show a regular file (dev/ino as expected when given), at most
 * maxBytes. With `same` (bytes read from the file before) and a
 * file of that size, the file is read a piece at a time into one reused buffer and compared
 * with them: when it still holds exactly those bytes, `same` itself is the result (as a Buffer
 * over its memory). A buffer of the file's size is made only when the file differs. A large
 * file's load under an edit's lock then costs no new memory: on a machine where the first touch
 * of a page is expensive (a virtual machine whose host backs guest memory lazily), a new buffer
 * of 4 MiB cost more than reading the file.
 */
function readFd(fd: number, shown: string, maxBytes: number, expect?: Stats, same?: Uint8Array): { bytes: Buffer } | { failure: ReadFailure } {
  const st = fstatSync(fd);
  if (expect && (st.dev !== expect.dev || st.ino !== expect.ino)) {
    return { failure: { kind: 'changed', message: `${shown} changed while it was being opened; limitsctl does not read it — run again` } };
  }
  const kind = kindOf(st);
  if (kind) return { failure: notRegular(shown, kind) };
  const tooLarge = (size: number): { failure: ReadFailure } => ({
    failure: { kind: 'too-large', size, maxBytes, message: `${shown} is ${size} bytes, above limitsctl's ${maxBytes}-byte cap for this file; limitsctl does not read it (see docs/pam_limits-semantics.md, "How limitsctl reads files")` },
  });
  if (st.size > maxBytes) return tooLarge(st.size);
  // Read into one buffer of the file's size plus one byte (a file of 10,000 in a tree costs one
  // buffer of its own size, no 64 KiB buffer and no copy); st.size is 0 for /proc and /sys files,
  // and a file may grow while it is read: the buffer grows until EOF, never past the cap.
  let total = 0;
  let buf: Buffer | undefined;
  if (same !== undefined && st.size > 0 && st.size === same.byteLength) {
    const want = Buffer.from(same.buffer, same.byteOffset, same.byteLength);
    const piece = comparisonBuffer();
    for (;;) {
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) {
        if (total === want.length) return { bytes: want };
        // shorter than fstat said: what was read is want's start, the normal read below ends it
        buf = Buffer.allocUnsafe(st.size + 1);
        want.copy(buf, 0, 0, total);
        break;
      }
      if (total + n <= want.length && piece.compare(want, total, total + n, 0, n) === 0) {
        total += n;
        // the file's end at the size fstat gave (as below: no read() more to see EOF)
        if (total === want.length && n < piece.length) return { bytes: want };
        continue;
      }
      // it differs, or grew: the bytes so far are want's start and this piece
      buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size, total + n) + 1));
      want.copy(buf, 0, 0, total);
      piece.copy(buf, total, 0, n);
      total += n;
      if (total > maxBytes) return tooLarge(total);
      break;
    }
  }
  buf ??= Buffer.allocUnsafe(Math.min(maxBytes + 1, st.size > 0 ? st.size + 1 : 64 * 1024));
  for (;;) {
    if (total === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 4, maxBytes + 1));
      buf.copy(bigger, 0, 0, total);
      buf = bigger;
    }
    const want = buf.length - total;
    const n = readSync(fd, buf, total, want, null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) return tooLarge(total);
    // a regular file gives fewer bytes than asked only at its end: when that end is the size fstat
    // gave, no further read() is needed to see EOF (one system call less per file of a tree; /proc
    // and /sys files, whose size says nothing, still read until read() returns 0)
    if (n < want && st.size > 0 && total === st.size) break;
  }
  return { bytes: buf.subarray(0, total) };
}

/**
 * `rel` resolved inside `root` by the chroot-style rule, or why it cannot be (a link leaving the
 * root, an errno on the way); `shown` is `rel` as messages name it (no leading slashes).
 */
function resolveShown(root: string, rel: string):
  | { readonly ok: true; readonly shown: string; readonly resolved: ResolvedInRoot }
  | { readonly ok: false; readonly failure: ReadFailure } {
  const shown = rel.replace(/^\/+/, '');
  try {
    return { ok: true, shown, resolved: resolveInRoot(root, rel) };
  } catch (e) {
    return { ok: false, failure: fromErrno(shown, e) };
  }
}

/**
 * Read `rel` (relative to `root`) the way pam_limits would find it if `root` were `/`, with the
 * safeguards above. Never throws for a property of the file; returns `{ok: false, failure}`.
 * `resolved.rel` is where the file really is (relative to the root) when it could be resolved.
 * @throws ProcessLimitError when limitsctl itself runs out of descriptors or memory (EMFILE,
 *   ENFILE, ENOMEM: see {@link fromErrno}) — no property of the file either
 */
export function readFileInRoot(root: string, rel: string, options: ReadOptions = {}): ReadResult {
  const plain = readPlainInScope(root, rel, options);
  if (plain !== null) return plain;
  // A file replaced while it is read — another writer's atomic rename, limitsctl's own in a
  // parallel run — is read again: the path then names the new file. Three tries in all, then
  // 'changed' is the answer (something keeps swapping it).
  for (let attempt = 1; ; attempt++) {
    const r = readFileInRootOnce(root, rel, options);
    if (r.ok || r.failure.kind !== 'changed' || attempt === READ_ATTEMPTS) return r;
  }
}

/**
 * `rel` resolved inside `absRoot` when no component of it is a symlink: what resolveInRoot returns
 * then (`missing`: the first absent component and everything after it, not from a link).
 */
function plainResolved(absRoot: string, relOut: string, missing: boolean): ResolvedInRoot {
  return { abs: path.join(absRoot, relOut), rel: relOut, viaSymlink: false, missing, dangling: false };
}

/**
 * readFileInRoot's common cases inside a tree scope (paths.ts withTreeScope), from the scope's
 * descriptor of the file's directory (reached with no link on the way): a regular file is
 * lstat'ed, opened (O_NONBLOCK|O_NOFOLLOW) and read as readFileInRootOnce reads it (fstat: the
 * same device and inode, at most maxBytes); a file or directory on the way that does not exist is
 * `missing`, as resolveInRoot says of it. null for anything else — no scope, a `..`, a symlink,
 * not a regular file, EACCES, a file above the cap or one that changed: readFileInRootOnce then
 * decides (and words) it as before.
 */
function readPlainInScope(root: string, rel: string, options: ReadOptions): ReadResult | null {
  const parts = pathParts(rel);
  if (parts.length === 0 || parts.includes('..')) return null;
  const dir = plainDirInScope(root, parts, parts.length - 1);
  if (dir === null) return null;
  const shown = rel.replace(/^\/+/, '');
  const missing = (): ReadResult => ({
    ok: false, resolved: plainResolved(path.resolve(root), parts.join('/'), true),
    failure: { kind: 'missing', dangling: false, message: `${shown}: no such file` },
  });
  if (dir === 'absent') return missing();
  const at = `/proc/self/fd/${dir}/${parts[parts.length - 1]}`;
  let st: Stats | undefined;
  try {
    st = lstatSync(at, { throwIfNoEntry: false });
  } catch {
    return null;
  }
  if (st === undefined) return missing();
  if (!st.isFile()) return null;
  let fd: number;
  try {
    fd = openSync(at, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const r = readFd(fd, shown, options.maxBytes ?? MAX_LIMITS_FILE_BYTES, st, options.same);
    return 'bytes' in r ? { ok: true, bytes: r.bytes, resolved: plainResolved(path.resolve(root), parts.join('/'), false) } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** How many times readFileInRoot reads a file that keeps changing while it is opened. */
const READ_ATTEMPTS = 3;

function readFileInRootOnce(root: string, rel: string, options: ReadOptions): ReadResult {
  const maxBytes = options.maxBytes ?? MAX_LIMITS_FILE_BYTES;
  const r = resolveShown(root, rel);
  if (!r.ok) return { ok: false, failure: r.failure };
  const { shown, resolved } = r;
  if (resolved.missing) {
    return {
      ok: false, resolved,
      failure: resolved.dangling
        ? { kind: 'missing', dangling: true, message: `${shown} is a symlink whose target ${resolved.rel} does not exist` }
        : { kind: 'missing', dangling: false, message: `${shown}: no such file` },
    };
  }
  let st: Stats;
  try {
    st = lstatSync(resolved.abs);
  } catch (e) {
    return { ok: false, resolved, failure: fromErrno(shown, e) };
  }
  if (st.isSymbolicLink()) return { ok: false, resolved, failure: { kind: 'changed', message: `${shown} changed while it was being opened; limitsctl does not read it — run again` } };
  const kind = kindOf(st);
  if (kind && isDevNull(st)) return { ok: true, bytes: Buffer.alloc(0), resolved, devNull: true };
  if (kind) return { ok: false, resolved, failure: notRegular(shown, kind) };
  let fd: number;
  try {
    fd = openInRoot(root, resolved.rel, O_RDONLY | O_NONBLOCK);
  } catch (e) {
    return { ok: false, resolved, failure: fromErrno(shown, e) };
  }
  try {
    const r = readFd(fd, shown, maxBytes, st, options.same);
    return 'bytes' in r ? { ok: true, bytes: r.bytes, resolved } : { ok: false, resolved, failure: r.failure };
  } catch (e) {
    return { ok: false, resolved, failure: fromErrno(shown, e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a file outside any tree (settings, policies, the live /proc and /sys): the kernel resolves
 * the path, then the same checks as readFileInRoot apply (regular files only, at most maxBytes,
 * default MAX_SMALL_FILE_BYTES). `shown` names the file in messages (default: the path).
 * @throws ProcessLimitError for EMFILE, ENFILE or ENOMEM, as readFileInRoot
 */
export function readFileCapped(file: string, options: ReadOptions & { readonly shown?: string } = {}): { ok: true; bytes: Buffer } | { ok: false; failure: ReadFailure } {
  const maxBytes = options.maxBytes ?? MAX_SMALL_FILE_BYTES;
  const shown = options.shown ?? file;
  // a device, socket or FIFO is refused before any open (opening a device can have effects)
  try {
    const pre = statSync(file);
    const kind = kindOf(pre);
    if (kind && !isDevNull(pre)) return { ok: false, failure: notRegular(shown, kind) };
  } catch { /* the open below reports it */ }
  let fd: number;
  try {
    // O_NONBLOCK: should it become a FIFO after the check, it opens at once and is then refused.
    fd = openSync(file, O_RDONLY | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try { if (lstatSync(file).isSymbolicLink()) return { ok: false, failure: { kind: 'missing', dangling: true, message: `${shown} is a dangling symlink` } }; } catch { /* plain missing */ }
    }
    return { ok: false, failure: fromErrno(shown, e) };
  }
  try {
    const st = fstatSync(fd);
    if (isDevNull(st)) return { ok: true, bytes: Buffer.alloc(0) };
    const r = readFd(fd, shown, maxBytes);
    return 'bytes' in r ? { ok: true, bytes: r.bytes } : { ok: false, failure: r.failure };
  } catch (e) {
    return { ok: false, failure: fromErrno(shown, e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A directory inside a root, opened once (as listDirInRoot opens it) so that the regular files
 * its listing names can each be read with one open of their own; `null` when it cannot be opened
 * that way (no /proc/self/fd, or an error: the caller reads each file with readFileInRoot).
 */
export function openDirInRoot(root: string, resolved: ResolvedInRoot): number | null {
  if (resolved.missing || !canOpenAt()) return null;
  try {
    return openInRoot(root, resolved.rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  } catch {
    return null;
  }
}

/**
 * The bytes of `name` in the directory open as `dirFd` (openDirInRoot), when its listing said it
 * is a regular file: opened without following a link and without blocking, fstat must still show
 * a regular file of at most maxBytes. Two system calls fewer per file than readFileInRoot, and no
 * walk from the root: a limits.d of 10,000 files is read at the cost of reading its bytes. `null`
 * for anything else (a link, a file that changed kind or grew past the cap, an error): the caller
 * then reads it with readFileInRoot, which says why.
 */
export function readRegularAt(dirFd: number, name: string, maxBytes: number = MAX_LIMITS_FILE_BYTES, same?: Uint8Array): Buffer | null {
  let fd: number;
  try {
    fd = openSync(`/proc/self/fd/${dirFd}/${name}`, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const r = readFd(fd, name, maxBytes, undefined, same);
    return 'bytes' in r ? r.bytes : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A directory listing inside a root, or why there is none. */
export type ListResult =
  | {
    readonly ok: true;
    /** the entries; a name that is not UTF-8 appears here decoded lossily (U+FFFD), see `undecodable` */
    readonly entries: Dirent[];
    readonly resolved: ResolvedInRoot;
    /** the names (raw bytes) that are not valid UTF-8: no string names them, so they cannot be opened through `entries` */
    readonly undecodable: Buffer[];
  }
  | { readonly ok: false; readonly failure: ReadFailure; readonly resolved?: ResolvedInRoot };

/**
 * List the directory `rel` inside `root` by the same rule: a link on the way that leaves the root
 * is refused, and the directory is opened without following links (then listed through its fd).
 * Entries' types are their own (a symlink entry is reported as a symlink, not followed).
 * @throws ProcessLimitError for EMFILE, ENFILE or ENOMEM, as readFileInRoot
 */
export function listDirInRoot(root: string, rel: string): ListResult {
  const plain = listPlainInScope(root, rel);
  if (plain !== null) return plain;
  const r = resolveShown(root, rel);
  if (!r.ok) return { ok: false, failure: r.failure };
  const { shown, resolved } = r;
  if (resolved.missing) return { ok: false, resolved, failure: { kind: 'missing', dangling: resolved.dangling, message: `${shown}: no such directory` } };
  let fd: number;
  try {
    fd = openInRoot(root, resolved.rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return { ok: false, resolved, failure: { kind: 'error', code, message: `${shown} is not a directory` } };
    return { ok: false, resolved, failure: fromErrno(shown, e) };
  }
  try {
    const where = existsProcFd(fd) ? `/proc/self/fd/${fd}` : resolved.abs;
    const { entries, undecodable } = listFd(where);
    return { ok: true, entries, resolved, undecodable };
  } catch (e) {
    return { ok: false, resolved, failure: fromErrno(shown, e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * listDirInRoot's common cases inside a tree scope (paths.ts withTreeScope): the directory listed
 * through the scope's descriptor of it (reached with no link on the way), or `missing` when it or
 * a directory on the way does not exist. null for anything else (no scope, a `..`, a symlink, not
 * a directory, EACCES, an error listing it): listDirInRoot then decides as before.
 */
function listPlainInScope(root: string, rel: string): ListResult | null {
  const parts = pathParts(rel);
  if (parts.length === 0 || parts.includes('..')) return null;
  const dir = plainDirInScope(root, parts);
  if (dir === null) return null;
  if (dir === 'absent') {
    const shown = rel.replace(/^\/+/, '');
    return { ok: false, resolved: plainResolved(path.resolve(root), parts.join('/'), true), failure: { kind: 'missing', dangling: false, message: `${shown}: no such directory` } };
  }
  try {
    const { entries, undecodable } = listFd(`/proc/self/fd/${dir}`);
    return { ok: true, entries, resolved: plainResolved(path.resolve(root), parts.join('/'), false), undecodable };
  } catch {
    return null;
  }
}

/** The entries of the directory at `where`, and the names among them that are not UTF-8 (see ListResult). */
function listFd(where: string): { entries: Dirent[]; undecodable: Buffer[] } {
  const entries = readdirSync(where, { withFileTypes: true });
  // a name that is not UTF-8 comes back with U+FFFD in it: only then is the directory listed
  // again as bytes, to find which names no string can stand for
  const undecodable = entries.some((e) => e.name.includes('\ufffd'))
    ? readdirSync(where, { encoding: 'buffer' }).filter((b) => !Buffer.from(b.toString('utf8'), 'utf8').equals(b))
    : [];
  return { entries, undecodable };
}

/**
 * The descriptor the current tree scope (paths.ts withTreeScope) holds on the directory `resolved`
 * (as listDirInRoot returned it: no link on the way) — owned by the scope, never to be closed by
 * the caller — or null when there is none (then {@link openDirInRoot}).
 */
export function dirInScope(root: string, resolved: ResolvedInRoot): number | null {
  if (resolved.missing || resolved.viaSymlink) return null;
  const parts = pathParts(resolved.rel);
  if (parts.length === 0 || parts.includes('..')) return null;
  const fd = plainDirInScope(root, parts);
  return typeof fd === 'number' ? fd : null;
}

function existsProcFd(fd: number): boolean {
  try { return lstatSync(`/proc/self/fd/${fd}`).isSymbolicLink(); } catch { return false; }
}
