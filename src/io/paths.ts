/**
 * Paths inside a tree root, resolved the way the system would see them if the root were `/`.
 *
 * A symlink's absolute target is read chroot-style (`/etc/x` means `<root>/etc/x`), except when
 * it already names a path under the root on this host (trees built by scripts often link that
 * way). `..` may not climb above the root. On the live system (root `/`) this is plain kernel
 * resolution.
 */
import { closeSync, constants as fsConstants, existsSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CWD_LINK, realPathKeepingCwd } from './cwd.js';
import { freeDescriptors } from './descriptors.js';
import { isOwnLimit, LimitsIoError, OutsideRootError, ProcessLimitError } from './write-errors.js';

/**
 * A tree root that cannot be used at all: missing, not a directory, not listable, or (for writes)
 * not absolute. Code `EBADROOT` (kind input); the OS's code, when there is one, is in `errno`.
 */
export class TreeRootError extends LimitsIoError {
  /** the root as the caller gave it */
  readonly given: string;
  /** what is wrong with it, to follow the root's name: "does not exist", "is not a directory"… */
  readonly problem: string;
  /** the OS's code (ENOENT, ENOTDIR, EACCES…), or EINVAL for a relative path where an absolute one is needed */
  readonly errno: string;
  /** the root made absolute */
  readonly root: string;
  /** @param name what the caller calls the root in messages (default "the tree root"; the CLI says "--root") */
  constructor(given: string, problem: string, errno: string, cause?: unknown, name = 'the tree root') {
    super(`${name} ${given} ${problem}`, {
      code: 'EBADROOT',
      path: given,
      hint: 'Give the directory that holds etc/security (default /).',
      cause,
    });
    this.name = 'TreeRootError';
    this.given = given;
    this.problem = problem;
    this.errno = errno;
    this.root = path.resolve(given);
  }
}

/**
 * The one check of a tree root, for reading and writing: an existing directory (a symlink to one
 * is fine) that can be listed. Returns it absolute; `real` is its physical path. `name` is what
 * the caller calls the root in the message ("the tree root /x does not exist"; the CLI passes
 * "--root").
 * @throws TreeRootError (`EBADROOT`) otherwise; ProcessLimitError when limitsctl itself ran out of
 *   descriptors or memory stat'ing or listing it (EMFILE, ENFILE, ENOMEM: write-errors.ts
 *   OWN_LIMIT_CODES) — no fault of the root, so not "check its permissions"
 */
export function checkRootPaths(root: string, name?: string): { abs: string; real: string } {
  const abs = path.resolve(root);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, root);
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not accessible (permission denied)' : `cannot be read (${code})`;
    throw new TreeRootError(root, why, code, e, name);
  }
  if (!st.isDirectory()) throw new TreeRootError(root, 'is not a directory', 'ENOTDIR', undefined, name);
  let real: string;
  try {
    readdirSync(abs);
    real = realPathKeepingCwd(abs);
  } catch (e) {
    // a root reached through a link to a directory whose name is not UTF-8: said as it is
    if (e instanceof LimitsIoError && e.code === 'EILSEQ') throw e;
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, root);
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new TreeRootError(root, `cannot be listed (${code}); check its permissions`, code, e, name);
  }
  return { abs, real };
}

/** {@link checkRootPaths}' absolute path: the root to read a tree from. */
export function checkRoot(root: string, name?: string): string {
  return checkRootPaths(root, name).abs;
}

export interface ResolvedInRoot {
  /** absolute host path of the final target */
  readonly abs: string;
  /** the final target relative to the root ("etc/security/real.conf") */
  readonly rel: string;
  /** true when any component was a symlink */
  readonly viaSymlink: boolean;
  /**
   * true when the final target does not exist (a dangling symlink or a missing file); never for a
   * directory on the way this uid may not search (resolveInRoot throws EACCES/EPERM then)
   */
  readonly missing: boolean;
  /**
   * true when it is missing because a symlink's target does not exist: the missing name comes
   * from a link's target (`limits.d/x.conf -> ../gone.conf`, `etc/security -> sec-gone`), not from
   * `rel` itself (`etc/passwd` with `etc -> /usr/etc` and no usr/etc/passwd is plainly missing,
   * as in a tree without the link). false when not missing.
   */
  readonly dangling: boolean;
}

