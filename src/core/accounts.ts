/**
 * Accounts as pam_limits sees them: the canonical passwd name, uid, primary gid, and the groups
 * pam_modutil_user_in_group_* would find the user in.
 *
 * Every name here is *bytes* (a binary string, one char per byte; see bytes.ts), as the io ring
 * reads etc/passwd and etc/group and as pam_limits compares them with a line's domain. Text typed
 * by a person (`--user josé`) is encoded with toBytes before it is looked up (loadIdentity does);
 * show names with displayBytes.
 */

export interface GroupRef {
  readonly name: string;
  readonly gid: number;
}

/** One account, with every group it is a member of (primary group included). */
export interface Identity {
  readonly name: string;
  readonly uid: number;
  /** the primary gid (pw_gid) */
  readonly gid: number;
  /** groups that exist and the user is a member of (by primary gid, gr_mem or getgrouplist) */
  readonly groups: readonly GroupRef[];
}

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export interface AccountDb {
  readonly users: readonly PasswdEntry[];
  readonly groups: readonly GroupEntry[];
}

function parseId(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

/** Parse /etc/passwd text; malformed lines are skipped (as NSS files does). */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    const uid = parseId(f[2]);
    const gid = parseId(f[3]);
    if (f.length < 7 || !f[0] || uid === null || gid === null) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '', shell: (f[6] ?? '').replace(/\r$/, '') });
  }
  return out;
}

/** Parse /etc/group text. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    const gid = parseId(f[2]);
    if (f.length < 4 || !f[0] || gid === null) continue;
    const members = (f[3] ?? '').replace(/\r$/, '').split(',').filter((m) => m !== '');
    out.push({ name: f[0], gid, members });
  }
  return out;
}

/** The identity of `user` (bytes) as pam_limits computes membership (getpwnam + getgrouplist). */
export function identityFromDb(db: AccountDb, user: string): Identity | null {
  const pw = db.users.find((u) => u.name === user);
  if (!pw) return null;
  return identityFor(db, pw.name, pw.uid, pw.gid);
}

/** Membership for a (possibly hypothetical) account: primary gid, gr_mem, getgrouplist. */
export function identityFor(db: AccountDb, name: string, uid: number, gid: number, extraGroups: readonly string[] = []): Identity {
  const memberGids = new Set<number>([gid]);
  for (const g of db.groups) if (g.members.includes(name) || extraGroups.includes(g.name)) memberGids.add(g.gid);
  const seen = new Set<string>();
  const groups: GroupRef[] = [];
  for (const g of db.groups) {
    if (seen.has(g.name)) continue; // getgrnam returns the first entry of a name
    seen.add(g.name);
    if (memberGids.has(g.gid) || g.members.includes(name)) groups.push({ name: g.name, gid: g.gid });
  }
  return { name, uid, gid, groups };
}

/** Accounts (names) that are members of a group by name, as for `@name` lines. */
export function membersOf(db: AccountDb, group: string): PasswdEntry[] {
  return db.users.filter((u) => identityFor(db, u.name, u.uid, u.gid).groups.some((g) => g.name === group));
}
