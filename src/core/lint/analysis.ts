/**
 * Facts several rules share, computed once per lint target and only when a rule asks:
 *
 * - `dead()`: lines proven dead without looking at any account: a later line with the *same
 *   domain* and item covers every half this line sets, so pam_limits always replaces its value
 *   (see `findDeadLines` for the proof and for when removing the line is also safe).
 * - `item(key)`: the resolver (resolveLimits) run for a set of accounts on a view of the tree
 *   that holds only the lines of one item (plus `<domain> -` lines). The accounts are the tree's
 *   own (etc/passwd) plus hypothetical ones. When affordable the hypothetical accounts cover
 *   *every* combination of the facts the item's lines test (user name, uid and primary gid
 *   intervals, membership of each group named), so "this line never wins" holds for every
 *   possible account; otherwise the analysis is marked not exhaustive and such claims are not
 *   made.
 *
 * Pure.
 */
import { type AccountDb, type GroupEntry, type GroupRef, type Identity } from '../accounts.js';
import type { DomainSpec } from '../domain.js';
import type {
  ConfigTree, EntryReading, LimitsDocument, Line, NoLimitReading, TreeFile,
} from '../model.js';
import { type LineEvent, matchEntryDomain, matchNoLimitDomain, type Resolution, resolveLimits, type Source } from '../resolve.js';
import { DIALECT_TRAITS, type Dialect, type ItemInfo, type ItemName, type RlimitItem } from '../schema.js';
import type { LintAccounts } from './types.js';
import type { Policy } from './policy.js';

/** Items grouped by the state pam_limits keeps: maxlogins and maxsyslogins share one slot. */
export type ItemKey = RlimitItem | 'logins' | 'priority' | 'nonewprivs' | 'chroot';

export function itemKeyOf(info: ItemInfo): ItemKey {
  if (info.name === 'maxlogins' || info.name === 'maxsyslogins') return 'logins';
  return info.name as ItemKey;
}

/** One entry reading of the tree, in reading order. */
export interface EntryRef {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  readonly line: Line;
  readonly reading: EntryReading;
  /** index of the reading in line.readings (0 unless 1.5.2 split a long line) */
  readonly chunk: number;
  /** position in reading order over the whole tree */
  readonly order: number;
  /** `file\0line\0chunk`, the same key a resolver Source gives */
  readonly key: string;
}

export interface NoLimitRef {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  readonly line: Line;
  readonly reading: NoLimitReading;
  readonly chunk: number;
  readonly order: number;
}

export interface DeadLine {
  readonly ref: EntryRef;
  /** the later line that always replaces it */
  readonly by: EntryRef;
  /** removing the line changes nothing for any account, in any case pam_limits can meet */
  readonly removable: boolean;
}

/** An account the analysis resolved for. */
export interface AccountCase {
  readonly identity: Identity;
  /** from the tree's etc/passwd (otherwise hypothetical) */
  readonly real: boolean;
}

export interface HalfValue {
  /** value passed to setrlimit (after clamping), or the stored value for other items */
  readonly value: bigint | null;
  readonly source: Source | null;
}

export interface AccountOutcome {
  readonly account: AccountCase;
  readonly applied: boolean;
  readonly soft: HalfValue;
  readonly hard: HalfValue;
}

export interface ItemAnalysis {
  readonly key: ItemKey;
  /** every combination of the facts the lines test was resolved */
  readonly exhaustive: boolean;
  readonly accounts: readonly AccountCase[];
  /** entry key → how many accounts it matched (and was not skipped for) */
  readonly matched: ReadonlyMap<string, number>;
  /** entry keys that hold a final value for at least one account (with limits applied) */
  readonly wins: ReadonlySet<string>;
  /** entry key → the lines that beat it (overrode, outranked), by key */
  readonly beatenBy: ReadonlyMap<string, Map<string, Source>>;
  /** entry key → how many of those accounts got nothing applied (a `<domain> -` line) */
  readonly notApplied: ReadonlyMap<string, number>;
  /** `-` entry key → accounts for which its hard half was skipped, and the soft holder */
  readonly shortCircuit: ReadonlyMap<string, { accounts: AccountCase[]; by: Source | null }>;
  /** soft key + hard key → the clamp pam_limits does at login */
  readonly clamps: ReadonlyMap<string, { soft: Source; hard: Source; softValue: bigint; hardValue: bigint; accounts: AccountCase[] }>;
  readonly outcomes: readonly AccountOutcome[];
}

