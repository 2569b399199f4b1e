/**
 * Path resolution for writes: where a path inside a tree root really leads, whether that stays
 * inside the root, and a handle on the target's directory that cannot be redirected.
 *
 * The rule is the tree reader's, from the same code ({@link resolveInRoot} in src/io/paths.ts):
 * the tree is seen as the system would see it if the root were `/`. A symlink's absolute target is
 * read chroot-style (`/etc/x` means `<root>/etc/x`), except when it already names a path under the
 * root on this host (trees built by scripts often link that way); relative targets are followed
 * from the directory holding the link; `..` may not climb above the root; `missing/..` is "no such
 * file", as Linux resolves it (never normalised lexically). On the live system (root `/`) this is
 * the kernel's resolution. So a write goes to the very file a read shows — and never outside.
 *
 * Resolving a path and using it are two moments; a directory of the tree swapped for a symlink in
 * between must not redirect the write. So the target's directory is then *opened* from the root one
 * component at a time without following links ({@link openTreeDir}: openat(2) with O_NOFOLLOW,
 * emulated through /proc/self/fd/N/name by src/io/paths.ts' openInRoot), and every later step —
 * temporary file, rename, backup — names files relative to that open directory
 * ({@link DirHandle.at}), so they land in the directory that was checked even if its path is
 * swapped meanwhile. Without /proc (no openat emulation) paths are used, and the directory's
 * device/inode are re-checked right before the rename ({@link verifyDir}).
 */
