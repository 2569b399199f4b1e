/**
 * Error classes of the I/O layer.
 *
 * Every error thrown by `src/io/*` about a file is a {@link LimitsIoError} (a
 * {@link LimitsError} of src/core/errors.ts): it carries the path it is about, an errno-style
 * `code` (the OS code such as `EACCES`, or one of limitsctl's own codes, listed with their kind in
 * {@link ERROR_CODES}) and a message that says what failed, where, and how to fix it. The module
 * never prints anything; the CLI decides how to show these.
 */
import { ERROR_CODES, LimitsError, type LimitsErrorCode } from '../core/errors.js';

/** The codes of {@link ERROR_CODES} the I/O layer uses (the rest are the OS's errno codes). */
export type LimitsIoCode = Extract<keyof typeof ERROR_CODES,
  'EOUTSIDEROOT' | 'EBADROOT' | 'ECONFLICT' | 'ELOCKTIMEOUT' | 'EPARTIAL' | 'ENOTREG' | 'EDUPLICATE' |
  'ECHANGED' | 'EHARDLINK' | 'EATTR' | 'EJOURNAL' | 'ETOOLARGE' | 'EUNKNOWN'>;

/** Options shared by the constructors of {@link LimitsIoError} and its subclasses. */
export interface LimitsIoErrorOptions {
  /** errno code (`EACCES`…) or a {@link LimitsIoCode}. */
  readonly code: LimitsErrorCode;
  /** The path the error is about, as the caller gave it. */
  readonly path: string;
  /** What to do about it, when the message does not say. */
  readonly hint?: string | undefined;
  /** The physical path (symlinks resolved) when it differs from `path`. */
  readonly realPath?: string | undefined;
  /** The system call that failed, when an OS error is wrapped. */
  readonly syscall?: string | undefined;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** Base class of every error about a file thrown by the I/O layer. */
export class LimitsIoError extends LimitsError {
  /** The path the error is about, as the caller gave it. */
  declare readonly path: string;
  /** The physical path (symlinks resolved) when known and different from {@link path}. */
  readonly realPath: string | undefined;
  /** The system call that failed, when an OS error is wrapped. */
  readonly syscall: string | undefined;

  constructor(message: string, opts: LimitsIoErrorOptions) {
    super(message, opts);
    this.name = 'LimitsIoError';
    this.realPath = opts.realPath !== undefined && opts.realPath !== opts.path ? opts.realPath : undefined;
    this.syscall = opts.syscall;
  }
}

/**
 * The file changed between the moment the caller read it (its `expected` content or stamp) and
 * the moment of the write. Nothing was written: read the file again, re-plan and retry.
 */
export class ConcurrentModificationError extends LimitsIoError {
  constructor(path: string, realPath: string | undefined, detail: string) {
    super(
      `${where(path, realPath)} was changed by someone else since it was read (${detail}); ` +
        'nothing was written — read it again and re-apply the change',
      { code: 'ECONFLICT', path, realPath },
    );
    this.name = 'ConcurrentModificationError';
  }
}

/**
 * A path, or where a symlink on it leads, is outside the tree root: refused (not read, not
 * written). The one class for reading (src/io/paths.ts' resolveInRoot: a link leads out) and
 * writing (a path below no root, or the root itself).
 */
export class OutsideRootError extends LimitsIoError {
  /** The tree root the path had to stay in. */
  readonly root: string;
  /** Where it leads: the text of the link that leads out, or the resolved path. */
  readonly target: string;
  /** The symlink that leads out, relative to the root ({@link path} itself when it is the link). */
  readonly linkPath: string;

  /** Prefer {@link OutsideRootError.link} and {@link OutsideRootError.write}, which word the message. */
  constructor(message: string, opts: { path: string; root: string; target: string; linkPath?: string; realPath?: string }) {
    super(message, { code: 'EOUTSIDEROOT', path: opts.path, realPath: opts.realPath });
    this.name = 'OutsideRootError';
    this.root = opts.root;
    this.target = opts.target;
    this.linkPath = opts.linkPath ?? opts.path;
  }