function split(p: string): string[] {
  return p.split('/').filter((x) => x !== '' && x !== '.');
}

/**
 * realpath(3) of `abs`, or null when it cannot be resolved (missing, ENOTDIR, EACCES, ELOOP…).
 * A missing file (the common case: a config repository's trees have no etc/passwd, proc,
 * sysctl.d…) is found by access(2) first, which reports it without an exception made and thrown.
 */
function realpathOrNull(abs: string): string | null {
  if (!existsSync(abs)) return null;
  try {
    return realPathKeepingCwd(abs, realpathSync.native);
  } catch {
    return null;
  }
}

/**
 * The common case of resolveInRoot, in two realpath(3) calls instead of an lstat of every
 * component from JavaScript: `parts` (no `..`) name an existing file whose physical path is the
 * root's physical path followed by `parts` — so no component below the root is a symlink (a link
 * would make the physical path leave its place). null when that is not so: the walk decides —
 * also for a path realpath(3) cannot resolve (missing, EACCES…): null here never means missing.
 */
function plainInRoot(absRoot: string, parts: readonly string[]): ResolvedInRoot | null {
  if (parts.length === 0 || parts.includes('..')) return null;
  const relOut = parts.join('/');
  const abs = path.join(absRoot, relOut);
  const real = realpathOrNull(abs);
  if (real === null) return null;
  const rootReal = realpathOrNull(absRoot);
  if (rootReal === null || real !== (rootReal === '/' ? `/${relOut}` : `${rootReal}/${relOut}`)) return null;
  return { abs, rel: relOut, viaSymlink: false, missing: false, dangling: false };
}

/**
 * An absolute link target that names a path under the root on this host (trees built by
 * scripts often link so), as that path relative to the root; null for a chroot-style target.
 * The root may be named another way than `absRoot` spells it — by its physical path, or through
 * a symlink to it (`--root L` with `L -> T` and a link to `/…/T/x`, or the other way round) — so
 * besides the text of `absRoot`, the target's leading directories (up to a `..`), shortest first,
 * are compared with the root's physical path (a realpath(3) each, only for a target `absRoot`
 * does not already begin).
 */
function hostPathInRoot(absRoot: string, target: string): string | null {
  if (absRoot === '/') return null; // the live system: every absolute target is in the root
  if (target === absRoot || target.startsWith(`${absRoot}/`)) return target.slice(absRoot.length);
  const parts = split(target);
  const rootReal = realpathOrNull(absRoot);
  if (rootReal === null) return null;
  // the shortest leading directories that are the root: what follows them is resolved inside the
  // tree like the rest of a link (its links, its `..` bounded by the root), as for a target that
  // begins with absRoot's text — never through the tree's own links the host's way
  const up = parts.indexOf('..');
  for (let n = 1; n <= (up < 0 ? parts.length : up); n++) {
    if (realpathOrNull(`/${parts.slice(0, n).join('/')}`) === rootReal) return parts.slice(n).join('/');
  }
  return null;
}

/**
 * Resolve `rel` (relative to `root`) following symlinks. Throws OutsideRootError when a link
 * leads outside the root, ELOOP after 40 links, ENOENT (with `viaSymlink`) when a missing
 * component is followed by `..`, and lstat's own EACCES/EPERM error (with `viaSymlink`) when a
 * directory on the way may not be searched by this uid: whether the path exists behind it is
 * unknown, so it is not reported as missing. lstat's ENOMEM is thrown too (limitsctl's own limit,
 * write-errors.ts OWN_LIMIT_CODES: read.ts fromErrno makes it a ProcessLimitError). Any other
 * missing component (ENOENT, ENOTDIR) is reported (`missing`), not thrown.
 */