export function sourceKey(s: { file: string; line: number; chunk?: number }): string {
  return `${s.file}\0${s.line}\0${s.chunk ?? 0}`;
}

function refKey(file: TreeFile, line: Line, chunk: number): string {
  return `${file.path}\0${line.index + 1}\0${chunk}`;
}

const FRESH = 'limitsctl-other-account';

export interface AnalysisOptions {
  readonly tree: ConfigTree;
  readonly dialect: Dialect;
  readonly accounts: LintAccounts | null;
  readonly nrOpen: bigint;
  readonly policy: Policy;
  /** accounts × lines per item */
  readonly budget: number;
}

export class Analysis {
  #entries: EntryRef[] | null = null;
  #nolimits: NoLimitRef[] | null = null;
  #dead: Map<string, DeadLine> | null = null;
  #items = new Map<ItemKey, ItemAnalysis>();
  #realAccounts: AccountCase[] | null = null;

  constructor(readonly options: AnalysisOptions) {}

  #scan(): void {
    const entries: EntryRef[] = [];
    const nolimits: NoLimitRef[] = [];
    let order = 0;
    for (const file of this.options.tree.files) {
      const doc = file.doc;
      if (!doc) continue;
      for (const line of doc.lines) {
        const readings = line.readings;
        for (let chunk = 0; chunk < readings.length; chunk++) {
          const r = readings[chunk]!;
          if (r.kind === 'entry') entries.push({ file, doc, line, reading: r, chunk, order: order++, key: refKey(file, line, chunk) });
          else if (r.kind === 'nolimit') nolimits.push({ file, doc, line, reading: r, chunk, order: order++ });
        }
      }
    }
    this.#entries = entries;
    this.#nolimits = nolimits;
  }

  /** Every entry reading of the tree, in reading order. */
  get entries(): readonly EntryRef[] {
    if (!this.#entries) this.#scan();
    return this.#entries!;
  }

  get nolimits(): readonly NoLimitRef[] {
    if (!this.#nolimits) this.#scan();
    return this.#nolimits!;
  }

  #byKey: Map<string, EntryRef> | null = null;

  /** The entry with this key (`file\0line\0chunk`, as sourceKey gives for a resolver Source). */
  ref(key: string): EntryRef | undefined {
    if (!this.#byKey) this.#byKey = new Map(this.entries.map((e) => [e.key, e]));
    return this.#byKey.get(key);
  }

  /** Item keys named by valid entry lines, in schema order of first appearance. */
  itemKeys(): ItemKey[] {
    if (!this.#keys) {
      const keys = new Set<ItemKey>();
      for (const e of this.entries) if (e.reading.itemInfo) keys.add(itemKeyOf(e.reading.itemInfo));
      this.#keys = [...keys];
    }
    return this.#keys;
  }

  #keys: ItemKey[] | null = null;

  /** Lines a later same-domain line always overrides, by entry key. */
  dead(): ReadonlyMap<string, DeadLine> {
    return (this.#dead ??= findDeadLines(this.entries));
  }

  get realAccounts(): readonly AccountCase[] {
    if (!this.#realAccounts) {
      const acc = this.options.accounts;
      const out: AccountCase[] = [];
      if (acc?.hasPasswd) for (const identity of identitiesOf(acc.db)) out.push({ identity, real: true });
      this.#realAccounts = out;
    }
    return this.#realAccounts;
  }

  /**
   * The accounts a finding about what *does* happen may name: with an etc/passwd in the tree only
   * its accounts (hypothetical ones serve the "never" claims), otherwise all.
   */
  witnesses(cases: readonly AccountCase[]): AccountCase[] {
    return this.options.accounts?.hasPasswd ? cases.filter((c) => c.real) : [...cases];
  }

  /** The per-account analysis of one item (computed on first use). */
  item(key: ItemKey): ItemAnalysis {
    let a = this.#items.get(key);
    if (!a) {
      a = analyseItem(this, key);
      this.#items.set(key, a);
    }
    return a;
  }
}

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

/**
 * Dead lines, proven from the text alone. For an entry A and a later entry B with the same
 * domain text and item (so B matches exactly the accounts A matches, at the same rank) and B
 * valid:
 *  - unranked items (priority, nonewprivs, chroot): the last matching line wins → A is dead;
 *  - the maxlogins slot: B stores unless a stronger line holds the slot, and then A's value was
 *    replaced or never stored → A is dead;
 *  - rlimits, per half: A soft / B soft or `-`; A hard / B hard; A `-` / B `-` when no line
 *    covering soft for the item lies between them (otherwise a stronger soft line between them
 *    would make B skip its hard half — the `-` short-circuit — and A's hard value would stay).
 * Removing A is also safe (the result is identical for every account) when no other line
 * naming the item lies between A and B (A's value could otherwise have blocked a weaker line in
 * between), and both lines are plain (one reading, read the same way by 1.5.2 and 1.7).
 */
export function findDeadLines(entries: readonly EntryRef[]): Map<string, DeadLine> {
  const byKey = new Map<ItemKey, EntryRef[]>();
  for (const e of entries) {
    if (!e.reading.itemInfo) continue;
    const k = itemKeyOf(e.reading.itemInfo);
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(e);
  }
  const dead = new Map<string, DeadLine>();
  for (const list of byKey.values()) {
    // next index (in list) of a valid line covering soft, for the `-`/`-` case
    const nextSoftCover: number[] = new Array<number>(list.length);
    let ns = Infinity;
    for (let i = list.length - 1; i >= 0; i--) {
      nextSoftCover[i] = ns;
      const r = list[i]!.reading;
      if (!r.problem && (r.limitType === 'soft' || r.limitType === '-' || !r.itemInfo!.typeChecked)) ns = i;
    }
    // per domain+item: the nearest later valid line of each type
    const later = new Map<string, { soft: number; hard: number; dash: number; any: number }>();
    for (let i = list.length - 1; i >= 0; i--) {
      const a = list[i]!;
      const r = a.reading;
      const info = r.itemInfo!;
      const gk = `${r.domain.raw}\0${r.itemText}`;
      let nx = later.get(gk);
      if (!nx) later.set(gk, (nx = { soft: Infinity, hard: Infinity, dash: Infinity, any: Infinity }));
      if (!r.problem) {
        let by = Infinity;
        if (!info.ranked || itemKeyOf(info) === 'logins') by = nx.any;
        else if (r.limitType === 'soft') by = Math.min(nx.soft, nx.dash);
        else if (r.limitType === 'hard') by = nx.hard;
        // the - / - case needs no soft-covering line strictly between A and B: the first one
        // after A must be B itself.
        else if (r.limitType === '-' && nx.dash !== Infinity && nx.dash === nextSoftCover[i]) by = nx.dash;
        if (by !== Infinity) {
          const b = list[by]!;
          const plain = (x: EntryRef) => x.line.readings.length === 1 && x.line.other === undefined;
          dead.set(a.key, { ref: a, by: b, removable: by === i + 1 && plain(a) && plain(b) });
        }
        if (r.limitType === 'soft') nx.soft = i;
        else if (r.limitType === 'hard') nx.hard = i;
        else if (r.limitType === '-') nx.dash = i;
        nx.any = i;
      }
    }
  }
  return dead;
}

// ---------------------------------------------------------------------------------------------
// Accounts

interface GroupAtom {
  readonly name: string;
  readonly gid: number;
}

interface Facts {
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

function collectFacts(domains: Iterable<DomainSpec>, db: AccountDb | null, realNames: ReadonlySet<string>): Facts {
  const facts: Facts = { names: new Set([FRESH]), uids: new Set([0, 1000]), gids: new Set([1000]), atoms: new Map() };
  if (!realNames.has('root')) facts.names.add('root');
  let freshGid = 3_900_000_000;
  const { byName, byGid } = groupIndex(db);
  const atomByName = (name: string): GroupAtom => {
    const g = byName.get(name);
    return { name, gid: g ? g.gid : freshGid++ };
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

function* enumerateAccounts(f: Facts): Generator<AccountCase> {
  const atoms = [...f.atoms.values()];
  const subsets = 1 << atoms.length;
  for (const name of f.names) {
    // by convention an account named root has uid 0 (only when root is not in the tree's passwd)
    const uids = name === 'root' ? [0] : [...f.uids];
    for (const uid of uids) {
      for (const gid of f.gids) {
        for (let m = 0; m < subsets; m++) {
          const groups: GroupRef[] = [];
          for (let i = 0; i < atoms.length; i++) if (m & (1 << i)) groups.push(atoms[i]!);
          yield { identity: { name, uid, gid, groups }, real: false };
        }
      }
    }
  }
}

function classCount(f: Facts): number {
  let uidCount = f.uids.size;
  let n = 0;
  for (const name of f.names) n += name === 'root' ? 1 : uidCount;
  uidCount = n;
  return uidCount * f.gids.size * 2 ** f.atoms.size;
}

/** One account matching `d` as simply as possible (for the sampled, non-exhaustive analysis). */
function witness(d: DomainSpec, db: AccountDb | null): AccountCase | null {
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

// ---------------------------------------------------------------------------------------------
// Per-item resolution

function filteredTree(tree: ConfigTree, lines: Map<TreeFile, Line[]>): ConfigTree {
  return {
    ...tree,
    files: tree.files.map((f) => (f.doc ? { ...f, doc: { ...f.doc, lines: lines.get(f) ?? [] } } : f)),
  };
}


function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

interface Sinks {
  matched: Map<string, number>;
  wins: Set<string>;
  beatenBy: Map<string, Map<string, Source>>;
  notApplied: Map<string, number>;
  shortCircuit: Map<string, { accounts: AccountCase[]; by: Source | null }>;
}

const SINGLE_SLOT = new Set<ItemName>(['priority', 'nonewprivs', 'chroot', 'maxlogins', 'maxsyslogins']);

/** What one resolution says about the lines of an item, by entry key. */
interface EventRecord {
  readonly matched: string[];
  readonly notApplied: string[];
  readonly wins: string[];
  readonly beaten: Array<[string, Source]>;
  readonly short: Array<[string, Source | null]>;
  /** wins and beaten are merged once per class */
  merged: boolean;
}

/**
 * Who won and who beat whom, from a resolution's event log, in one pass (the same reading of the
 * log as explainItem, without its per-line search).
 */
function recordEvents(res: Resolution, key: ItemKey): EventRecord {
  const out: EventRecord = { matched: [], notApplied: [], wins: [], beaten: [], short: [], merged: false };
  const evs = res.events.filter((e) => (key === 'logins' ? e.item === 'maxlogins' || e.item === 'maxsyslogins' : e.item === key));
  const holder: { soft: LineEvent | null; hard: LineEvent | null } = { soft: null, hard: null };
  const before = new Map<LineEvent, { soft: LineEvent | null; hard: LineEvent | null }>();
  const next = new Map<LineEvent, { soft?: LineEvent; hard?: LineEvent }>();
  for (const e of evs) {
    if (!e.matched || e.skipped) continue;
    before.set(e, { soft: holder.soft, hard: holder.hard });
    for (const half of ['soft', 'hard'] as const) {
      if (e[half] !== 'set') continue;
      const prev = holder[half];
      if (prev) { const n = next.get(prev) ?? {}; n[half] = e; next.set(prev, n); }
      holder[half] = e;
    }
  }
  for (const e of evs) {
    if (!e.matched || e.skipped) continue;
    const k = sourceKey(e.source);
    out.matched.push(k);
    if (!res.applied) { out.notApplied.push(k); continue; }
    const halves: Array<'soft' | 'hard'> = SINGLE_SLOT.has(e.item) ? ['soft'] : ['soft', 'hard'];
    for (const half of halves) {
      const o = e[half];
      if (o === 'not-applicable') continue;
      let by: Source | null = null;
      if (o === 'set') {
        if (holder[half] === e) { out.wins.push(k); continue; }
        by = next.get(e)?.[half]?.source ?? null;
      } else if (o === 'outranked') {
        by = before.get(e)?.[half]?.source ?? null;
      } else if (o === 'short-circuit') {
        by = before.get(e)?.soft?.source ?? null;
        out.short.push([k, by]);
      }
      if (by) out.beaten.push([k, by]);
    }
  }
  return out;
}

function mergeRecord(rec: EventRecord, c: AccountCase, out: Sinks): void {
  for (const k of rec.matched) out.matched.set(k, (out.matched.get(k) ?? 0) + 1);
  for (const k of rec.notApplied) out.notApplied.set(k, (out.notApplied.get(k) ?? 0) + 1);
  if (rec.merged) return; // wins and losers are the same for every account of the class
  rec.merged = true;
  for (const k of rec.wins) out.wins.add(k);
  for (const [k, by] of rec.beaten) {
    let m = out.beatenBy.get(k);
    if (!m) out.beatenBy.set(k, (m = new Map()));
    m.set(sourceKey(by), by);
  }
  for (const [k, by] of rec.short) {
    const sc = out.shortCircuit.get(k);
    if (sc) sc.accounts.push(c); else out.shortCircuit.set(k, { accounts: [c], by });
  }
}

function analyseItem(an: Analysis, key: ItemKey): ItemAnalysis {
  const { tree, dialect, accounts, nrOpen, policy, budget } = an.options;
  const refs = an.entries.filter((e) => e.reading.itemInfo && itemKeyOf(e.reading.itemInfo) === key);
  // the lines to keep: this item's entries and every `<domain> -` line, in reading order
  const keep = new Map<TreeFile, Line[]>();
  const all: Array<{ file: TreeFile; line: Line; order: number }> = [
    ...refs.map((r) => ({ file: r.file, line: r.line, order: r.order })),
    ...an.nolimits.map((r) => ({ file: r.file, line: r.line, order: r.order })),
  ].sort((a, b) => a.order - b.order);
  let lineCount = 0;
  for (const x of all) {
    const list = keep.get(x.file);
    if (list && list[list.length - 1] === x.line) continue;
    push(keep, x.file, x.line);
    lineCount++;
  }
  // Lines whose domain does not match an account change nothing for it (the resolver only logs
  // them), so each account is resolved on the lines that match it, plus every "<domain> -" line.
  const ordered: Array<{ file: TreeFile; line: Line }> = [];
  for (const [file, lines] of keep) for (const line of lines) ordered.push({ file, line });
  const viewFor = (id: Identity): ConfigTree => {
    const lines = new Map<TreeFile, Line[]>();
    for (const x of ordered) {
      let hit = false;
      for (const r of x.line.readings) {
        if (r.kind === 'nolimit' || (r.kind === 'entry' && r.itemInfo && itemKeyOf(r.itemInfo) === key && matchEntryDomain(r.domainSpec, id, dialect))) { hit = true; break; }
      }
      if (hit) push(lines, x.file, x.line);
    }
    return filteredTree(tree, lines);
  };

  const real = an.realAccounts;
  const realNames = new Set(real.map((a) => a.identity.name));
  const domains: DomainSpec[] = [
    ...refs.filter((r) => !r.reading.problem || r.reading.problem.code === 'percent-domain').map((r) => r.reading.domainSpec),
    ...an.nolimits.map((n) => n.reading.domainSpec),
    ...policy.entries.filter((p) => itemKeyOf(p.item) === key).map((p) => p.domain),
  ];
  const facts = collectFacts(domains, accounts?.db ?? null, realNames);
  // the budget is for the whole tree: share it between the items it names
  const perAccount = Math.max(1, lineCount);
  const maxAccounts = Math.max(1, Math.floor(budget / Math.max(1, an.itemKeys().length) / perAccount));
  const classes = classCount(facts);
  const exhaustive = classes + real.length <= Math.min(maxAccounts, 4096);
  let cases: AccountCase[];
  if (exhaustive) {
    cases = [...real, ...enumerateAccounts(facts)];
  } else {
    cases = real.slice(0, maxAccounts);
    const seen = new Set<string>();
    const extra: AccountCase[] = [{ identity: { name: FRESH, uid: 1000, gid: 1000, groups: [] }, real: false }];
    if (!realNames.has('root')) extra.push({ identity: { name: 'root', uid: 0, gid: 0, groups: [] }, real: false });
    for (const d of domains) {
      if (seen.has(d.text)) continue;
      seen.add(d.text);
      if (d.kind === 'user' && realNames.has(d.text)) continue;
      const w = witness(d, accounts?.db ?? null);
      if (w) extra.push(w);
    }
    for (const c of extra) {
      if (cases.length >= maxAccounts) break;
      cases.push(c);
    }
  }

  const matched = new Map<string, number>();
  const wins = new Set<string>();
  const beatenBy = new Map<string, Map<string, Source>>();
  const notApplied = new Map<string, number>();
  const shortCircuit = new Map<string, { accounts: AccountCase[]; by: Source | null }>();
  const clamps = new Map<string, { soft: Source; hard: Source; softValue: bigint; hardValue: bigint; accounts: AccountCase[] }>();
  const outcomes: AccountOutcome[] = [];
  const isRlimit = key !== 'logins' && key !== 'priority' && key !== 'nonewprivs' && key !== 'chroot';

  // Accounts that match the same lines at the same ranks get the same result: resolve one of
  // each such class and share its result (the classes are few even when the accounts are many).
  const entryReadings: Array<{ r: EntryReading | NoLimitReading }> = [];
  for (const x of ordered) {
    for (const r of x.line.readings) {
      if (r.kind === 'nolimit' || (r.kind === 'entry' && r.itemInfo && itemKeyOf(r.itemInfo) === key)) entryReadings.push({ r });
    }
  }
  const signature = (id: Identity): string => {
    let sig = '';
    for (const { r } of entryReadings) {
      if (r.kind === 'nolimit') sig += !r.problem && matchNoLimitDomain(r.domainSpec, id) ? 'n' : '.';
      else { const m = matchEntryDomain(r.domainSpec, id, dialect); sig += m ? String(m.rank) : '.'; }
    }
    return sig;
  };
  const shared = new Map<string, { res: Resolution; record: EventRecord }>();
  for (const c of cases) {
    const sig = signature(c.identity);
    let hit = shared.get(sig);
    if (!hit) {
      const res = resolveLimits(viewFor(c.identity), c.identity, { dialect, nrOpen });
      hit = { res, record: recordEvents(res, key) };
      shared.set(sig, hit);
    }
    const { res, record } = hit;
    outcomes.push(outcomeOf(res, key, c));
    mergeRecord(record, c, { matched, wins, beatenBy, notApplied, shortCircuit });
    if (isRlimit && res.applied) {
      const r = res.rlimits[key as RlimitItem];
      if (r.clamped && r.soft.source && r.hard.source && r.soft.value !== null && r.hard.value !== null) {
        const ck = `${sourceKey(r.soft.source)}\u0001${sourceKey(r.hard.source)}`;
        const x = clamps.get(ck);
        if (x) x.accounts.push(c);
        else clamps.set(ck, { soft: r.soft.source, hard: r.hard.source, softValue: r.soft.value, hardValue: r.hard.value, accounts: [c] });
      }
    }
  }
  return { key, exhaustive, accounts: cases, matched, wins, beatenBy, notApplied, shortCircuit, clamps, outcomes };
}

function outcomeOf(res: Resolution, key: ItemKey, account: AccountCase): AccountOutcome {
  const none = { value: null, source: null };
  switch (key) {
    case 'logins':
      return { account, applied: res.applied, soft: { value: BigInt(res.logins.value), source: res.logins.source }, hard: { value: BigInt(res.logins.value), source: res.logins.source } };
    case 'priority':
      return { account, applied: res.applied, soft: { value: BigInt(res.priority.value), source: res.priority.source }, hard: { value: BigInt(res.priority.value), source: res.priority.source } };
    case 'nonewprivs': {
      const v = { value: res.nonewprivs.value ? 1n : 0n, source: res.nonewprivs.source };
      return { account, applied: res.applied, soft: v, hard: v };
    }
    case 'chroot':
      return { account, applied: res.applied, soft: { value: null, source: res.chroot?.source ?? null }, hard: { value: null, source: res.chroot?.source ?? null } };
    default: {
      const r = res.rlimits[key];
      return {
        account, applied: res.applied,
        soft: r.soft.origin === 'line' ? { value: r.applied?.soft ?? r.soft.value, source: r.soft.source } : none,
        hard: r.hard.origin === 'line' ? { value: r.applied?.hard ?? r.hard.value, source: r.hard.source } : none,
      };
    }
  }
}

/**
 * Who a finding is about: "every account '*' matches" when `accounts` holds all the analysed
 * accounts the domain matches, else a few of them by name ("alice, bob and 2 more").
 */
export function describeWho(ia: ItemAnalysis, domain: DomainSpec, accounts: readonly AccountCase[], dialect: Dialect): string {
  const set = new Set(accounts);
  const all = ia.accounts.filter((c) => domainMatches(domain, c, dialect));
  if (all.length > 0 && all.every((c) => set.has(c))) {
    const real = accounts.filter((c) => c.real);
    return `every account '${domain.text}' matches${real.length > 0 && real.length <= 3 ? ` (${describeAccounts(real)})` : ''}`;
  }
  return describeAccounts(accounts);
}

/** Does the 4-field domain match this account (any rank)? */
export function domainMatches(d: DomainSpec, c: AccountCase, dialect: Dialect): boolean {
  return matchEntryDomain(d, c.identity, dialect) !== null;
}

/** "alice", "an account with uid 1000 in @wheel", … */
export function describeAccount(c: AccountCase): string {
  const id = c.identity;
  if (c.real || id.name !== FRESH) return id.name === 'root' && !c.real ? 'root' : id.name;
  const groups = id.groups.length ? ` in ${id.groups.map((g) => (g.name.startsWith('limitsctl-gid-') ? `gid ${g.gid}` : `@${g.name}`)).join(', ')}` : '';
  return `an account with uid ${id.uid}${groups}`;
}

/** Up to three accounts, real ones first: "alice, bob and 3 more". */
export function describeAccounts(cases: readonly AccountCase[]): string {
  const sorted = [...cases].sort((a, b) => Number(b.real) - Number(a.real) || Number(b.identity.name !== FRESH) - Number(a.identity.name !== FRESH));
  const names = [...new Set(sorted.map(describeAccount))];
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown[0] ?? 'no account';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!}`;
}

/** Debian: uid 0 is exempt from `*`, `@…` and `%…` 4-field lines. */
export function rootExempt(dialect: Dialect): boolean {
  return DIALECT_TRAITS[dialect].rootExempt;
}
