/**
 * Path resolution for writes: where a path inside a tree root really leads, and whether that stays
 * inside the root.
 *
 * The rule is the one the tree reader uses (src/io/paths.ts): the tree is seen as the system would
 * see it if the root were `/`. A symlink's absolute target is read chroot-style (`/etc/x` means
 * `<root>/etc/x`), except when it already names a path under the root on this host (trees built by
 * scripts often link that way); relative targets are followed from the directory holding the link;
 * `..` may not climb above the root. On the live system (root `/`) this is exactly the kernel's
 * resolution. So a write goes to the very file a read shows — and never outside the root.
 */
import { constants as fsConstants } from 'node:fs';
import { chmod, lstat, mkdir, open, readlink, realpath, rmdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LimitsIoError, OutsideRootError, isErrno, wrapIoError } from './write-errors.js';

/** Linux's limit on symlinks followed while resolving one path (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

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
 * Validate the tree root.
 * @throws LimitsIoError `EBADROOT` when `root` is not absolute or not an existing directory.
 */
export async function resolveRoot(root: string): Promise<TreeRoot> {
  if (typeof root !== 'string' || !path.isAbsolute(root)) {
    throw new LimitsIoError(`the tree root must be an absolute directory path, got ${JSON.stringify(root)}`, {
      code: 'EBADROOT',
      path: String(root),
    });
  }
  let real: string;
  try {
    real = await realpath(root);
    const st = await stat(real);
    if (!st.isDirectory()) {
      throw new LimitsIoError(`the tree root ${root} is not a directory — pass a directory as --root`, {
        code: 'EBADROOT',
        path: root,
        realPath: real,
      });
    }
  } catch (e) {
    if (e instanceof LimitsIoError) throw e;
    const code = isErrno(e) ? (e.code as string) : 'EUNKNOWN';
    throw new LimitsIoError(
      `the tree root ${root} is not usable (${code}) — pass an existing directory as --root`,
      { code: 'EBADROOT', path: root, cause: e },
    );
  }
  return { abs: path.resolve(root), real };
}

/** True when `p` is `dir` or below it (both absolute and normalized). */
export function isInside(dir: string, p: string): boolean {
  if (p === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return p.startsWith(prefix);
}

function split(p: string): string[] {
  return p.split(path.sep).filter((x) => x !== '' && x !== '.');
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
 * symlink on the way followed by the rule of this module's comment.
 *
 * @throws OutsideRootError when the path is not below the root, is the root, or climbs out of it
 * @throws LimitsIoError `ENOTDIR` when a component that must be a directory is not one, `ELOOP` on
 *   too many symlinks, or the OS error of lstat/readlink (EACCES…)
 */
export async function resolveInsideRoot(given: string, root: TreeRoot): Promise<TreePath> {
  const abs = path.resolve(given);
  const rel0 = relativeToRoot(abs, root);
  if (rel0 === undefined) throw new OutsideRootError(given, abs, root.abs);
  const base = root.real;
  let pending = split(rel0);
  const done: string[] = [];
  let hops = 0;
  const climbsOut = (): never => {
    throw new OutsideRootError(given, `${path.join(base, ...done)}/.. (above the root)`, root.abs);
  };
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      if (done.length === 0) climbsOut();
      done.pop();
      continue;
    }
    const candidate = path.join(base, ...done, part);
    let st;
    try {
      st = await lstat(candidate);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) {
        // The rest does not exist: it is what a write would create.
        const existingAncestor = path.join(base, ...done);
        done.push(part);
        for (const rest of pending) {
          if (rest !== '..') done.push(rest);
          else if (done.length === 0) climbsOut();
          else done.pop();
        }
        return finish(given, root, done, false, existingAncestor);
      }
      throw wrapIoError(e, 'stat', given, candidate, path.dirname(candidate));
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) {
        throw new LimitsIoError(
          `cannot resolve ${given}: more than ${MAX_SYMLINKS} symbolic links on the way (a symlink loop?) — fix the symlinks`,
          { code: 'ELOOP', path: given, realPath: candidate },
        );
      }
      let target: string;
      try {
        target = await readlink(candidate);
      } catch (e) {
        throw wrapIoError(e, 'stat', given, candidate, path.dirname(candidate));
      }
      if (path.isAbsolute(target)) {
        done.length = 0;
        const hostRel = root.abs === path.sep ? undefined : relativeToRoot(path.normalize(target), root);
        pending = [...split(hostRel ?? target), ...pending];
      } else {
        pending = [...split(target), ...pending];
      }
      continue;
    }
    if (pending.length > 0 && !st.isDirectory()) {
      throw new LimitsIoError(
        `cannot write ${given}: ${candidate} is in the way but is not a directory — remove or rename it`,
        { code: 'ENOTDIR', path: given, realPath: candidate },
      );
    }
    done.push(part);
  }
  return finish(given, root, done, true, path.join(base, ...done.slice(0, -1)));
}

function finish(given: string, root: TreeRoot, done: string[], exists: boolean, existingAncestor: string): TreePath {
  if (done.length === 0) throw new OutsideRootError(given, root.real, root.abs); // the root itself
  return { realPath: path.join(root.real, ...done), rel: done.join('/'), exists, existingAncestor };
}

/**
 * Create the missing directories between `existingAncestor` and `dir` (both physical, as returned
 * by {@link resolveInsideRoot}), each with mode `mode` whatever the umask, and flush the new entries
 * to disk. Returns the directories it created, outermost first (for rollback).
 */
export async function makeMissingDirs(
  dir: string,
  existingAncestor: string,
  given: string,
  mode = 0o755,
): Promise<string[]> {
  const rel = path.relative(existingAncestor, dir);
  if (rel === '') return [];
  const created: string[] = [];
  let cur = existingAncestor;
  for (const part of rel.split(path.sep)) {
    cur = path.join(cur, part);
    try {
      await mkdir(cur, mode);
      created.push(cur);
      await chmod(cur, mode);
    } catch (e) {
      if (isErrno(e, 'EEXIST')) {
        // Someone else created it meanwhile; it must be a directory (not a file or a symlink).
        const st = await lstat(cur).catch(() => undefined);
        if (st?.isDirectory()) continue;
        throw new LimitsIoError(
          `cannot write ${given}: ${cur} is in the way but is not a directory — remove or rename it`,
          { code: 'ENOTDIR', path: given, realPath: cur },
        );
      }
      await removeDirs(created);
      throw wrapIoError(e, 'create-dir', given, cur, path.dirname(cur));
    }
  }
  try {
    await fsyncDir(existingAncestor);
    for (const d of created) await fsyncDir(d);
  } catch (e) {
    await removeDirs(created);
    throw wrapIoError(e, 'sync', given, dir, existingAncestor);
  }
  return created;
}

/** Remove directories created by {@link makeMissingDirs}, innermost first; only empty ones go. */
export async function removeDirs(created: readonly string[]): Promise<void> {
  for (const d of [...created].reverse()) {
    await rmdir(d).catch(() => undefined);
  }
}

/**
 * fsync(2) a directory so that entries created, renamed or removed in it survive a crash.
 * File systems that cannot sync a directory (EINVAL) are tolerated.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (e) {
    if (!isErrno(e, 'EINVAL', 'ENOTSUP', 'EBADF')) throw e;
  } finally {
    await fh.close();
  }
}