import { closeSync, constants as fsConstants, fstatSync, fsyncSync, lstatSync, openSync } from 'node:fs';
import { chmod, lstat, mkdir, open, rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { canOpenAt, checkRootPaths, openInRoot, resolveInRoot, TreeRootError } from './paths.js';
import { ConcurrentModificationError, LimitsIoError, OutsideRootError, isErrno, wrapIoError } from './write-errors.js';

/** A validated tree root. */
export interface TreeRoot {
  /** the root as given, made absolute and normalized */
  readonly abs: string;
  /** its physical path (symlinks resolved) */
  readonly real: string;
}

/** Where a path inside the tree leads. */
export interface TreePath {
  /** The absolute host path of the final target: below the root's physical path, no symlink in it. */
  readonly realPath: string;
  /** `realPath` relative to the root, '/'-separated ('' never: the root itself is refused). */
  readonly rel: string;
  /** Whether `realPath` exists (a dangling symlink or a missing file gives false). */
  readonly exists: boolean;
  /**
   * The deepest ancestor of `realPath` that exists (`realPath`'s parent when that exists);
   * directories between it and `realPath` are missing and would have to be created.
   */
  readonly existingAncestor: string;
}

/**
 * Validate the tree root: absolute, and usable as {@link checkRootPaths} (src/io/paths.ts) checks
 * every root, for reading and writing alike.
 * @throws TreeRootError (a LimitsIoError `EBADROOT`) when `root` is not absolute or not an
 *   existing, listable directory.
 */
export async function resolveRoot(root: string): Promise<TreeRoot> {
  if (typeof root !== 'string' || !path.isAbsolute(root)) {
    throw new TreeRootError(JSON.stringify(String(root)), 'is not an absolute path', 'EINVAL');
  }
  return checkRootPaths(root);
}

/** True when `p` is `dir` or below it (both absolute and normalized). */
function isInside(dir: string, p: string): boolean {
  if (p === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return p.startsWith(prefix);
}

/** `p` relative to the root when it is below it (as given or physically), else undefined. */
function relativeToRoot(p: string, root: TreeRoot): string | undefined {
  for (const base of [root.abs, root.real]) {
    if (isInside(base, p)) return p.slice(base.length);
  }
  return undefined;
}

/**
 * Resolve `given` (an absolute path below the root, or relative to the cwd) inside the tree: every
 * symlink on the way followed by the tree reader's rule (src/io/paths.ts, see the module comment).
 *
 * @throws OutsideRootError when the path is not below the root, is the root, or climbs out of it
 * @throws LimitsIoError `ENOENT` when a symlink goes through a missing directory and then `..`
 *   (Linux fails such a path), `ENOTDIR` when a component that must be a directory is not one,
 *   `ELOOP` on more than 40 symlinks, or the OS error of lstat/readlink (EACCES…)
 */
export async function resolveInsideRoot(given: string, root: TreeRoot): Promise<TreePath> {
  const abs = path.resolve(given);
  const rel0 = relativeToRoot(abs, root);
  if (rel0 === undefined) throw OutsideRootError.write(given, abs, root.abs);
  let r;
  try {
    r = resolveInRoot(root.abs, rel0);
  } catch (e) {
    const code = isErrno(e) ? (e.code as string) : '';
    if (code === 'EOUTSIDEROOT') {
      throw OutsideRootError.write(given, `${e instanceof OutsideRootError ? e.target : '..'} (outside the root)`, root.abs);
    }
    if (code === 'ELOOP') {
      throw new LimitsIoError(
        `cannot resolve ${given}: more than 40 symbolic links on the way (a symlink loop?) — fix the symlinks`,
        { code: 'ELOOP', path: given },
      );
    }
    if (code === 'ENOENT') {
      throw new LimitsIoError(
        `cannot write ${given}: a symlink on its way goes through a directory that does not exist and then '..' ` +
          `(${e instanceof Error ? e.message : String(e)}); Linux resolves that as "no such file", so pam_limits ` +
          'would not read it either — fix the symlink',
        { code: 'ENOENT', path: given, cause: e },
      );
    }
    throw wrapIoError(e, 'stat', given, undefined, root.abs);
  }
  if (r.rel === '') throw OutsideRootError.write(given, root.real, root.abs); // the root itself
  const realPath = path.join(root.real, ...r.rel.split('/'));
  const parts = r.rel.split('/');
  // The deepest existing ancestor, and no file where a directory must be.
  let existingAncestor = root.real;
  for (let i = 0; i < parts.length; i++) {
    const p = path.join(root.real, ...parts.slice(0, i + 1));
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR')) break;
      throw wrapIoError(e, 'stat', given, p, path.dirname(p));
    }
    if (i < parts.length - 1) {
      if (!st.isDirectory()) {
        throw new LimitsIoError(
          `cannot write ${given}: ${p} is in the way but is not a directory — remove or rename it`,
          { code: 'ENOTDIR', path: given, realPath: p },
        );
      }
      existingAncestor = p;
    }
  }
  return { realPath, rel: r.rel, exists: !r.missing, existingAncestor };
}

/** An open directory of the tree: names inside it are reached through the descriptor, not the path. */
export interface DirHandle {
  /** the open descriptor (O_RDONLY|O_DIRECTORY) */
  readonly fd: number;
  /** its physical path when it was opened (for messages and the fallback without /proc) */
  readonly phys: string;
  /** the path relative to the root, '/'-separated ('' for the root) */
  readonly rel: string;
  readonly dev: number;
  readonly ino: number;
  /** A path naming `name` inside this very directory (`/proc/self/fd/<fd>/<name>`). */
  at(name: string): string;
  close(): void;
}

function handle(fd: number, phys: string, rel: string): DirHandle {
  const st = fstatSync(fd);
  let open = true;
  return {
    fd,
    phys,
    rel,
    dev: st.dev,
    ino: st.ino,
    at: (name: string) => (canOpenAt() ? `/proc/self/fd/${fd}/${name}` : path.join(phys, name)),
    close: () => {
      if (open) {
        open = false;
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
      }
    },
  };
}

const DIR_FLAGS = fsConstants.O_RDONLY | fsConstants.O_DIRECTORY;

/**
 * Open the directory `relDir` of the tree (relative to the root, no symlinks in it, as
 * {@link resolveInsideRoot} returns) without following any link. With `create`, missing
 * directories are made (mode `mode`, whatever the umask; each new entry flushed to disk) and listed
 * in `created` (physical paths, outermost first) for {@link removeDirs}.
 *
 * @throws ConcurrentModificationError when a component is no longer a directory (swapped for a
 *   symlink or a file since it was resolved): re-plan
 * @throws LimitsIoError with the errno code otherwise (EACCES, ENOENT without `create`…)
 */
export async function openTreeDir(
  root: TreeRoot,
  relDir: string,
  opts: { readonly given: string; readonly create?: boolean; readonly created?: string[]; readonly mode?: number },
): Promise<DirHandle> {
  const parts = relDir.split('/').filter((x) => x !== '' && x !== '.');
  const changed = (what: string): never => {
    throw new ConcurrentModificationError(
      opts.given,
      path.join(root.real, ...parts),
      `${what} was replaced by a symlink or a file while writing`,
    );
  };
  // The longest existing prefix, opened in one confined walk.
  let n = parts.length;
  let fd: number | undefined;
  for (; n >= 0; n--) {
    try {
      fd = openInRoot(root.real, parts.slice(0, n).join('/'), DIR_FLAGS);
      break;
    } catch (e) {
      const code = isErrno(e) ? e.code : undefined;
      if (code === 'ECHANGED' || code === 'ELOOP' || code === 'ENOTDIR') changed(path.join(root.real, ...parts.slice(0, n)));
      if (code !== 'ENOENT' || !opts.create || n === 0) {
        throw wrapIoError(e, 'stat', opts.given, path.join(root.real, ...parts.slice(0, n)), root.real);
      }
    }
  }
  let cur = handle(fd as number, path.join(root.real, ...parts.slice(0, n)), parts.slice(0, n).join('/'));
  const mode = opts.mode ?? 0o755;
  try {
    for (let i = n; i < parts.length; i++) {
      const name = parts[i] as string;
      const phys = path.join(cur.phys, name);
      try {
        await mkdir(cur.at(name), mode);
        opts.created?.push(phys);
        await chmod(cur.at(name), mode);
        fsyncSync(cur.fd);
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw wrapIoError(e, 'create-dir', opts.given, phys, cur.phys);
      }
      let next: number;
      try {
        next = openSync(cur.at(name), DIR_FLAGS | fsConstants.O_NOFOLLOW);
      } catch (e) {
        if (isErrno(e, 'ELOOP', 'ENOTDIR')) changed(phys);
        throw wrapIoError(e, 'create-dir', opts.given, phys, cur.phys);
      }
      const child = handle(next, phys, parts.slice(0, i + 1).join('/'));
      fsyncSync(child.fd);
      cur.close();
      cur = child;
    }
  } catch (e) {
    cur.close();
    throw e;
  }
  return cur;
}

/**
 * Resolve `relGiven` (a directory path relative to the root, e.g. `etc/security`; symlinks on it
 * followed by the tree rule) and open it as {@link openTreeDir} does.
 */
export async function openTreeDirAt(
  root: TreeRoot,
  relGiven: string,
  opts: { readonly given: string; readonly create?: boolean; readonly created?: string[] },
): Promise<DirHandle> {
  const r = await resolveInsideRoot(path.join(root.real, relGiven), root);
  return await openTreeDir(root, r.rel, opts);
}

/**
 * Check that the directory's path still leads to the directory that is open (same device and
 * inode, not a symlink). Called right before a rename, so that a directory swapped while writing
 * is reported (and re-planned) rather than written to its moved-away copy.
 * @throws ConcurrentModificationError when it does not
 */
export function verifyDir(d: DirHandle, given: string): void {
  let ok = false;
  try {
    const st = lstatSync(d.phys);
    ok = st.isDirectory() && st.dev === d.dev && st.ino === d.ino;
  } catch {
    ok = false;
  }
  if (!ok) throw new ConcurrentModificationError(given, d.phys, `the directory ${d.phys} was moved or replaced while writing`);
}

/**
 * Create the missing directories between `existingAncestor` and `dir` (both physical, as returned
 * by {@link resolveInsideRoot}), each with mode `mode` whatever the umask, and flush the new entries
 * to disk. Returns the directories it created, outermost first (for rollback). Directories are
 * created through the confined walk of {@link openTreeDir}.
 */
async function makeMissingDirs(
  dir: string,
  existingAncestor: string,
  given: string,
  mode = 0o755,
  root?: TreeRoot,
): Promise<string[]> {
  const tree = root ?? { abs: existingAncestor, real: existingAncestor };
  const rel = path.relative(tree.real, dir);
  if (rel.startsWith('..')) throw OutsideRootError.write(given, dir, tree.abs);
  const created: string[] = [];
  const h = await openTreeDir(tree, rel.split(path.sep).join('/'), { given, create: true, created, mode });
  h.close();
  return created;
}

/** Remove directories created by {@link makeMissingDirs}, innermost first; only empty ones go. */
export async function removeDirs(created: readonly string[]): Promise<void> {
  for (const d of [...created].reverse()) {
    await rmdir(d).catch(() => undefined);
  }
}

/**
 * fsync(2) a directory (a path or an open {@link DirHandle}) so that entries created, renamed or
 * removed in it survive a crash. File systems that cannot sync a directory (EINVAL) are tolerated.
 */
export async function fsyncDir(dir: string | DirHandle): Promise<void> {
  if (typeof dir !== 'string') {
    try {
      fsyncSync(dir.fd);
    } catch (e) {
      if (!isErrno(e, 'EINVAL', 'ENOTSUP', 'EBADF')) throw e;
    }
    return;
  }
  const fh = await open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (e) {
    if (!isErrno(e, 'EINVAL', 'ENOTSUP', 'EBADF')) throw e;
  } finally {
    await fh.close();
  }
}
