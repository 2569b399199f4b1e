/**
 * Accounts from <root>/etc/passwd and <root>/etc/group, or — on the live system — through NSS
 * (getent, id -G: the system's own, by path, see system-tools.ts), so LDAP/SSSD users resolve as
 * pam_limits would see them.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { toBytes } from '../core/bytes.js';
import { LimitsError } from '../core/errors.js';
import { MAX_ACCOUNTS_FILE_BYTES, type ReadFailure, readFileInRoot } from './read.js';
import { systemTool } from './system-tools.js';
import { isOwnLimit, ProcessLimitError } from './write-errors.js';
import { type AccountDb, type GroupEntry, type Identity, identityFor, parseGroup, parsePasswd, type PasswdEntry } from '../core/accounts.js';

export class UnknownUserError extends LimitsError {
  constructor(readonly user: string, where: string) {
    super(`unknown user '${user}' in ${where} (pam_limits would return PAM_USER_UNKNOWN)`, {
      code: 'EUNKNOWNUSER',
      hint: 'Check the name, or describe a hypothetical account by its uid, gid and groups.',
    });
    this.name = 'UnknownUserError';
  }
}

/** An account file of the tree that exists but cannot be used (FIFO, device, above the cap, a link leaving the root, …). */
export class AccountFileError extends LimitsError {
  constructor(readonly file: string, readonly failure: ReadFailure) {
    super(`${failure.message}; limitsctl reads ${file} to find accounts and cannot use it`, { code: 'EACCOUNTFILE', path: file });
    this.name = 'AccountFileError';
  }
}

/**
 * <root>/<rel> as binary 'latin1' text (one char per byte: pam compares bytes), read by the
 * chroot-style rule (readFileInRoot, at most MAX_ACCOUNTS_FILE_BYTES). null when it does not
 * exist; AccountFileError when it exists but cannot be used — never the host's file through a
 * link, never a hang on a FIFO, never an endless device.
 */
function readAccountFile(root: string, rel: string): string | null {
  const r = readFileInRoot(root, rel, { maxBytes: MAX_ACCOUNTS_FILE_BYTES });
  if (r.ok) return r.bytes.toString('latin1');
  if (r.failure.kind === 'missing' && !r.failure.dangling) return null;
  throw new AccountFileError(rel, r.failure);
}

/**
 * The account database of a tree (empty when the tree has no etc/passwd).
 * Throws AccountFileError when etc/passwd or etc/group exists but cannot be read safely.
 */
export function loadAccountDb(root: string): AccountDb & { readonly present: boolean } {
  const passwd = readAccountFile(root, 'etc/passwd');
  const group = readAccountFile(root, 'etc/group');
  return { users: passwd ? parsePasswd(passwd) : [], groups: group ? parseGroup(group) : [], present: passwd !== null };
}

/**
 * `getent DB KEY`'s output, or null when it finds nothing or cannot run. Throws ProcessLimitError
 * when it could not be started because limitsctl ran out of descriptors or memory (EMFILE, ENFILE,
 * ENOMEM): that is no unknown account.
 */
function getent(db: 'passwd' | 'group', key: string): string | null {
  try {
    return execFileSync(systemTool('getent'), [db, '--', key], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, `the accounts (getent ${db} ${key})`);
    return null;
  }
}

function liveDb(user: string): { db: AccountDb; pw: PasswdEntry } | null {
  const pwLine = getent('passwd', user);
  if (!pwLine) return null;
  const pw = parsePasswd(pwLine)[0];
  if (!pw) return null;
  // getgrouplist through NSS: `id -G` gives every gid, then resolve each to its group entry.
  let gids: string[] = [String(pw.gid)];
  try {
    gids = execFileSync(systemTool('id'), ['-G', '--', pw.name], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/);
  } catch (e) {
    // limitsctl's own limit (EMFILE…) is no account without groups
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, `the groups of ${pw.name} (id -G)`);
    /* keep the primary gid */
  }
  const groups: GroupEntry[] = [];
  for (const gid of new Set(gids)) {
    const line = getent('group', gid);
    const g = line ? parseGroup(line)[0] : undefined;
    if (g) groups.push({ ...g, members: g.members.includes(pw.name) ? g.members : [...g.members, pw.name] });
  }
  return { db: { users: [pw], groups }, pw };
}

export interface IdentityOptions {
  /** hypothetical account: override or invent the uid */
  uid?: number;
  /** hypothetical account: primary gid */
  gid?: number;
  /** hypothetical account: extra group names */
  groups?: readonly string[];
}

/**
 * The identity of `user` in the tree at `root` (live NSS when root is "/").
 * With uid/gid given, an account missing from the database is described hypothetically.
 * `user` and `options.groups` are text (as typed); they are UTF-8 encoded to the bytes etc/passwd
 * holds before any lookup (core/bytes.ts), and the Identity's names are bytes.
 */
export function loadIdentity(root: string, userText: string, options: IdentityOptions = {}): Identity {
  const user = toBytes(userText);
  const live = path.resolve(root) === '/';
  let db: AccountDb;
  let pw: PasswdEntry | undefined;
  if (live) {
    const l = liveDb(userText);
    db = l?.db ?? { users: [], groups: loadAccountDb('/').groups };
    pw = l?.pw;
  } else {
    db = loadAccountDb(root);
    pw = db.users.find((u) => u.name === user);
  }
  if (!pw && options.uid === undefined) {
    throw new UnknownUserError(userText, live ? 'the system (getent passwd)' : `${path.join(root, 'etc/passwd')}`);
  }
  const uid = options.uid ?? pw!.uid;
  const gid = options.gid ?? pw?.gid ?? uid;
  const extraGroups = (options.groups ?? []).map(toBytes);
  if (extraGroups.length) {
    const known = new Set(db.groups.map((g) => g.name));
    const groups = [...db.groups];
    for (const name of extraGroups) if (!known.has(name)) groups.push({ name, gid: -1, members: [user] });
    db = { users: db.users, groups };
  }
  return identityFor(db, user, uid, gid, extraGroups);
}