export function resolveInRoot(root: string, rel: string): ResolvedInRoot {
  const absRoot = path.resolve(root);
  let pending = split(rel);
  const plain = plainInRoot(absRoot, pending);
  if (plain !== null) return plain;
  const done: string[] = [];
  let viaSymlink = false;
  let hops = 0;
  let lastLink: { path: string; target: string } | null = null;
  // how many of the first pending components come from links' targets (not from `rel`)
  let linkParts = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    const fromLink = linkParts > 0;
    if (fromLink) linkParts--;
    if (part === '..') {
      if (done.length === 0) {
        if (absRoot === '/') continue; // the kernel's rule: /.. is /
        throw lastLink ? OutsideRootError.link(rel, lastLink.target, absRoot, lastLink.path) : OutsideRootError.link(rel, '..', absRoot);
      }
      done.pop();
      continue;
    }
    const candidate = path.join(absRoot, ...done, part);
    let isLink: boolean | undefined;
    try {
      // a missing component is the common case (a config repository's trees have no etc/passwd,
      // proc, sysctl.d…): ENOENT comes back as undefined, without an exception made and thrown
      isLink = lstatSync(candidate, { throwIfNoEntry: false })?.isSymbolicLink();
    } catch (e) {
      // EACCES/EPERM: a directory on the way this uid may not search (etc/security mode 0700
      // read as a non-root uid). What is behind it is unknown, not missing — pam_limits, as
      // root, sees it: thrown, so that readers say "cannot read as uid N" (read.ts fromErrno,
      // 'denied') instead of "no such file". ENOTDIR (a file where a directory must be) is
      // missing as well, as the kernel has it for pam_limits too.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw Object.assign(e as Error, { viaSymlink });
      // ENOMEM: the kernel had no memory for this process's lstat — nothing about the path
      if (isOwnLimit(e)) throw e;
    }
    if (isLink === undefined) {
      // Like the kernel: `missing/..` does not exist either (no lexical shortcut through a
      // component that is not there).
      if (pending.includes('..')) {
        throw Object.assign(new LimitsIoError(`${rel}: ${[...done, part].join('/')} does not exist, so ${[...done, part, ...pending].join('/')} cannot be resolved`, { code: 'ENOENT', path: rel }), { viaSymlink });
      }
      const relOut = [...done, part, ...pending].join('/');
      return { abs: path.join(absRoot, relOut), rel: relOut, viaSymlink, missing: true, dangling: fromLink };
    }
    if (!isLink) { done.push(part); continue; }
    viaSymlink = true;
    if (++hops > 40) throw new LimitsIoError(`too many levels of symbolic links resolving ${rel}`, { code: 'ELOOP', path: rel });
    const target = readlinkSync(candidate);
    lastLink = { path: [...done, part].join('/'), target };
    const parts = split(target.startsWith('/') ? hostPathInRoot(absRoot, target) ?? target : target);
    if (target.startsWith('/')) done.length = 0;
    pending = [...parts, ...pending];
    linkParts += parts.length;
  }
  const relOut = done.join('/');
  return { abs: path.join(absRoot, relOut), rel: relOut, viaSymlink, missing: false, dangling: false };
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fsConstants;

/** Thrown when a component of a resolved path was swapped (e.g. for a symlink) while it was being opened. */
export class PathChangedError extends LimitsIoError {
  constructor(readonly relPath: string, detail: string) {
    super(`${relPath} changed while it was being opened (${detail}); limitsctl does not follow it — run again`, { code: 'ECHANGED', path: relPath });
    this.name = 'PathChangedError';
  }
}