  /**
   * Reading: `relPath` (relative to `root`) has a symlink, `linkPath`, whose text `target` leads
   * out of the root (or `..` climbs above it); the link is not followed.
   */
  static link(relPath: string, target: string, root: string, linkPath: string = relPath): OutsideRootError {
    return new OutsideRootError(
      `${linkPath === relPath ? relPath : `${relPath}: ${linkPath}`} is a symlink to ${target}, which leads outside the tree root; limitsctl does not follow it`,
      { path: relPath, root, target, linkPath },
    );
  }

  /** Writing: `path` resolves to `realPath`, which is not inside `root` (or is the root itself). */
  static write(path: string, realPath: string, root: string): OutsideRootError {
    return new OutsideRootError(
      `refusing to write ${where(path, realPath)}: it resolves outside the tree root ${root}` +
        (realPath !== path ? ' (a symlink on the way leads out of it)' : '') +
        ' — point the symlink inside the tree, or give the right tree root',
      { path, root, target: realPath, realPath },
    );
  }
}

/** Who holds a tree lock, as recorded in the lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly created: string;
}

/** The tree lock stayed held by another process for longer than the timeout. */
export class LockTimeoutError extends LimitsIoError {
  /** The holder, when the lock file could be read. */
  readonly owner: LockOwner | undefined;
  constructor(lockPath: string, timeoutMs: number, owner: LockOwner | undefined) {
    const who = owner
      ? `limitsctl process ${owner.pid} on ${owner.host} (since ${owner.created})`
      : 'another limitsctl process';
    super(
      `timed out after ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} waiting for the lock ${lockPath}, held by ${who}; ` +
        'wait for it to finish and retry — if no limitsctl is running any more, remove the lock file',
      { code: 'ELOCKTIMEOUT', path: lockPath },
    );
    this.name = 'LockTimeoutError';
    this.owner = owner;
  }
}

/** One file's outcome inside a {@link PartialWriteError}. */
export interface PartialWriteEntry {
  readonly path: string;
  readonly committed: boolean;
}

/**
 * A multi-file write failed after some files had already been renamed into place (this needs a
 * failure of rename(2) itself, after every file was prepared and checked — very rare). The files
 * marked `committed` have their new content; the others are unchanged. `cause` is the failure.
 */
export class PartialWriteError extends LimitsIoError {
  readonly files: readonly PartialWriteEntry[];
  constructor(files: readonly PartialWriteEntry[], cause: unknown) {
    const done = files.filter((f) => f.committed).map((f) => f.path);
    const notDone = files.filter((f) => !f.committed).map((f) => f.path);
    const first = notDone[0] ?? files[0]?.path ?? '';
    super(
      `only part of the change was written: ${done.join(', ')} got the new content but ` +
        `${notDone.join(', ')} did not (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'fix the cause and run the command again — it re-plans from what is on disk now',
      { code: 'EPARTIAL', path: first, cause },
    );
    this.name = 'PartialWriteError';
    this.files = files;
  }
}

/**
 * A file to replace has other hard links (`EHARDLINK`, under hardLinks 'refuse'): replacing it
 * would give only this name the new content, the other names keeping the old one. The message
 * ends with the library's way to replace this name only, `hardLinks 'split'`; a caller with
 * another way (the CLI's --force, a task's force: true) words it with {@link HardLinkError.saying}.
 */
export class HardLinkError extends LimitsIoError {
  /** the file's link count (pinning links of writers running now not counted) */
  readonly links: bigint;

  /** @param given the name as the caller gave it; @param target the file it leads to */
  constructor(given: string, readonly target: string, links: bigint) {
    super(HardLinkError.saying(given, target, links, "hardLinks 'split'"), { code: 'EHARDLINK', path: given, realPath: target });
    this.name = 'HardLinkError';
    this.links = links;
  }

  /**
   * The message of this refusal with `split` named as the way to replace this name only (the
   * library: `hardLinks 'split'`; the CLI: `--force`), or without one (null: the caller has none).
   */
  static saying(given: string, target: string, links: bigint, split: string | null): string {
    return `refusing to replace ${where(given, target)}: it has ${links} hard links, ` +
      `so ${links - 1n} other name(s) share its content and would keep the old one — edit it through a symlink instead ` +
      `of a hard link${split === null ? '' : `, or replace this name only (${split})`}`;
  }
}

/**
 * The errno codes that say limitsctl's own process ran out of something — never a property of the
 * file or directory it was opening, listing or reading (open(2), openat(2), opendir(3), read(2),
 * getdents(2), lstat(2)): `EMFILE` (this process's RLIMIT_NOFILE, `ulimit -n`), `ENFILE` (the
 * system-wide table of open files is full, fs.file-max) and `ENOMEM` (the kernel had no memory
 * for the call). pam_limits, running in another process, would open the same file fine, so a
 * reader never turns one of them into a fact about the tree (status 'unreadable' or
 * 'not-evaluated', a skipped file, "accounts were not checked", a fallback value): it throws
 * {@link ProcessLimitError}, and the command ends with exit 2.
 */
export const OWN_LIMIT_CODES = ['EMFILE', 'ENFILE', 'ENOMEM'] as const;
/** One of {@link OWN_LIMIT_CODES}. */
export type OwnLimitCode = (typeof OWN_LIMIT_CODES)[number];

/** Whether `code` is one of {@link OWN_LIMIT_CODES}. */
export function isOwnLimitCode(code: unknown): code is OwnLimitCode {
  return code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM';
}

/** Whether `e` is a {@link ProcessLimitError}, or an OS error (node:fs, child_process) with one of {@link OWN_LIMIT_CODES}. */
export function isOwnLimit(e: unknown): boolean {
  return e instanceof ProcessLimitError || (isErrno(e) && isOwnLimitCode(e.code));
}

/**
 * limitsctl itself ran out of file descriptors or kernel memory while reading `path` (code: the
 * OS's, one of {@link OWN_LIMIT_CODES}; kind io, exit 2). Not a fact about the file: the message
 * says what ran out and how to run again —
 * `limitsctl ran out of file descriptors (EMFILE) while reading etc/security/limits.d: raise its
 * limit (ulimit -n) and run it again`.
 */
export class ProcessLimitError extends LimitsIoError {
  declare readonly code: OwnLimitCode;
  /** @param path what was being read, as messages name it (relative to the tree root inside one) */
  constructor(code: OwnLimitCode, path: string, opts: { readonly syscall?: string | undefined; readonly cause?: unknown; readonly message?: string } = {}) {
    super(opts.message ?? ProcessLimitError.saying(code, path), { code, path, syscall: opts.syscall, cause: opts.cause });
    this.name = 'ProcessLimitError';
  }

  /**
   * `e` as a ProcessLimitError about `path`: itself when it already is one (it names the path it
   * was first met at), else made from its OS code. Only for an `e` that {@link isOwnLimit}.
   */
  static from(e: unknown, path: string): ProcessLimitError {
    if (e instanceof ProcessLimitError) return e;
    const code = (e as ErrnoLike).code;
    return new ProcessLimitError(isOwnLimitCode(code) ? code : 'EMFILE', path, { syscall: (e as ErrnoLike).syscall, cause: e });
  }

  /**
   * A write refused before it began (nothing created, not even its lock) because fewer descriptors
   * are free than it needs (./descriptors.ts refuseFewDescriptors): code EMFILE, path `first`.
   */
  static tooFew(first: string, files: number, free: number, need: number, limit: number): ProcessLimitError {
    const what = files > 1 ? `${first} and ${files - 1} more file${files > 2 ? 's' : ''}` : first;
    return new ProcessLimitError('EMFILE', first, {
      message: `limitsctl has too few file descriptors free (EMFILE) to write ${what} safely: ${free} free below its limit of ${limit}, the write needs ${need}; nothing was written: raise its limit (ulimit -n) and run it again`,
    });
  }

  /** The message for `code` while reading `path`. */
  static saying(code: OwnLimitCode, path: string): string {
    switch (code) {
      case 'EMFILE':
        return `limitsctl ran out of file descriptors (EMFILE) while reading ${path}: raise its limit (ulimit -n) and run it again`;
      case 'ENFILE':
        return `the system's table of open files is full (ENFILE) while limitsctl was reading ${path}: close files elsewhere or raise fs.file-max, and run it again`;
      case 'ENOMEM':
        return `the kernel ran out of memory (ENOMEM) while limitsctl was reading ${path}: free some memory and run it again`;
    }
  }
}

function where(path: string, realPath: string | undefined): string {
  return realPath !== undefined && realPath !== path ? `${path} (→ ${realPath})` : path;
}

/** What the caller was doing when an OS call failed; used to word the message. */
export type IoAction =
  | 'read'
  | 'create-temp'
  | 'write-temp'
  | 'sync'
  | 'rename'
  | 'create-dir'
  | 'backup'
  | 'lock'
  | 'stat';

const ACTION_TEXT: Record<IoAction, string> = {
  read: 'cannot read',
  'create-temp': 'cannot create a temporary file next to',
  'write-temp': 'cannot write the new content of',
  sync: 'cannot flush to disk',
  rename: 'cannot replace',
  'create-dir': 'cannot create the directory for',
  backup: 'cannot write the backup of',
  lock: 'cannot take the lock',
  stat: 'cannot inspect',
};

/** How-to-fix hints per errno code. `dir` is the directory the operation needed. */
function hint(code: string, dir: string): string {
  switch (code) {
    case 'EACCES':
      return `permission denied — run limitsctl as root (e.g. with sudo), or make ${dir} writable for you`;
    case 'EPERM':
      return (
        `operation not permitted — ${dir} may be immutable or append-only ` +
        `(check with 'lsattr -d ${dir}', clear with 'chattr -i'), or the owner cannot be kept unless you run as root`
      );
    case 'EROFS':
      return `the file system holding ${dir} is mounted read-only — remount it read-write, or edit a copy in another tree root`;
    case 'ENOSPC':
      return `no space left on the device holding ${dir} — free some space and retry`;
    case 'EDQUOT':
      return `disk quota exceeded on ${dir} — free some space or raise the quota and retry`;
    case 'ENOTDIR':
      return 'a component of the path is not a directory — remove or rename that file, or fix the path';
    case 'EISDIR':
      return 'the path is a directory, not a file — give the path of a file';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop?) — fix the symlinks on the path';
    case 'ENAMETOOLONG':
      return 'the path is too long — use a shorter path or tree root';
    case 'EIO':
      return `an I/O error occurred on the device holding ${dir} — check the disk (dmesg)`;
    case 'ENOENT':
      return 'it does not exist — check the path and the tree root';
    case 'EBUSY':
      return 'the file is busy (a mount point?) — it cannot be replaced';
    case 'EXDEV':
      return 'the temporary file ended up on another file system — this should not happen; please report it';
    // limitsctl's own process limits (OWN_LIMIT_CODES), never the file's
    case 'EMFILE':
      return 'limitsctl ran out of file descriptors (EMFILE) — raise its limit (ulimit -n) and run it again';
    case 'ENFILE':
      return "the system's table of open files is full (ENFILE) — close files elsewhere or raise fs.file-max, and run it again";
    case 'ENOMEM':
      return 'the kernel ran out of memory (ENOMEM) — free some memory and run it again';
    default:
      return code;
  }
}

