/**
 * Account names at the library's boundary are text. pam_limits compares names as bytes, and the
 * core keeps them so (binary strings, one char per byte: src/core/bytes.ts); a hand-built
 * `{ name: 'josé' }` read as bytes would be the latin1 byte 0xe9 and silently match nothing in a
 * UTF-8 tree. So every Identity and AccountDb the library gives out has text names (UTF-8 decoded
 * losslessly by fromBytes: a byte that is not UTF-8 is U+DC80..U+DCFF), and every one it takes is
 * encoded back once (toBytes), as planEdits' requests and loadIdentity's user are. An identity from
 * loadIdentity goes back into resolveLimits unchanged, byte for byte.
 */
import type { AccountDb, GroupEntry, GroupRef, Identity, PasswdEntry } from '../core/accounts.js';
import { fromBytes, toBytes } from '../core/bytes.js';
import type { Resolution } from '../core/resolve.js';
import * as arg from './args.js';

/** A name the caller gives (text) → its bytes; checked. */
export function nameIn(fn: string, name: string, v: unknown): string {
  arg.str(fn, name, v);
  return toBytes(v);
}

/** An identity the caller gives (text names) → the core's (bytes); checked. */
export function identityIn(fn: string, name: string, v: unknown): Identity {
  arg.identity(fn, name, v);
  const i = v as Identity;
  return { name: toBytes(i.name), uid: i.uid, gid: i.gid, groups: i.groups.map((g): GroupRef => ({ name: toBytes(g.name), gid: g.gid })) };
}

/** The core's identity → text names. */
export function identityOut(i: Identity): Identity {
  return { name: fromBytes(i.name), uid: i.uid, gid: i.gid, groups: i.groups.map((g) => ({ name: fromBytes(g.name), gid: g.gid })) };
}

function passwdIn(fn: string, at: string, v: unknown): PasswdEntry {
  arg.obj(fn, at, v);
  arg.str(fn, `${at}.name`, v.name);
  arg.id(fn, `${at}.uid`, v.uid);
  arg.id(fn, `${at}.gid`, v.gid);
  arg.optStr(fn, `${at}.home`, v.home);
  arg.optStr(fn, `${at}.shell`, v.shell);
  return { name: toBytes(v.name), uid: v.uid, gid: v.gid, home: toBytes(v.home ?? ''), shell: toBytes(v.shell ?? '') };
}

function groupIn(fn: string, at: string, v: unknown): GroupEntry {
  arg.obj(fn, at, v);
  arg.str(fn, `${at}.name`, v.name);
  arg.id(fn, `${at}.gid`, v.gid);
  const members = v.members ?? [];
  arg.arr(fn, `${at}.members`, members);
  return { name: toBytes(v.name), gid: v.gid, members: members.map((m, j) => nameIn(fn, `${at}.members[${j}]`, m)) };
}

/** An account db the caller gives (text names) → the core's (bytes); every entry checked. Other members (`present`) are kept. */
export function accountDbIn<T extends AccountDb>(fn: string, name: string, v: T): T {
  arg.accountDb(fn, name, v);
  return {
    ...v,
    users: v.users.map((u, i) => passwdIn(fn, `${name}.users[${i}]`, u)),
    groups: v.groups.map((g, i) => groupIn(fn, `${name}.groups[${i}]`, g)),
  };
}

export function passwdOut(u: PasswdEntry): PasswdEntry {
  return { name: fromBytes(u.name), uid: u.uid, gid: u.gid, home: fromBytes(u.home), shell: fromBytes(u.shell) };
}

export function groupOut(g: GroupEntry): GroupEntry {
  return { name: fromBytes(g.name), gid: g.gid, members: g.members.map(fromBytes) };
}

/** The core's account db → text names. Other members (`present`) are kept. */
export function accountDbOut<T extends AccountDb>(db: T): T {
  return { ...db, users: db.users.map(passwdOut), groups: db.groups.map(groupOut) };
}

/** A resolution as the library gives it: its identity with text names. */
export function resolutionOut(r: Resolution): Resolution {
  return { ...r, identity: identityOut(r.identity) };
}

/** A resolution the caller gives back → the core's; checked. */
export function resolutionIn(fn: string, name: string, v: unknown): Resolution {
  arg.obj(fn, name, v);
  arg.obj(fn, `${name}.rlimits`, v.rlimits);
  arg.profile(fn, `${name}.profile`, v.profile);
  if (typeof v.applied !== 'boolean') throw arg.argumentError(fn, `${name}.applied must be true or false: give what resolveLimits returned`);
  arg.arr(fn, `${name}.events`, v.events);
  for (const [i, e] of v.events.entries()) {
    arg.obj(fn, `${name}.events[${i}]`, e);
    arg.str(fn, `${name}.events[${i}].item`, e.item);
    arg.obj(fn, `${name}.events[${i}].source`, e.source);
    arg.str(fn, `${name}.events[${i}].source.domain`, e.source.domain);
  }
  return { ...(v as unknown as Resolution), identity: identityIn(fn, `${name}.identity`, v.identity) };
}