let procFdWorks: boolean | undefined;
/** Whether `/proc/self/fd/N/name` can stand in for openat(N, name) here (Linux with /proc mounted). */
export function canOpenAt(): boolean {
  if (procFdWorks === undefined) {
    try { procFdWorks = lstatSync('/proc/self/fd').isDirectory(); } catch { procFdWorks = false; }
  }
  return procFdWorks;
}

/** The components of a path relative to a root, as resolveInRoot walks them ('' and '.' dropped). */
export function pathParts(rel: string): string[] {
  return split(rel);
}

/**
 * A run of reads of one tree (a load: its limits files, accounts, os-release, sysctl files…):
 * each directory reached from the root with no symlink on the way is opened once, and later
 * reads below it start from that descriptor instead of resolving and opening every component
 * again. `dirs` maps a directory's path relative to the root ('' for the root) to its descriptor,
 * ABSENT when it is not there (ENOENT: no entry of that name, link or not), or OTHER when it is
 * something else — a symlink, not a directory, not searchable, an error: the caller then takes
 * the general way (resolveInRoot, openInRoot), which says what it is.
 */
interface TreeScope {
  readonly absRoot: string;
  readonly dirs: Map<string, number | typeof ABSENT | typeof OTHER>;
}
const ABSENT = 'absent';
const OTHER = 'other';
let scope: TreeScope | null = null;

/**
 * Run `fn` (synchronous) with the directories of the tree at `root` kept open across its reads
 * (see {@link plainDirInScope}); they are closed when it returns or throws. Inside another scope
 * (a load within a load) the outer one is used. Without /proc/self/fd there is no scope: every
 * read takes the general way.
 */
export function withTreeScope<T>(root: string, fn: () => T): T {
  if (scope !== null || !canOpenAt() || !descriptorsToSpare()) return fn();
  const s: TreeScope = { absRoot: path.resolve(root), dirs: new Map() };
  scope = s;
  try {
    return fn();
  } finally {
    scope = null;
    for (const v of s.dirs.values()) {
      if (typeof v === 'number') { try { closeSync(v); } catch { /* already gone */ } }
    }
  }
}

/**
 * Descriptors a tree scope may hold only when this many more than it holds are free: its
 * directories stay open for the whole load, and a read that must take the general way (a link, a
 * FIFO…) opens its own beside them. With fewer free, a load takes the general way throughout and
 * needs no more descriptors than it did before scopes: a process near its RLIMIT_NOFILE (`ulimit
 * -n 22`) read a tree whose limits.d it could read without a scope as unreadable (EMFILE) with one.
 */
const SCOPE_SPARE_FDS = 64;
/**
 * Whether at least SCOPE_SPARE_FDS descriptors are free below the soft RLIMIT_NOFILE
 * (./descriptors.ts freeDescriptors). false when that cannot be read: no scope then.
 */
function descriptorsToSpare(): boolean {
  const count = freeDescriptors();
  return count !== null && count.free >= SCOPE_SPARE_FDS;
}

/**
 * The directory made of the first `n` of `parts` (components relative to `root`, no `..`) in the
 * current tree scope: a descriptor open on it (owned by the scope: never closed by the caller)
 * when the root and every one of those components were opened without following a link
 * (O_DIRECTORY|O_NOFOLLOW, each from the one before, as openInRoot does), 'absent' when one of
 * them does not exist (ENOENT), and null when there is no scope for `root` or the general way
 * must decide (a symlink, a file, EACCES, any other error).
 */
export function plainDirInScope(root: string, parts: readonly string[], n: number = parts.length): number | 'absent' | null {
  const s = scope;
  if (s === null || (root !== s.absRoot && path.resolve(root) !== s.absRoot)) return null;
  const v = dirAt(s, parts, n);
  return v === OTHER ? null : v;
}

/**
 * {@link checkRoot} of `root`, answered from the current tree scope when its descriptor of the root
 * shows one with no symlink in its path — the kernel's path of that descriptor is `root` made
 * absolute: it was opened as a directory for reading, so it exists, is a directory and can be
 * listed, and its physical path is that name, so realPathKeepingCwd has nothing to refuse (a name
 * with U+FFFD, or one under /proc/self/cwd, is left to checkRoot). One readlink instead of a stat,
 * a listing and an lstat per component. Anything else: checkRoot itself, with its errors.
 */
