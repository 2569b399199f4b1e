/**
 * Where an edit may write, and whom it is for: the files pam_limits reads (a new line may go
 * only there), files that exist but were not read (never replaced), and the domain of a target
 * named as a user, a group, all accounts or a domain.
 *
 * Pure.
 */
import { displayBytes } from '../bytes.js';
import type { ConfigTree } from '../model.js';
import { DROPIN_DIR, MAIN_FILE } from '../schema.js';
import { EditInputError } from './types.js';

/** Statuses of a tree file that exists but whose content was not read: planning it as a new file would replace it. */
const UNREAD: ReadonlySet<string> = new Set(['unreadable', 'special', 'not-evaluated', 'outside-root', 'directory']);

/**
 * A change may create a file only where nothing is: a FIFO, device, directory, an unreadable or
 * over-size file, or a link out of the root at that path is refused — the same answer for a dry
 * run as for a write (a dry run used to show it as a new file).
 * @throws EditInputError naming the file and why it was not read
 */
export function refuseUnwritable(tree: ConfigTree, path: string): void {
  const f = tree.files.find((x) => x.path === path);
  if (f && UNREAD.has(f.status)) {
    throw new EditInputError(`cannot edit ${displayBytes(path)}: ${f.error ?? f.status}`,
      'limitsctl edits only regular files it could read; fix or remove that path first');
  }
}

/**
 * An edit needs to know every file pam_limits reads: a limits.d this uid could not list (status
 * 'not-evaluated', `dirListing`; pam_limits lists it as root) hides drop-ins that may override
 * the change, so what wins is unknown — refused, the same for a dry run as for a write.
 * @throws EditInputError naming the directory
 */
export function refuseUnreadFiles(tree: ConfigTree): void {
  // A file pam_limits reads that limitsctl could not (a FIFO, device or socket; unreadable;
  // not evaluated as a non-root uid; a limits.d it cannot list): which line wins is unknown, so
  // neither a change nor "unchanged" can be promised — set, unset and apply refuse alike.
  const d = tree.files.find((f) => f.status === 'special' || f.status === 'not-evaluated' || f.status === 'unreadable');
  if (d) {
    throw new EditInputError(d.dirListing === true
      ? `cannot edit: ${d.error ?? `cannot list ${d.path}`}, so which line wins is unknown`
      : `cannot edit ${d.path}: ${d.error ?? 'it could not be read'}; which line wins is unknown`,
      d.status === 'not-evaluated' && (d.error ?? '').includes(' as uid ') ? 'run as root (or as a user who can read it)' : `fix, rename or remove ${d.path} first`);
  }
}

/** pam_limits reads only limits.conf and limits.d/*.conf (and 1.7's vendor copies). */
export function checkTargetPath(target: string): void {
  const ok = target === MAIN_FILE || (target.startsWith(`${DROPIN_DIR}/`) && /^[^/.][^/]*\.conf$/.test(target.slice(DROPIN_DIR.length + 1)));
  if (!ok) {
    throw new EditInputError(`pam_limits would never read ${target}`, `Use ${MAIN_FILE} or ${DROPIN_DIR}/<name>.conf (a name ending in .conf, not starting with a dot).`);
  }
}

/**
 * The domain of an edit's target, named as a user, a group, all accounts (`*`) or a domain as
 * written in limits.conf — exactly one of them.
 * @throws EditInputError `ETARGET` when none or several are named, or a user or group is not a plain name
 */
export function domainFor(target: { user?: string; group?: string; all?: boolean; domain?: string }): string {
  const given = [target.user !== undefined, target.group !== undefined, target.all === true, target.domain !== undefined].filter(Boolean).length;
  if (given !== 1) throw new EditInputError('name exactly one target: a user, a group, all accounts or a domain', undefined, 'ETARGET');
  if (target.all) return '*';
  if (target.user !== undefined) {
    if (/^[@%*]/.test(target.user) || target.user.includes(':')) throw new EditInputError(`the user '${target.user}' is not a user name; give it as a domain`, undefined, 'ETARGET');
    return target.user;
  }
  if (target.group !== undefined) {
    const g = target.group.replace(/^@/, '');
    if (g === '' || g.includes(':')) throw new EditInputError(`the group '${target.group}' is not a group name; give gid forms as a domain (@:GID)`, undefined, 'ETARGET');
    return `@${g}`;
  }
  return target.domain!;
}
