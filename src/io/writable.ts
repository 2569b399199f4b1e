/**
 * Where the writer will write, and whether it may: the physical path of a name of a tree (resolved
 * inside the tree as pam_limits under that root would) or of a file outside any tree, and the
 * writer's permission refusals asked with access(2) before anything is created. Used by the edit
 * transaction (./commit.ts, before the lock of a real run) and by `lint --fix` (every target's,
 * before the first is written), so both refuse in the writer's own words.
 */
import { accessSync, existsSync, constants as fsConstants, lstatSync } from 'node:fs';
import path from 'node:path';
import { realPathKeepingCwd } from './cwd.js';
import { resolveInRoot } from './paths.js';
import { wrapIoError } from './write-errors.js';

/**
 * The file a name of the tree at `root` leads to, resolved inside the tree as pam_limits under
 * that root would (src/io/paths.ts resolveInRoot: symlinks followed chroot-style, `/x` is
 * `<root>/x`), as a path relative to the root.
 * @throws when it cannot be resolved (a loop, a link leading outside the tree, a missing file)
 */
export function inTreeRealPath(root: string): (abs: string) => string {
  return (abs: string): string => {
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${abs} is not in ${root}`);
    const r = resolveInRoot(root, rel);
    if (r.missing) throw new Error(`${abs} does not exist`);
    return r.rel;
  };
}

/**
 * The host path of the file a name of a target leads to, every link followed, to compare with the
 * report file's (output-file.ts resolveOutputFile): in a tree (`root`), the name is resolved inside
 * the tree first, as lint reads it; a missing file is its directory's real path and its name; a
 * name that cannot be resolved is itself.
 */
export function physicalPath(root: string | null, abs: string): string {
  let p = abs;
  if (root !== null) {
    try { p = path.join(root, inTreeRealPath(root)(abs)); } catch { /* as named */ }
  }
  try {
    return realPathKeepingCwd(p);
  } catch {
    try { return path.join(realPathKeepingCwd(path.dirname(p)), path.basename(p)); } catch { return p; }
  }
}

/**
 * {@link physicalPath} for many names of one target, as fast as an lstat each: the physical path
 * of each directory is resolved once, and a name whose entry there is not a link is that path and
 * its name; any other name (a link, missing, unreadable) is resolved in full.
 */
export function physicalPaths(root: string | null): (abs: string) => string {
  const dirs = new Map<string, string>();
  return (abs: string): string => {
    const dir = path.dirname(abs);
    let physical = dirs.get(dir);
    if (physical === undefined) {
      physical = physicalPath(root, dir);
      dirs.set(dir, physical);
    }
    const candidate = path.join(physical, path.basename(abs));
    try {
      const st = lstatSync(candidate, { throwIfNoEntry: false });
      if (st !== undefined && !st.isSymbolicLink()) return candidate;
    } catch { /* resolved in full */ }
    return physicalPath(root, abs);
  };
}

/**
 * The refusal the writer would make first because a file or directory it must write is not
 * writable for this process — a read-only file system (EROFS), an immutable file or directory
 * (EPERM), no permission (EACCES) — asked with access(2), which creates nothing, in the writer's
 * order and words (src/io/write.ts, its permission pre-checks; src/io/tree-lock.ts): a tree's
 * `etc/security` (where its lock is taken) when the tree has files to fix, then for each fixed
 * file the file itself (W_OK) and its directory (W_OK and X_OK: its temporary file and the
 * rename). An append-only directory passes (only the rename fails), as does anything else only
 * the write itself finds.
 * @param root the tree root, or null for files outside a tree (their names resolved on the host)
 * @throws LimitsIoError with the writer's own message and code (wrapIoError: `lock`, `rename`, `create-temp`)
 */
export function refuseUnwritable(root: string | null, files: readonly { readonly abs: string }[]): void {
  if (files.length === 0) return;
  const refusal = (p: string, mode: number): unknown => {
    try {
      accessSync(p, mode);
      return null;
    } catch (e) {
      return e;
    }
  };
  if (root !== null) {
    // etc/security as the writer takes its lock there: resolved inside the tree
    const dir = physicalPath(root, path.join(root, 'etc/security'));
    const e = existsSync(dir) ? refusal(dir, fsConstants.W_OK) : null;
    if (e !== null) throw wrapIoError(e, 'lock', path.join(dir, '.limitsctl.lock'), undefined, dir);
  }
  for (const f of files) {
    const real = physicalPath(root, f.abs);
    const dir = path.dirname(real);
    if (!existsSync(dir)) continue; // the writer reports it
    const exists = existsSync(real);
    const onFile = exists ? refusal(real, fsConstants.W_OK) : null;
    if (onFile !== null) throw wrapIoError(onFile, 'rename', f.abs, real, real);
    const onDir = refusal(dir, fsConstants.W_OK | fsConstants.X_OK);
    if (onDir !== null) throw wrapIoError(onDir, exists ? 'rename' : 'create-temp', f.abs, real, dir);
  }
}