/** Errno-style error as thrown by node:fs. */
export interface ErrnoLike {
  code?: string;
  syscall?: string;
  message?: string;
}

/** True when `e` is a node:fs error with that code. */
export function isErrno(e: unknown, ...codes: string[]): e is NodeJS.ErrnoException {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as ErrnoLike).code === 'string' &&
    (codes.length === 0 || codes.includes((e as ErrnoLike).code as string))
  );
}

/**
 * Wrap an OS error (or pass a {@link LimitsIoError} through unchanged) as a LimitsIoError with a
 * human message: `<what> <path>: <why> — <how to fix>`.
 */
export function wrapIoError(
  e: unknown,
  action: IoAction,
  path: string,
  realPath: string | undefined,
  dir: string,
): LimitsIoError {
  if (e instanceof LimitsIoError) return e;
  const code = isErrno(e) ? (e.code as LimitsErrorCode) : 'EUNKNOWN';
  const syscall = isErrno(e) ? e.syscall : undefined;
  const why = code === 'EUNKNOWN' ? (e instanceof Error ? e.message : String(e)) : hint(code, dir);
  return new LimitsIoError(`${ACTION_TEXT[action]} ${where(path, realPath)}: ${why}`, {
    code,
    path,
    realPath,
    syscall,
    cause: e,
  });
}

/** Whether a process with this pid exists (EPERM means it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return !isErrno(e, 'ESRCH');
  }
}