export function checkRootInScope(root: string, name?: string): string {
  const abs = path.resolve(root);
  const fd = abs.includes('\uFFFD') || abs.startsWith(CWD_LINK) ? null : plainDirInScope(abs, [], 0);
  if (typeof fd === 'number') {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === abs) return abs;
    } catch { /* checkRoot says */ }
  }
  return checkRoot(root, name);
}

function dirAt(s: TreeScope, parts: readonly string[], n: number): number | typeof ABSENT | typeof OTHER {
  const key = n === 0 ? '' : n === parts.length ? parts.join('/') : parts.slice(0, n).join('/');
  const known = s.dirs.get(key);
  if (known !== undefined) return known;
  let v: number | typeof ABSENT | typeof OTHER;
  if (n === 0) {
    try { v = openSync(s.absRoot, O_RDONLY | O_DIRECTORY); } catch { v = OTHER; }
  } else {
    const up = dirAt(s, parts, n - 1);
    if (typeof up !== 'number') v = up;
    else {
      const at = `/proc/self/fd/${up}/${parts[n - 1]}`;
      // lstat first: a name that is not there (usr, proc, sysctl.d… in a config repository's
      // trees) costs no exception made and thrown, as a failed open would
      let st: Stats | undefined | null;
      try {
        st = lstatSync(at, { throwIfNoEntry: false });
      } catch {
        st = null; // EACCES…
      }
      if (st === undefined) v = ABSENT;
      else if (st === null || !st.isDirectory()) v = OTHER; // a symlink (followed by the general way), a file…
      else {
        try {
          v = openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        } catch {
          v = OTHER;
        }
      }
    }
  }
  s.dirs.set(key, v);
  return v;
}

/**
 * Open `resolvedRel` — a path relative to `root` with no symlink in it, as `resolveInRoot`
 * returns in `rel` — without following any link: every directory is opened from the one before
 * it with O_DIRECTORY|O_NOFOLLOW (openat(2) emulated through /proc/self/fd/N/name), and the last
 * component with `flags | O_NOFOLLOW`. A component swapped for a symlink between resolving and
 * opening makes this throw PathChangedError instead of being followed out of the root. The root
 * itself may be a symlink (it is the caller's choice). Without /proc, falls back to one
 * O_NOFOLLOW open of the whole path (only the last component is then guarded).
 * Returns a file descriptor the caller must close. Other errors are the errno of open(2).
 */
export function openInRoot(root: string, resolvedRel: string, flags: number = O_RDONLY): number {
  const absRoot = path.resolve(root);
  const parts = split(resolvedRel);
  if (parts.length === 0) return openSync(absRoot, flags);
  if (!canOpenAt()) {
    try {
      return openSync(path.join(absRoot, ...parts), flags | O_NOFOLLOW);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new PathChangedError(resolvedRel, 'the file is now a symlink');
      throw e;
    }
  }
  let dirFd = openSync(absRoot, O_RDONLY | O_DIRECTORY);
  try {
    for (let i = 0; i < parts.length - 1; i++) {
      let next: number;
      try {
        next = openSync(`/proc/self/fd/${dirFd}/${parts[i]}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ELOOP' || code === 'ENOTDIR') throw new PathChangedError(resolvedRel, `${parts.slice(0, i + 1).join('/')} is no longer a directory`);
        throw e;
      }
      closeSync(dirFd);
      dirFd = next;
    }
    try {
      return openSync(`/proc/self/fd/${dirFd}/${parts[parts.length - 1]}`, flags | O_NOFOLLOW);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new PathChangedError(resolvedRel, 'the file is now a symlink');
      throw e;
    }
  } finally {
    closeSync(dirFd);
  }
}
