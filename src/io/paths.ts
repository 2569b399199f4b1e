/**
 * Paths inside a tree root, resolved the way the system would see them if the root were `/`.
 *
 * A symlink's absolute target is read chroot-style (`/etc/x` means `<root>/etc/x`), except when
 * it already names a path under the root on this host (trees built by scripts often link that
 * way). `..` may not climb above the root. On the live system (root `/`) this is plain kernel
 * resolution.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export class OutsideRootError extends Error {
  readonly code = 'EOUTSIDEROOT';
  constructor(readonly relPath: string, readonly target: string) {
    super(`${relPath} is a symlink to ${target}, which is outside the tree root; limitsctl does not follow it`);
  }
}

export interface ResolvedInRoot {
  /** absolute host path of the final target */
  readonly abs: string;
  /** the final target relative to the root ("etc/security/real.conf") */
  readonly rel: string;
  /** true when any component was a symlink */
  readonly viaSymlink: boolean;
  /** true when the final target does not exist (a dangling symlink or a missing file) */
  readonly missing: boolean;
}

function split(p: string): string[] {
  return p.split('/').filter((x) => x !== '' && x !== '.');
}

/**
 * Resolve `rel` (relative to `root`) following symlinks. Throws OutsideRootError when a link
 * leads outside the root, ELOOP after 40 links; a missing final component is reported, not thrown.
 */
export function resolveInRoot(root: string, rel: string): ResolvedInRoot {
  const absRoot = path.resolve(root);
  let pending = split(rel);
  const done: string[] = [];
  let viaSymlink = false;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      if (done.length === 0) throw new OutsideRootError(rel, '..');
      done.pop();
      continue;
    }
    const candidate = path.join(absRoot, ...done, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      const relOut = [...done, part, ...pending].join('/');
      return { abs: path.join(absRoot, relOut), rel: relOut, viaSymlink, missing: true };
    }
    if (!isLink) { done.push(part); continue; }
    viaSymlink = true;
    if (++hops > 40) throw Object.assign(new Error(`too many levels of symbolic links resolving ${rel}`), { code: 'ELOOP' });
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) {
      done.length = 0;
      const hostInside = absRoot !== '/' && (target === absRoot || target.startsWith(`${absRoot}/`));
      pending = [...split(hostInside ? target.slice(absRoot.length) : target), ...pending];
    } else {
      pending = [...split(target), ...pending];
    }
  }
  const relOut = done.join('/');
  return { abs: path.join(absRoot, relOut), rel: relOut, viaSymlink, missing: false };
}
