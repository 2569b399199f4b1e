/**
 * The accounts the per-item analysis resolves for: the tree's own (etc/passwd, one identity per
 * user in linear time) and hypothetical ones covering every combination of the facts the lines
 * test (user names, uid and gid interval points, membership of each group named), or one simple
 * witness per domain when that is too many.
 *
 * Pure.
 */
import type { AccountDb, GroupEntry, GroupRef, Identity } from '../../accounts.js';
import type { DomainSpec } from '../../domain.js';
import { type AccountCase, FRESH } from './types.js';

/**
 * The identity of every user of `db` (the first entry of each name, in file order), exactly as
 * identityFromDb gives it one by one, but in time linear in the size of passwd and group plus
 * the groups found: one user at a time would scan every passwd entry and every group (quadratic
 * for a large etc/passwd).
 */
export function identitiesOf(db: AccountDb): Identity[] {
  // gids a name is a member of (gr_mem), over every group entry
  const memberOf = new Map<string, number[]>();
  // the first group entry of each name (getgrnam), in order, by gid and by member
  const byGid = new Map<number, number[]>();
  const byMember = new Map<string, number[]>();
  const first: GroupRef[] = [];
  const seenGroup = new Set<string>();
  const add = <K>(m: Map<K, number[]>, k: K, v: number) => { const l = m.get(k); if (l) l.push(v); else m.set(k, [v]); };
  for (const g of db.groups) {
    for (const m of g.members) add(memberOf, m, g.gid);
    if (seenGroup.has(g.name)) continue;
    seenGroup.add(g.name);
    const i = first.length;
    first.push({ name: g.name, gid: g.gid });
    add(byGid, g.gid, i);
    for (const m of new Set(g.members)) add(byMember, m, i);
  }
  const out: Identity[] = [];
  const seenUser = new Set<string>();
  for (const u of db.users) {
    if (seenUser.has(u.name)) continue;
    seenUser.add(u.name);
    const gids = new Set<number>([u.gid, ...(memberOf.get(u.name) ?? [])]);
    const picked = new Set<number>(byMember.get(u.name) ?? []);
    for (const gid of gids) for (const i of byGid.get(gid) ?? []) picked.add(i);
    const groups = [...picked].sort((a, b) => a - b).map((i) => first[i]!);
    out.push({ name: u.name, uid: u.uid, gid: u.gid, groups });
  }
  return out;
}

interface GroupAtom {
  readonly name: string;
  readonly gid: number;
}

export interface Facts {
  names: Set<string>;
  uids: Set<number>;
  gids: Set<number>;
  atoms: Map<string, GroupAtom>;
}

const U32_MAX = 0xffffffff;

function addRangePoints(r: DomainSpec['range'], to: Set<number>): void {
  const add = (v: number) => { if (v >= 0 && v <= U32_MAX) to.add(v); };
  switch (r.form) {
    case 'one': add(r.min - 1); add(r.min); add(r.min + 1); break;
    case 'min': add(r.min - 1); add(r.min); break;
    case 'minmax': add(r.min - 1); add(r.min); add(r.max); add(r.max + 1); break;
    default: break;
  }
}

const groupIndexes = new WeakMap<AccountDb, { byName: Map<string, GroupEntry>; byGid: Map<number, GroupEntry> }>();

/** The first group entry of each name and of each gid (as a scan of db.groups finds it). */
function groupIndex(db: AccountDb | null): { byName: Map<string, GroupEntry>; byGid: Map<number, GroupEntry> } {
  if (!db) return { byName: new Map(), byGid: new Map() };
  let x = groupIndexes.get(db);
  if (!x) {
    x = { byName: new Map(), byGid: new Map() };
    for (const g of db.groups) {
      if (!x.byName.has(g.name)) x.byName.set(g.name, g);
      if (!x.byGid.has(g.gid)) x.byGid.set(g.gid, g);
    }
    groupIndexes.set(db, x);
  }
  return x;
}

export function collectFacts(domains: Iterable<DomainSpec>, db: AccountDb | null, realNames: ReadonlySet<string>): Facts {
  const facts: Facts = { names: new Set([FRESH]), uids: new Set([0, 1000]), gids: new Set([1000]), atoms: new Map() };
  if (!realNames.has('root')) facts.names.add('root');
  let freshGid = 3_900_000_000;
  const { byName, byGid } = groupIndex(db);
  // one atom per group name: a group absent from etc/group gets one made-up gid, however many
  // lines name it (a new atom per line doubled the classes with every line)
  const fresh = new Map<string, number>();
  const atomByName = (name: string): GroupAtom => {
    const g = byName.get(name);
    if (g) return { name, gid: g.gid };
    let gid = fresh.get(name);
    if (gid === undefined) fresh.set(name, (gid = freshGid++));
    return { name, gid };
  };
  const atomByGid = (gid: number): GroupAtom => {
    const g = byGid.get(gid);
    return { name: g ? g.name : `limitsctl-gid-${gid}`, gid };
  };
  const addAtom = (a: GroupAtom) => { facts.atoms.set(`${a.name}\0${a.gid}`, a); };
  for (const d of domains) {
    switch (d.kind) {
      case 'user': if (!realNames.has(d.text)) facts.names.add(d.text); break;
      case 'uid': case 'uid-range': addRangePoints(d.range, facts.uids); break;
      case 'group': case 'percent-group': addAtom(atomByName(d.group!)); break;
      case 'gid': case 'percent-gid':
        if (d.range.form === 'one') addAtom(atomByGid(d.range.min));
        // Debian root fall-through and `<domain> -` lines compare these with the uid too
        addRangePoints(d.range, facts.uids);
        break;
      case 'gid-range': case 'percent-range':
        addRangePoints(d.range, facts.gids);
        addRangePoints(d.range, facts.uids);
        break;
      default: break;
    }
  }
  return facts;
}

/**
 * Every combination of the facts, appended to `out` in this order: name, uid, gid, then the
 * subsets of the group atoms (bit i of the subset's index = atom i). The accounts of one subset
 * share its groups array (identities are read-only).
 */
export function enumerateAccounts(f: Facts, out: AccountCase[] = []): AccountCase[] {
  const atoms = [...f.atoms.values()];
  const subsets = 1 << atoms.length;
  const groupSets: GroupRef[][] = new Array<GroupRef[]>(subsets);
  for (let m = 0; m < subsets; m++) {
    const groups: GroupRef[] = [];
    for (let i = 0; i < atoms.length; i++) if (m & (1 << i)) groups.push(atoms[i]!);
    groupSets[m] = groups;
  }
  const allUids = [...f.uids];
  for (const name of f.names) {
    // by convention an account named root has uid 0 (only when root is not in the tree's passwd)
    const uids = name === 'root' ? [0] : allUids;
    for (const uid of uids) {
      for (const gid of f.gids) {
        for (let m = 0; m < subsets; m++) out.push({ identity: { name, uid, gid, groups: groupSets[m]! }, real: false });
      }
    }
  }
  return out;
}

/** How many account lists {@link sharedAccounts} keeps (the most recently made or asked). */
const SHARED_MAX = 64;
/** The largest account list {@link sharedAccounts} keeps (its accounts are held as long as it is). */
const SHARED_ACCOUNTS_MAX = 1 << 16;
/**
 * How many accounts the kept lists may hold together: the lists live as long as the process (a
 * library user's), each with what describe.ts works out per domain, a few hundred bytes an
 * account — 64 lists of the analysis budget's 16,384 accounts were hundreds of MB held after the
 * run. Above it the least recently used lists are dropped first.
 */
const SHARED_TOTAL_MAX = 1 << 17;
const sharedLists = new Map<string, readonly AccountCase[]>();
let sharedTotal = 0;

/**
 * `enumerateAccounts(f)` (no real accounts before them), the same read-only list for the same
 * facts in the same order: the items of one tree, and the trees of a repository whose lines name
 * the same domains, mostly test the same facts. Each list is then made once, and what is worked
 * out per account and domain (describe.ts matchingAccounts) is kept per list, not per item
 * analysis. At most 64 lists of at most 65,536 accounts, and 131,072 accounts in all, are kept,
 * the least recently used dropped first; a larger one is made anew each time.
 */
export function sharedAccounts(f: Facts): readonly AccountCase[] {
  if (classCount(f) > SHARED_ACCOUNTS_MAX) return enumerateAccounts(f);
  let key = '';
  for (const name of f.names) key += `${name}\u0000`;
  key += '\u0001';
  for (const uid of f.uids) key += `${uid},`;
  key += '\u0001';
  for (const gid of f.gids) key += `${gid},`;
  key += '\u0001';
  for (const a of f.atoms.values()) key += `${a.name}\u0000${a.gid},`;
  let list = sharedLists.get(key);
  if (list !== undefined) {
    // most recently used last: the first key is the one to drop
    sharedLists.delete(key);
  } else {
    list = enumerateAccounts(f);
    sharedTotal += list.length;
    while (sharedLists.size > 0 && (sharedLists.size >= SHARED_MAX || sharedTotal > SHARED_TOTAL_MAX)) {
      const oldest = sharedLists.keys().next().value!;
      sharedTotal -= sharedLists.get(oldest)!.length;
      sharedLists.delete(oldest);
    }
  }
  sharedLists.set(key, list);
  return list;
}

export function classCount(f: Facts): number {
  let uidCount = f.uids.size;
  let n = 0;
  for (const name of f.names) n += name === 'root' ? 1 : uidCount;
  uidCount = n;
  return uidCount * f.gids.size * 2 ** f.atoms.size;
}

/** One account matching `d` as simply as possible (for the sampled, non-exhaustive analysis). */
export function witness(d: DomainSpec, db: AccountDb | null): AccountCase | null {
  const base = { name: FRESH, uid: 1000, gid: 1000, groups: [] as GroupRef[] };
  const grp = (name: string): GroupRef => ({ name, gid: groupIndex(db).byName.get(name)?.gid ?? 3_999_999_999 });
  switch (d.kind) {
    case 'user': return { identity: { ...base, name: d.text, uid: d.text === 'root' ? 0 : 1000 }, real: false };
    case 'uid': case 'uid-range':
      return d.range.form === 'none' || d.range.form === 'error' ? null : { identity: { ...base, uid: d.range.min }, real: false };
    case 'group': case 'percent-group': return { identity: { ...base, groups: [grp(d.group!)] }, real: false };
    case 'gid': case 'percent-gid':
      return d.range.form === 'one' ? { identity: { ...base, groups: [{ name: `limitsctl-gid-${d.range.min}`, gid: d.range.min }] }, real: false } : null;
    case 'gid-range':
      return d.range.form === 'min' || d.range.form === 'minmax' ? { identity: { ...base, gid: d.range.min }, real: false } : null;
    default: return null;
  }
}
