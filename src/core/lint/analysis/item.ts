/**
 * The per-item analysis: for each account class (the accounts that match the same domains at
 * the same ranks), what pam_limits' process_limit does to the item's slot ranks, worked out per
 * (domain, item) group rather than line by line: the class's final holders from the first and
 * last lines of its groups touching each half, and who beat each live line (a line findDeadLines
 * does not prove dead) by a few binary searches in its groups' line lists; a group met again with
 * the same stronger groups records nothing new. The final values come from resolveLimits itself,
 * on the lines that hold them. A class costs its groups and their live lines, not every line of
 * the item (20,000 one-line user domains against 20,000 accounts: 20,000 × 20,000 line steps
 * before).
 *
 * Pure.
 */
import type { Identity } from '../../accounts.js';
import type { DomainSpec } from '../../domain.js';
import type { EntryReading, Line, Reading, TreeFile } from '../../model.js';
import { inRange, type LineEvent, matchEntryDomain, matchNoLimitDomain, type Resolution, resolveLimits, type Source } from '../../resolve.js';
import { type ItemName, PROFILE_TRAITS, RANK, type Rank, RLIM_INFINITY, type RlimitItem } from '../../schema.js';
import type { Analysis } from '../analysis.js';
import { classCount, collectFacts, enumerateAccounts, sharedAccounts, witness } from './accounts.js';
import { E_HARD, E_MAXLOGINS, E_SOFT } from './flags.js';
import { giveIntern, takeIntern } from './intern.js';
import type { EntryRef, NoLimitRef } from './types.js';
import {
  type AccountCase, type AccountOutcome, entryKey, FRESH, type ItemAnalysis, type ItemKey, itemKeyOf, sourceKey,
} from './types.js';

/** an empty list, for the index lookups that miss (no array per miss) */
const NONE: readonly number[] = [];
/** the groups a class pass keeps once the item's counts are made (none) */
const NO_GROUPS = new Int32Array(0);

const SINGLE_SLOT = new Set<ItemName>(['priority', 'nonewprivs', 'chroot', 'maxlogins', 'maxsyslogins']);

/** What one resolution says about the lines of an item, by entry key. */
export interface EventRecord {
  readonly matched: string[];
  readonly notApplied: string[];
  readonly wins: string[];
  readonly beaten: Array<[string, Source]>;
  readonly short: Array<[string, Source | null]>;
}

/**
 * Who won and who beat whom, read from a resolution's event log (the same reading of the log as
 * explainItem): a line that set a half and was replaced is beaten by the next line to set it, an
 * outranked half by the line holding it before, a skipped `-` hard half by the soft holder.
 * analyseItem computes the same record without a resolution per class; this reading is its
 * reference (test/lint/analysis/random-trees.test.ts).
 */
export function recordEvents(res: Resolution, key: ItemKey): EventRecord {
  const out: EventRecord = { matched: [], notApplied: [], wins: [], beaten: [], short: [] };
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

/** Line kinds of the pass: the item's entries by type, and `<domain> -` stops. */
const T_SOFT = 0;
const T_HARD = 1;
const T_DASH = 2;
const T_SLOT = 3; // maxlogins / maxsyslogins: one ranked slot
const T_UNRANKED = 4; // priority, nonewprivs, chroot: the last matching line wins
const T_STOP = 5;

/**
 * One account class: the groups it matches (not skipped), where its lines end (the position of
 * the `<domain> -` line that stops it, or the number of lines), the final holders of the halves
 * (-1: none) and the stop (-1: none).
 * (A class, not an object literal: a literal's allocation site is pretenured once its objects
 * outlive a scavenge, and that decision deoptimised the class pass, compiled again at great cost;
 * `new` of a class has no such site.)
 */
class ClassPass {
  /** the '-' lines whose hard half the class skipped (their shortCircuit lists name its first account) */
  shorts: number[] | null = null;
  constructor(
    public groups: Int32Array,
    readonly end: number,
    readonly holdSoft: number,
    readonly holdHard: number,
    /** position of the `<domain> -` line that stopped processing, or -1 */
    readonly stop: number,
  ) {}
}

/** The clamp of a class whose soft holder's value is above its hard holder's (pam_limits lowers soft to hard). */
interface Clamp {
  /**
   * the holders' positions, soft × (lines + 1) + hard: one number per pair of lines, as the
   * clamps' key (sourceKey of the soft holder, U+0001, sourceKey of the hard holder) is one
   * string per pair (made once per pair)
   */
  readonly pair: number;
  readonly soft: Source;
  readonly hard: Source;
  readonly softValue: bigint;
  readonly hardValue: bigint;
}

/** One account class: its pass, its first account, its final values once resolved, how many accounts (a class: see ClassPass). */
class Hit {
  /** its final values (resolveLimits on its holders), once asked for */
  final: Resolution | null = null;
  accounts = 0;
  /** the entry of the item's clamps its accounts join (set at its first account) */
  clampEntry: ClampEntry | null = null;
  constructor(
    readonly pass: ClassPass,
    readonly first: AccountCase,
    /** the ranks the class matched its soft and hard holders at (0: no holder) */
    readonly softRank: number,
    readonly hardRank: number,
    readonly clamp: Clamp | null,
  ) {}
}

/** An entry of ItemAnalysis.clamps. */
type ClampEntry = { soft: Source; hard: Source; softValue: bigint; hardValue: bigint; accounts: AccountCase[] };

/**
 * The node pool of the beaten lists (encoded beater, next node), shared by every analyseItem
 * call: only read within the call (its result copies the lists out), grown as needed, each node
 * written before it is read. One pair per process instead of two arrays per item.
 */
const beatenScratch = { enc: new Int32Array(1024), next: new Int32Array(1024) };

/** The starting ranks of an Analysis' tree (resolveLimits on no lines), worked out once per tree, not per item. */
const startOf = new WeakMap<Analysis, Resolution>();

export function analyseItem(an: Analysis, key: ItemKey): ItemAnalysis {
  const { tree, profile, accounts, policy, budget } = an.options;
  /** the item's entries, as entry indexes (Analysis) */
  const refs = an.itemIndexes(key);
  const ranked = key !== 'priority' && key !== 'nonewprivs' && key !== 'chroot';

  // 1. The lines resolveLimits acts on for this item, in reading order: every entry of the item
  //    that it does not skip for everyone (a problem other than a '%' domain; an invalid range
  //    is not even logged), and the first valid `<domain> -` line of each domain (a later one
  //    stops only accounts the first already stopped). Nothing after a file pam_limits cannot
  //    read is looked at (resolveLimits stops there, and applies nothing).
  const { domainSpecs, fatalAt, fatalOrder } = an.columns;
  const firstNoLimit = new Map<string, NoLimitRef>();
  for (const n of an.nolimits) if (!n.reading.problem && !firstNoLimit.has(n.reading.domain.raw)) firstNoLimit.set(n.reading.domain.raw, n);
  /** entry domain id (Analysis.columns) → index in entrySpecs, -1: not yet met */
  const localDomain = new Int32Array(domainSpecs.length).fill(-1);
  const entrySpecs: DomainSpec[] = [];
  const noLimitSpecs: DomainSpec[] = [];
  /** the domains the item's lines test (the first of each text, those of the active lines first) */
  const factDomains: DomainSpec[] = [];
  const stops = [...firstNoLimit.values()].filter((x) => x.order < fatalOrder);
  // (the loops over every line of the item are functions of their own, here and below: a loop
  // compiled while it runs, inside a function this long, was dropped again at the next statement
  // not yet run, at every item)
  const lineCodes0 = new Int32Array(refs.length + stops.length);
  const refAt0 = new Int32Array(lineCodes0.length);
  const dom0 = new Int32Array(lineCodes0.length);
  const n = mergeLines(an, refs, stops, fatalOrder, localDomain, entrySpecs, factDomains, refAt0, dom0, lineCodes0);
  const refAt = n === refAt0.length ? refAt0 : refAt0.slice(0, n);
  const lineCodes = n === lineCodes0.length ? lineCodes0 : lineCodes0.slice(0, n);
  const dom = n === dom0.length ? dom0 : dom0.slice(0, n);
  const lines = new PassLines(an, lineCodes, stops);
  const kind = new Uint8Array(n);
  /** reading order of the line at each position */
  const orderAt = new Int32Array(n);
  /** maxlogins (the only item a `%` domain is not skipped for) */
  const percentOk = new Uint8Array(n);
  lineKinds(an, lineCodes, stops, key === 'logins' ? T_SLOT : ranked ? T_SOFT : T_UNRANKED, orderAt, kind, percentOk, dom, noLimitSpecs);

  // the starting ranks (resolveLimits on no lines: they depend on the profile, not the account)
  let start = startOf.get(an);
  if (!start) {
    start = resolveLimits({ ...tree, files: [] }, { name: FRESH, uid: 1000, gid: 1000, groups: [] }, { profile, nrOpen: an.options.nrOpen, events: 'matched' });
    startOf.set(an, start);
  }
  const initSoft: Rank = key === 'logins' ? start.logins.rank : ranked ? start.rlimits[key as RlimitItem].soft.rank : RANK.NONE;
  const initHard: Rank = key === 'logins' ? start.logins.rank : ranked ? start.rlimits[key as RlimitItem].hard.rank : RANK.NONE;

  // 2. The class of an account: the rank at which it matches each entry domain (7 = not at all)
  //    and whether each `<domain> -` line stops it.
  const nE = entrySpecs.length;
  //    Most domains are a user name or `@group`/`%group`, which match by name alone: those are
  //    found through an index by name (an account with a name no line names costs nothing per
  //    such domain), every other domain is asked matchEntryDomain / matchNoLimitDomain. With
  //    20,000 accounts in etc/passwd and 20,000 domains, asking every domain for every account was
  //    400 million calls.
  const rootExemptProfile = PROFILE_TRAITS[profile].rootExempt;
  const entryIndex = indexDomains(entrySpecs);
  const noLimitIndex = indexDomains(noLimitSpecs);
  // The class key is sparse: the bytes of the domains asked one by one, then only the positions
  // the name index hit (a 20,000-domain signature per account, hashed into a map, was 400 MB of
  // strings for 20,000 accounts); the class pass reads sigBytes itself, before untouch.
  // (one byte more, always 0: the separator token of signature)
  const sigBytes = new Uint8Array(nE + noLimitSpecs.length + 1);
  for (const d of entryIndex.byName) sigBytes[d] = 0x37;
  for (const d of noLimitIndex.byName) sigBytes[nE + d] = 0x2e;
  // the positions marked, touched[0 .. nT - 1] (a counter, not the array's length: setting an
  // array's length is a call into the runtime, at every account)
  const touched: number[] = [];
  let nT = 0;
  const mark = (pos: number, byte: number) => { sigBytes[pos] = byte; touched[nT++] = pos; };
  // the signature as one interned number: a trie over (position, byte) tokens, the domains asked
  // one by one in their order, then the name-indexed positions hit, sorted (no string per account)
  // (node, token) → node, token = position × 128 + byte (intern.ts: a table kept between analyses)
  const sigTrie = takeIntern();
  const sigStep = (parent: number, pos: number): number => sigTrie.id(parent, pos * 128 + sigBytes[pos]!);
  const signature = (id: Identity): number => {
    const rootExempt = rootExemptProfile && id.uid === 0;
    let key = 0;
    for (const d of entryIndex.other) { const m = matchEntryDomain(entrySpecs[d]!, id, profile); sigBytes[d] = m ? 0x30 + m.rank : 0x37; key = sigStep(key, d); }
    for (const d of noLimitIndex.other) { sigBytes[nE + d] = matchNoLimitDomain(noLimitSpecs[d]!, id) ? 0x6e : 0x2e; key = sigStep(key, nE + d); }
    // by group name: `@g` is GROUP (not for an exempt root), `%g` ALLGROUP (idem); `@g` stops a
    // `<domain> -` account whatever its uid
    for (const g of id.groups) {
      if (!rootExempt) {
        for (const d of entryIndex.at.get(g.name) ?? NONE) mark(d, 0x30 + RANK.GROUP);
        for (const d of entryIndex.percent.get(g.name) ?? NONE) mark(d, 0x30 + RANK.ALLGROUP);
      }
      for (const d of noLimitIndex.at.get(g.name) ?? NONE) mark(nE + d, 0x6e);
    }
    // the domain's text is the account's name: USER, before anything else (matchEntryDomain)
    for (const d of entryIndex.name.get(id.name) ?? NONE) mark(d, 0x30 + RANK.USER);
    for (const d of noLimitIndex.name.get(id.name) ?? NONE) mark(nE + d, 0x6e);
    if (nT > 0) {
      // a separator token (no position has it), then each position hit once, in order
      key = sigStep(key, nE + noLimitSpecs.length);
      if (nT > 1) sortSmall(touched, nT);
      for (let i = 0; i < nT; i++) if (i === 0 || touched[i] !== touched[i - 1]) key = sigStep(key, touched[i]!);
    }
    return key;
  };
  /** Put the name-indexed positions back to "no match" after an account. */
  const untouch = () => {
    for (let i = 0; i < nT; i++) { const x = touched[i]!; sigBytes[x] = x < nE ? 0x37 : 0x2e; }
    nT = 0;
  };

  // the Source resolveLimits gives for the line at position p matched at `rank`, one object per pair
  const sources = new Map<number, Source>();
  const sourceAt = (p: number, rank: number): Source => sourceIn(sources, lines, p, rank);

  // 2b. The accounts: the tree's own, and every combination of the facts the lines test.
  const real = an.realAccounts;
  const realNames = new Set(real.map((a) => a.identity.name));
  // (pushed one by one: spreading the `map` results, whose arrays change elements kind with
  // their contents (empty or not), deoptimised analyseItem, a function costly to compile again)
  const domains: DomainSpec[] = factDomains.slice();
  for (const x of an.nolimits) domains.push(x.reading.domainSpec);
  for (const p of policy.entries) if (itemKeyOf(p.item) === key) domains.push(p.domain);
  const facts = collectFacts(uniqueDomains(domains), accounts?.db ?? null, realNames);
  const classes = classCount(facts);
  const exhaustive = classes <= Math.max(1, budget);
  let cases: readonly AccountCase[];
  if (exhaustive) {
    // the hypothetical accounts of the same facts are one shared list (a repository's trees)
    cases = real.length === 0 ? sharedAccounts(facts) : enumerateAccounts(facts, [...real]);
  } else {
    // too many combinations of group memberships: every real account, and one simple witness
    // per domain; the claims that need every combination are not made (never-wins says so)
    const sampled = [...real];
    cases = sampled;
    const seen = new Set<string>();
    sampled.push({ identity: { name: FRESH, uid: 1000, gid: 1000, groups: [] }, real: false });
    if (!realNames.has('root')) sampled.push({ identity: { name: 'root', uid: 0, gid: 0, groups: [] }, real: false });
    for (const d of domains) {
      if (seen.has(d.text)) continue;
      seen.add(d.text);
      if (d.kind === 'user' && realNames.has(d.text)) continue;
      const w = witness(d, accounts?.db ?? null);
      if (w) sampled.push(w);
    }
  }

  // per line position: accounts matched, accounts not applied to; who beat it (position × 8 +
  // the rank it was matched at, the rank last seen kept in the place first seen, as a Map keyed
  // by Source would keep them)
  const winsAt = new Uint8Array(n);
  // as lists in one pool of typed arrays (no array per line): head and tail node per position, per
  // node the encoded beater and the next node (-1: none)
  const bHead = new Int32Array(n).fill(-1);
  const bTail = new Int32Array(n).fill(-1);
  let bEnc = beatenScratch.enc;
  let bNext = beatenScratch.next;
  let bNodes = 0;
  // '-' lines whose hard half was skipped, by position, in the order first seen
  const shortAt: Array<ShortCircuit | undefined> = new Array<ShortCircuit | undefined>(n);
  /** which class passes skipped which '-' lines (their accounts, read when asked) */
  const shortLog = new ShortLog();
  /** the positions of shortAt, in the order first seen */
  const shortSeq: number[] = [];
  const clamps = new Map<string, ClampEntry>();
  /** the entries of clamps by Clamp.pair */
  const clampOfPair = new Map<number, ClampEntry>();
  const isRlimit = ranked && key !== 'logins';
  /** pam_limits applies the values: no `<domain> -` line stopped the class, and every file was read */
  const appliedTo = (c: ClassPass) => c.stop < 0 && fatalAt < 0;

  const beaten = (p: number, by: number) => {
    const enc = by * 8 + rankAt(by);
    for (let x = bHead[p]!; x >= 0; x = bNext[x]!) if (bEnc[x]! >>> 3 === by) { bEnc[x] = enc; return; }
    if (bNodes === bEnc.length) {
      const e2 = new Int32Array(bNodes * 2); e2.set(bEnc); bEnc = beatenScratch.enc = e2;
      const n2 = new Int32Array(bNodes * 2); n2.set(bNext); bNext = beatenScratch.next = n2;
    }
    const node = bNodes++;
    bEnc[node] = enc;
    bNext[node] = -1;
    if (bTail[p]! >= 0) bNext[bTail[p]!] = node; else bHead[p] = node;
    bTail[p] = node;
  };

  // 3. The (domain, item) groups: the lines of one entry domain (for the login slot, also of one
  //    item: a `%` domain is skipped for maxsyslogins, not for maxlogins). An account matches
  //    every line of a group at the same rank, or none of them. pam_limits' source rank of a half
  //    only stays or drops (process_limit: a line sets a half when the half's rank is not
  //    stronger than its own), so for one class the lines that set a half are, in reading order,
  //    those touching it before the first stronger line touching it; the line that replaced a
  //    setter is the next line touching the half at the same or a stronger rank; an outranked
  //    line's winner is the last line touching the half at the strongest rank seen so far. Per
  //    group, in reading order: all its lines, the lines touching the soft half (soft, `-`, the
  //    single-slot kinds), its hard lines, its `-` lines (they touch the hard half while their
  //    soft half is set) and its live lines (not dead: findDeadLines), whose events are recorded.
  //    A class then costs its groups and their live lines (a few binary searches each), not a
  //    walk over every line of the item.
  const groupOfKey = new Int32Array(nE * 2).fill(-1);
  const groupOf = new Int32Array(n).fill(-1);
  /** position of the `<domain> -` line of each noLimitSpecs index */
  const stopPos = new Int32Array(noLimitSpecs.length);
  const G = groupsOf(kind, dom, percentOk, groupOfKey, groupOf, stopPos);
  // which lists each position joins (L_* bits), read by groupLists (no predicate call per position and list)
  const listBits = new Uint8Array(n);
  listBitsOf(kind, refAt, orderAt, an.deadFlags(), listBits);
  const ALL_LINES = groupLists(groupOf, G, listBits, L_ALL);
  const SOFT_T = groupLists(groupOf, G, listBits, L_SOFT_T);
  const HARD_L = groupLists(groupOf, G, listBits, L_HARD);
  const DASH_L = groupLists(groupOf, G, listBits, L_DASH);
  const LIVE = groupLists(groupOf, G, listBits, L_LIVE);

  // the current class: its groups, the rank of each (as matched), the groups by the rank the
  // pass compares (0 for every line of the unranked items: the last matching line wins)
  const INF = n;
  // the class's groups: mg[0 .. nMg - 1] (each group at most once)
  const mg = new Int32Array(G);
  let nMg = 0;
  const mgRank = new Uint8Array(G);
  // the class's groups by compared rank: rankBuf[r * G .. r * G + rankLen[r] - 1], ascending
  const rankBuf = new Int32Array(8 * G);
  const rankLen = new Int32Array(8);
  const domSeen = new Int32Array(nE);
  let epoch = 0;
  // per compared rank: the first line touching the half, and the position from which lines of
  // that rank no longer set it (the first stronger line, or the stop; -1: never set)
  const firstSoft = new Int32Array(8);
  const endSoft = new Int32Array(8);
  const firstHard = new Int32Array(8);
  const endHard = new Int32Array(8);
  const eff = (g: number) => (ranked ? mgRank[g]! : 0);
  const SOFT_HALF = 0;
  const HARD_HALF = 1;
  /** the first line of group g touching the half, after `after` and before `lim` (INF: none) */
  const nextTouch = (half: number, g: number, after: number, lim: number): number => {
    if (half === SOFT_HALF) return nextIn(SOFT_T, g, after, lim, INF);
    const a = nextIn(HARD_L, g, after, lim, INF);
    const b = nextIn(DASH_L, g, after, Math.min(lim, endSoft[eff(g)]!), INF);
    return a < b ? a : b;
  };
  /** the last line of group g touching the half before `lim` (-1: none) */
  const lastTouch = (half: number, g: number, lim: number): number => {
    if (half === SOFT_HALF) return lastIn(SOFT_T, g, lim);
    const a = lastIn(HARD_L, g, lim);
    const b = lastIn(DASH_L, g, Math.min(lim, endSoft[eff(g)]!));
    return a > b ? a : b;
  };
  /** the line that replaces setter p (rank r) in the half, or -1 (p holds it at the end) */
  const nextSetter = (half: number, p: number, r: number, S: number): number => {
    let best = INF;
    for (let i = r * G, to = i + rankLen[r]!; i < to; i++) { const x = nextTouch(half, rankBuf[i]!, p, S); if (x < best) best = x; }
    const stronger = (half === SOFT_HALF ? endSoft : endHard)[r]!;
    if (stronger > p && stronger < best) best = stronger;
    return best < S ? best : -1;
  };
  /** the line holding the half just before position p, or -1 */
  const holderBefore = (half: number, p: number): number => {
    const first = half === SOFT_HALF ? firstSoft : firstHard;
    let m = 0;
    while (m < 8 && first[m]! >= p) m++;
    if (m === 8 || m > (half === SOFT_HALF ? initSoft : initHard)) return -1;
    let best = -1;
    for (let i = m * G, to = i + rankLen[m]!; i < to; i++) { const x = lastTouch(half, rankBuf[i]!, p); if (x > best) best = x; }
    return best;
  };
  const rankAt = (p: number) => sigBytes[dom[p]!]! - 0x30;
  /** per compared rank, the node (nodeOf) of the stop and the groups matched at that rank or a stronger one */
  const keyAt = new Int32Array(8);
  /** trie of the class keys: (node, token) → node (tokens: a stop position 0..n, then n + 1 + group × 8 + rank) */
  const trie = takeIntern();
  const nodeOf = (parent: number, token: number): number => trie.id(parent, token);
  // The memo of the groups' events, keyed by (keyAt, group) interned as 1, 2, 3… (a table of its
  // own, so its numbers come in order): the '-' lines whose short-circuit it recorded (null: none)
  // at memoVals[number - 1]. A Map keyed by keyAt × G + group was most of a small tree's pass
  // (a set and a get per group of every class).
  const memoKeys = takeIntern();
  const memoVals: Array<Int32Array | null> = [];

  /**
   * The class of the account whose signature is in sigBytes: its groups, stop, final holders,
   * and — when limits are applied — who beat each live line of its groups, merged into the
   * item's record at once (`first`: the class's first account, for the '-' short-circuits).
   */
  // by class key (a node of `trie`: an array index, not a Map key)
  const passes: ClassPass[] = [];
  /** the groups of entry domain d the current class matches (not skipped), into mg and mgRank */
  const addDom = (d: number) => {
    if (domSeen[d] === epoch) return;
    domSeen[d] = epoch;
    const rank = sigBytes[d]! - 0x30;
    if (rank === 7) return;
    for (let ok = 0; ok < 2; ok++) {
      const g = groupOfKey[d * 2 + ok]!;
      if (g < 0 || ((rank === RANK.ALL || rank === RANK.ALLGROUP) && !ok)) continue; // skipped
      mgRank[g] = rank;
      mg[nMg++] = g;
    }
  };
  const classPass = (first: AccountCase): ClassPass => {
    nMg = 0;
    epoch++;
    for (const d of entryIndex.other) addDom(d);
    for (let i = 0; i < nT; i++) { const x = touched[i]!; if (x < nE) addDom(x); }
    let S = INF;
    for (const d of noLimitIndex.other) if (sigBytes[nE + d] === 0x6e && stopPos[d]! < S) S = stopPos[d]!;
    for (let i = 0; i < nT; i++) { const x = touched[i]!; if (x >= nE && sigBytes[x] === 0x6e && stopPos[x - nE]! < S) S = stopPos[x - nE]!; }

    // Everything below depends only on the stop and the groups matched with their ranks: a class
    // met again with the same ones (other domains of stop lines, another name, …) is the same
    // pass, and only names its first account in the '-' lines it skips.
    // keyAt[r]: the stop and the groups matched at compared rank r or a stronger one, with their
    // ranks, as one interned number (a trie of the sorted groups); keyAt[7] names the whole class
    for (let r = 0; r < 8; r++) rankLen[r] = 0; // (fill: a call into the runtime per class)
    for (let i = 0; i < nMg; i++) { const g = mg[i]!; const r = eff(g); rankBuf[r * G + rankLen[r]!++] = g; }
    let node = nodeOf(0, S);
    for (let r = 0; r < 8; r++) {
      const from = r * G;
      const to = from + rankLen[r]!;
      if (to - from > 1) sortRun(rankBuf, from, to);
      for (let i = from; i < to; i++) { const g = rankBuf[i]!; node = nodeOf(node, n + 1 + g * 8 + mgRank[g]!); }
      keyAt[r] = node;
    }
    const ck = node;
    const again = passes[ck];
    if (again) {
      if (again.shorts) shortLog.add(first, again.shorts);
      return again;
    }
    const cp = pass(first, S);
    passes[ck] = cp;
    return cp;
  };
  /** a class's '-' lines skipped (line, holder pairs) as its pass finds them, and those found in the memo (reused) */
  const shorts: number[] = [];
  let nS = 0;
  const known: number[] = [];
  let nK = 0;
  /**
   * The '-' lines a pass skipped (shorts[0 .. nS - 1]) not seen before join shortSeq in reading
   * order, as a walk over the class's lines meets them: each (line, holder) pair packed in one
   * number, sorted as numbers. (A function of its own: rarely called, it is not compiled into
   * every pass.)
   */
  const recordFresh = () => {
    let fresh = 0;
    for (let j = 0; j < nS; j += 2) if (!shortAt[shorts[j]!]) fresh++;
    if (fresh === 0) return;
    const packed = new Float64Array(fresh);
    let k = 0;
    for (let j = 0; j < nS; j += 2) if (!shortAt[shorts[j]!]) packed[k++] = shorts[j]! * (n + 1) + (shorts[j + 1]! + 1);
    if (fresh > 1) packed.sort();
    for (let j = 0; j < fresh; j++) {
      const v = packed[j]!;
      const p = Math.floor(v / (n + 1));
      const b = v - p * (n + 1) - 1;
      shortAt[p] = new ShortCircuit(shortLog, shortSeq.length, b >= 0 ? sourceAt(b, rankAt(b)) : null, b >= 0 ? lines.entry(b) : null);
      shortSeq.push(p);
    }
  };
  /** The pass of a class not met before (classPass): mg, mgRank and sigBytes are the class's. */
  const pass = (first: AccountCase, S: number): ClassPass => {
    for (let r = 0; r < 8; r++) { firstSoft[r] = INF; firstHard[r] = INF; }
    for (let i = 0; i < nMg; i++) {
      const g = mg[i]!;
      const r = eff(g);
      const f = nextIn(SOFT_T, g, -1, S, INF);
      if (f < firstSoft[r]!) firstSoft[r] = f;
    }
    let m = INF;
    for (let r = 0; r < 8; r++) { endSoft[r] = r > initSoft ? -1 : Math.min(S, m); if (firstSoft[r]! < m) m = firstSoft[r]!; }
    if (isRlimit) {
      for (let i = 0; i < nMg; i++) { const g = mg[i]!; const r = eff(g); const f = nextTouch(HARD_HALF, g, -1, S); if (f < firstHard[r]!) firstHard[r] = f; }
      m = INF;
      for (let r = 0; r < 8; r++) { endHard[r] = r > initHard ? -1 : Math.min(S, m); if (firstHard[r]! < m) m = firstHard[r]!; }
    }
    const holdSoft = holderBefore(SOFT_HALF, S);
    const holdHard = isRlimit ? holderBefore(HARD_HALF, S) : holdSoft;
    const cp = new ClassPass(mg.slice(0, nMg), S, holdSoft, holdHard, S < INF ? S : -1);
    if (!appliedTo(cp)) return cp;

    if (holdSoft >= 0) winsAt[holdSoft] = 1;
    if (holdHard >= 0) winsAt[holdHard] = 1;
    // The events of a group's lines depend only on the stop and on the groups matched at its
    // rank or a stronger one (their ranks and lines): a group met again with the same ones
    // would record the same events again, which changes nothing (each beater is kept once, in
    // the place first seen, and with the same rank); only its '-' short-circuits name the class.
    nS = 0;
    nK = 0;
    for (let gi = 0; gi < nMg; gi++) {
      const g = mg[gi]!;
      const from = LIVE.off[g]!;
      const to = LIVE.off[g + 1]!;
      if (from === to) continue;
      const r = eff(g);
      const mk = memoKeys.id(keyAt[r]!, g);
      if (mk <= memoVals.length) {
        const seen = memoVals[mk - 1];
        if (seen) for (let i = 0; i < seen.length; i++) known[nK++] = seen[i]!;
        continue;
      }
      const before = nS;
      for (let i = from; i < to; i++) {
        const p = LIVE.pos[i]!;
        const k = kind[p]!;
        if (k !== T_HARD) {
          if (p < endSoft[r]!) {
            const nx = nextSetter(SOFT_HALF, p, r, S);
            if (nx >= 0) beaten(p, nx);
          } else {
            const b = holderBefore(SOFT_HALF, p);
            if (b >= 0) beaten(p, b);
            // '-': an outranked soft half skips the hard half
            if (k === T_DASH) { shorts[nS++] = p; shorts[nS++] = b; }
            continue;
          }
          if (k !== T_DASH) continue;
        }
        if (p < endHard[r]!) {
          const nx = nextSetter(HARD_HALF, p, r, S);
          if (nx >= 0) beaten(p, nx);
        } else {
          const b = holderBefore(HARD_HALF, p);
          if (b >= 0) beaten(p, b);
        }
      }
      // (a typed array: an array literal here is an allocation site, see ClassPass)
      let mine: Int32Array | null = null;
      if (nS > before) {
        mine = new Int32Array((nS - before) >> 1);
        for (let j = before, k = 0; j < nS; j += 2) mine[k++] = shorts[j]!;
      }
      memoVals.push(mine);
    }
    if (nS > 0) {
      recordFresh();
      for (let j = 0; j < nS; j += 2) known[nK++] = shorts[j]!;
    }
    if (nK > 0) { cp.shorts = known.slice(0, nK); shortLog.add(first, cp.shorts); }
    return cp;
  };

  // 4. Accounts that match the same domains at the same ranks get the same result: one class
  //    pass each, its record merged at once, its final values resolved once.
  //    Classes whose final holders and stop are the same lines, matched at the same ranks, get
  //    the same final values (finalResolution resolves only those lines; the account's uid
  //    matters beyond them only for root's logins check): one resolution for all of them, and its
  //    clamp key made once.
  //    The final values are resolved only when `outcomes` is read; the clamps (soft above hard)
  //    are read from the holders' values.
  //    The hypothetical accounts come as bases (name, uid, gid) of 2^atoms group sets each; two
  //    bases whose name is the same and whose uid and gid fall in the same intervals of every
  //    domain the item's lines test get the same classes, set by set: a base met again costs no
  //    signature.
  // the uid and gid intervals of the domains: root's exemption and uid ranges (`1000:1999`, a
  // stop line's too) test the uid, `@min:max` ranges the primary gid (matchEntryDomain,
  // matchNoLimitDomain); nothing else in a signature reads them
  const uidRanges: DomainSpec['range'][] = [];
  const gidRanges: DomainSpec['range'][] = [];
  for (const [specs, entry] of [[entrySpecs, true], [noLimitSpecs, false]] as const) {
    for (const d of specs) {
      if (d.kind === 'invalid' || d.range.form === 'none') continue;
      const c0 = d.text.charCodeAt(0);
      if (c0 === 0x40 /* @ */) { if (d.range.form !== 'one') gidRanges.push(d.range); }
      else if (c0 !== 0x25 /* % */ || !entry) uidRanges.push(d.range);
    }
  }
  const uidKey = (uid: number) => { let k = uid === 0 ? '1' : '0'; for (const r of uidRanges) k += inRange(r, uid) ? '1' : '0'; return k; };
  const gidKey = (gid: number) => { let k = ''; for (const r of gidRanges) k += inRange(r, gid) ? '1' : '0'; return k; };
  /** the value resolveLimits stores for the rlimit line at position p: its kernel value, nofile unlimited as fs.nr_open where the release does that */
  const nofileNrOpen = key === 'nofile' && PROFILE_TRAITS[profile].nofileUnlimited === 'nr-open';
  const kernelAt = (p: number): bigint => {
    const k = an.readingAt(lineCodes[p]!).parsedValue!.kernel!;
    return nofileNrOpen && k === RLIM_INFINITY ? an.options.nrOpen : k;
  };
  // the classes by signature (a node of sigTrie: an array index, not a Map key), and in the order made
  const shared: Hit[] = [];
  const hits: Hit[] = [];
  const hitOf = (c: AccountCase): Hit => {
    const sk = signature(c.identity);
    let hit = shared[sk];
    if (!hit) {
      const cp = classPass(c);
      // the ranks of the holders, as this class matched them (sigBytes is the class's until untouch)
      const softRank = cp.holdSoft >= 0 ? rankAt(cp.holdSoft) : 0;
      const hardRank = cp.holdHard >= 0 ? rankAt(cp.holdHard) : 0;
      // pam_limits lowers soft to hard when both halves come from lines and soft is the higher
      // value (resolveLimits: the holders' kernel values, nofile unlimited as fs.nr_open)
      let clamp: Clamp | null = null;
      if (isRlimit && appliedTo(cp) && cp.holdSoft >= 0 && cp.holdHard >= 0) {
        const softValue = kernelAt(cp.holdSoft);
        const hardValue = kernelAt(cp.holdHard);
        if (softValue > hardValue) {
          const soft = sourceAt(cp.holdSoft, softRank);
          const hard = sourceAt(cp.holdHard, hardRank);
          clamp = { pair: cp.holdSoft * (n + 1) + cp.holdHard, soft, hard, softValue, hardValue };
        }
      }
      hit = new Hit(cp, c, softRank, hardRank, clamp);
      shared[sk] = hit;
      hits.push(hit);
    }
    untouch();
    return hit;
  };
  /** the class of each account of `cases`, in its order */
  const hitAt: Hit[] = new Array<Hit>(cases.length);
  const addAccount = (c: AccountCase, hit: Hit, i: number) => {
    hitAt[i] = hit;
    hit.accounts++;
    const k = hit.clamp;
    if (k !== null) {
      // the entry of its clamp key, found (or made) at the class's first account: the map keeps
      // the order in which the keys' first accounts came
      let x = hit.clampEntry;
      if (x === null) {
        x = clampOfPair.get(k.pair) ?? null;
        if (x === null) {
          x = { soft: k.soft, hard: k.hard, softValue: k.softValue, hardValue: k.hardValue, accounts: [] };
          clampOfPair.set(k.pair, x);
          clamps.set(`${sourceKey(k.soft)}\u0001${sourceKey(k.hard)}`, x);
        }
        hit.clampEntry = x;
      }
      x.accounts.push(c);
    }
  };
  let i0 = 0;
  for (; i0 < real.length && i0 < cases.length; i0++) addAccount(cases[i0]!, hitOf(cases[i0]!), i0);
  if (exhaustive) {
    const subsets = 2 ** facts.atoms.size;
    const bases = new Map<string, Hit[]>();
    for (let i = i0; i < cases.length; i += subsets) {
      const id = cases[i]!.identity;
      const bk = `${id.name}\u0000${uidKey(id.uid)}\u0000${gidKey(id.gid)}`;
      const hits = bases.get(bk);
      if (hits) {
        for (let m = 0; m < subsets; m++) addAccount(cases[i + m]!, hits[m]!, i + m);
        continue;
      }
      const mine: Hit[] = new Array<Hit>(subsets);
      for (let m = 0; m < subsets; m++) addAccount(cases[i + m]!, (mine[m] = hitOf(cases[i + m]!)), i + m);
      bases.set(bk, mine);
    }
  } else {
    for (let i = i0; i < cases.length; i++) addAccount(cases[i]!, hitOf(cases[i]!), i);
  }
  // match counts: every line of a class's groups before its stop, once per account of the class
  // (per group a difference array over its lines: + at its first line, - after its last one
  // before the stop), summed once per line
  const diffM = new Float64Array(ALL_LINES.pos.length + G);
  const diffN = new Float64Array(ALL_LINES.pos.length + G);
  for (const { pass: cp, accounts: count } of hits) {
    const applied = appliedTo(cp);
    for (const g of cp.groups) {
      const lo = ALL_LINES.off[g]!;
      const k = lowerBound(ALL_LINES.pos, lo, ALL_LINES.off[g + 1]!, cp.end) - lo;
      if (k === 0) continue;
      const base = lo + g;
      diffM[base] = diffM[base]! + count;
      diffM[base + k] = diffM[base + k]! - count;
      if (!applied) { diffN[base] = diffN[base]! + count; diffN[base + k] = diffN[base + k]! - count; }
    }
  }
  // per entry of the item (refs), in the order of refs
  const m = refs.length;
  const matchedCount = new Uint32Array(m);
  const notAppliedCount = new Uint32Array(m);
  sumCounts(ALL_LINES, diffM, diffN, refAt, matchedCount, notAppliedCount);
  // what the classes keep for their final values (finalOf): the holders and the stop, not the
  // groups and '-' lines of their passes (hitAt keeps every class until the tree's last file)
  for (const hit of hits) { hit.pass.groups = NO_GROUPS; hit.pass.shorts = null; }
  const won = new Uint8Array(m);
  // who beat each entry: the encoded positions (position × 8 + rank) of entry i are
  // beatenEnc[beatenOff[i] .. beatenOff[i + 1] - 1]; their Sources are made when asked
  const beatenOff = new Int32Array(m + 1);
  const beatenEnc = new Int32Array(bNodes);
  entryRecords(refAt, winsAt, bHead, bNext, bEnc, won, beatenOff, beatenEnc);
  const shortCircuit = new Map<number, { accounts: AccountCase[]; by: Source | null; byRef: EntryRef | null }>();
  for (const p of shortSeq) shortCircuit.set(refAt[p]!, shortAt[p]!);
  if (shortSeq.length > 0) shortLog.index(shortSeq, n);
  // the tries' numbers are not asked for after this (hitOf, classPass and signature are done)
  giveIntern(sigTrie);
  giveIntern(trie);
  giveIntern(memoKeys);
  return itemAnalysis({
    an, key, exhaustive, classes, accounts: cases, indexes: refs, matchedCount, notAppliedCount, won, shortCircuit, clamps,
    ...keptParts({ an, key, lines, cases, hitAt, sources, fatalAt, beatenOff, beatenEnc }),
  });
}

/**
 * The parts of an ItemAnalysis that read the pass' data later (who beat an entry, the final
 * values per account), made outside analyseItem's scope: a closure made there would keep every
 * variable its closures share (the pass' per-line arrays, tries and memos: tens of bytes per
 * line of the item) for as long as the ItemAnalysis lives, that is until the tree's last file is
 * checked. These keep only what they read.
 */
function keptParts(x: {
  readonly an: Analysis;
  readonly key: ItemKey;
  readonly lines: PassLines;
  readonly cases: readonly AccountCase[];
  readonly hitAt: readonly Hit[];
  readonly sources: Map<number, Source>;
  readonly fatalAt: number;
  readonly beatenOff: Int32Array;
  readonly beatenEnc: Int32Array;
}): Pick<ItemAnalysis, 'beatenAt' | 'beatenCount' | 'beatenRef' | 'outcomeAt'> & { outcomesOf: () => AccountOutcome[] } {
  const { an, key, lines, cases, hitAt, sources, fatalAt, beatenOff, beatenEnc } = x;
  const resolved = new Map<string, Resolution>();
  const finalOf = (hit: Hit): Resolution => {
    if (hit.final) return hit.final;
    const cp = hit.pass;
    const id = hit.first.identity;
    const rk = `${cp.holdSoft}:${cp.holdSoft >= 0 ? hit.softRank : 0},${cp.holdHard}:${cp.holdHard >= 0 ? hit.hardRank : 0},${cp.stop},${id.uid === 0 ? 1 : 0}`;
    let fr = resolved.get(rk);
    if (!fr) resolved.set(rk, (fr = finalResolution(an, lines, fatalAt, cp, id)));
    return (hit.final = fr);
  };
  const outcomeAt = (i: number): AccountOutcome => outcomeOf(finalOf(hitAt[i]!), key, cases[i]!);
  const none: readonly Source[] = [];
  // the few entries asked about (a Map: an array by entry would cost a slot per entry of the item)
  const beatenSources = new Map<number, readonly Source[]>();
  return {
    outcomeAt,
    outcomesOf: () => cases.map((_, i) => outcomeAt(i)),
    beatenAt: (i) => {
      const from = beatenOff[i]!;
      const to = beatenOff[i + 1]!;
      if (from === to) return none;
      let b = beatenSources.get(i);
      if (b === undefined) beatenSources.set(i, (b = Array.from(beatenEnc.subarray(from, to), (enc) => sourceIn(sources, lines, enc >>> 3, enc & 7))));
      return b;
    },
    beatenCount: (i) => beatenOff[i + 1]! - beatenOff[i]!,
    beatenRef: (i, k) => lines.entry(beatenEnc[beatenOff[i]! + k]! >>> 3),
  };
}

/**
 * The accounts of the '-' lines' short-circuits (ItemAnalysis.shortCircuit), logged as the class
 * passes run: per pass (or class met again), its first account and the positions of the lines it
 * skipped. `index` turns the log into lists by line (one Int32Array pair); a line's accounts
 * are made when read, in the order of the log (the order the classes came), instead of one push
 * per line and class while the passes run.
 */
class ShortLog {
  readonly #firsts: AccountCase[] = [];
  #lists: Array<readonly number[]> = [];
  /** per short-circuit (its index in shortSeq): its log entries are ids[off[i] .. off[i + 1] - 1] */
  #off: Int32Array | null = null;
  #ids: Int32Array | null = null;

  #n = 0;

  add(first: AccountCase, skipped: readonly number[]): void {
    // (stores by index, not push: push inlined where only empty logs had been seen expected small
    // integers, and its deopt recompiled the whole class pass)
    this.#firsts[this.#n] = first;
    this.#lists[this.#n++] = skipped;
  }

  /** Index the log by short-circuit (`seq`: their positions, in the order made; n positions); the lists are dropped. */
  index(seq: readonly number[], n: number): void {
    const idx = new Int32Array(n);
    for (let i = 0; i < seq.length; i++) idx[seq[i]!] = i;
    const off = new Int32Array(seq.length + 1);
    const lists = this.#lists;
    for (const l of lists) for (let j = 0; j < l.length; j++) off[idx[l[j]!]! + 1]!++;
    for (let i = 0; i < seq.length; i++) off[i + 1]! += off[i]!;
    const ids = new Int32Array(off[seq.length]!);
    const fill = off.slice(0, seq.length);
    for (let k = 0; k < lists.length; k++) { const l = lists[k]!; for (let j = 0; j < l.length; j++) ids[fill[idx[l[j]!]!]!++] = k; }
    this.#off = off;
    this.#ids = ids;
    this.#lists = [];
  }

  /** the accounts of short-circuit i, in the order of the log */
  accounts(i: number): AccountCase[] {
    const off = this.#off!;
    const ids = this.#ids!;
    const out = new Array<AccountCase>(off[i + 1]! - off[i]!);
    for (let j = off[i]!, k = 0; j < off[i + 1]!; j++, k++) out[k] = this.#firsts[ids[j]!]!;
    return out;
  }
}

/**
 * An entry of ItemAnalysis.shortCircuit (the `i`-th made: its index in the ShortLog): its accounts
 * are read from the item's log when asked (then kept).
 */
class ShortCircuit {
  readonly #log: ShortLog;
  readonly #i: number;
  #accounts: AccountCase[] | undefined;
  constructor(log: ShortLog, i: number, readonly by: Source | null, readonly byRef: EntryRef | null) {
    this.#log = log;
    this.#i = i;
  }

  get accounts(): AccountCase[] { return (this.#accounts ??= this.#log.accounts(this.#i)); }
}

/** The Source resolveLimits gives for the line at position p (of `lines`) matched at `rank`, one object per pair (in `sources`). */
function sourceIn(sources: Map<number, Source>, lines: PassLines, p: number, rank: number): Source {
  const id = p * 8 + rank;
  let s = sources.get(id);
  if (!s) sources.set(id, (s = sourceOfRef(lines.entry(p), rank as Rank)));
  return s;
}

/**
 * Step 1 of analyseItem: the lines resolveLimits acts on for the item, in reading order, into
 * codes (entry index, or -1 - index in `stops`), refAt (index in refs, -1 for a stop) and dom
 * (local domain id, -1 for a stop); their domains into entrySpecs (by localDomain) and the facts'
 * domains into factDomains. Returns how many positions were written.
 */
function mergeLines(
  an: Analysis, refs: Int32Array, stops: readonly NoLimitRef[], fatalOrder: number, localDomain: Int32Array,
  entrySpecs: DomainSpec[], factDomains: DomainSpec[], refAt: Int32Array, dom: Int32Array, codes: Int32Array,
): number {
  const { domain: domainCol, domainSpecs, active: activeCol } = an.columns;
  const seenFact = new Uint8Array(domainSpecs.length);
  // merge by reading order (both lists are in it)
  let j = 0;
  let n = 0;
  for (let i = 0; i < refs.length; i++) {
    const x = refs[i]!;
    const order = an.orderAt(x);
    if (activeCol[x] !== 1) continue;
    const d = domainCol[x]!;
    if (seenFact[d] === 0) { seenFact[d] = 1; factDomains.push(domainSpecs[d]!); }
    if (order >= fatalOrder) continue;
    while (j < stops.length && stops[j]!.order < order) { refAt[n] = -1; dom[n] = -1; codes[n++] = -1 - j++; }
    let ld = localDomain[d]!;
    if (ld < 0) { localDomain[d] = ld = entrySpecs.length; entrySpecs.push(domainSpecs[d]!); }
    refAt[n] = i;
    dom[n] = ld;
    codes[n++] = x;
  }
  while (j < stops.length) { refAt[n] = -1; dom[n] = -1; codes[n++] = -1 - j++; }
  return n;
}

/**
 * The kind and reading order of each position (and maxlogins, for the login slot), from the flags
 * column; a `<domain> -` line's dom becomes its index in noLimitSpecs. `mode`: T_SLOT (the login
 * slot), T_UNRANKED, or T_SOFT for a ranked rlimit (then soft, hard or `-` by the line's type).
 */
function lineKinds(
  an: Analysis, codes: Int32Array, stops: readonly NoLimitRef[], mode: number, orderAt: Int32Array, kind: Uint8Array,
  percentOk: Uint8Array, dom: Int32Array, noLimitSpecs: DomainSpec[],
): void {
  const flagCol = an.columns.flags;
  for (let p = 0; p < codes.length; p++) {
    const code = codes[p]!;
    if (code < 0) {
      const x = stops[-1 - code]!;
      orderAt[p] = x.order;
      kind[p] = T_STOP;
      dom[p] = noLimitSpecs.length;
      noLimitSpecs.push(x.reading.domainSpec);
      continue;
    }
    orderAt[p] = an.orderAt(code);
    // from the flags column (one read of each reading for the whole analysis, Analysis.columns)
    const fl = flagCol[code]!;
    if (mode === T_SLOT) { percentOk[p] = fl & E_MAXLOGINS ? 1 : 0; kind[p] = T_SLOT; }
    else if (mode === T_UNRANKED) kind[p] = T_UNRANKED;
    else kind[p] = fl & E_SOFT ? T_SOFT : fl & E_HARD ? T_HARD : T_DASH;
  }
}

/**
 * The lines of an item's pass by position: an entry index of the Analysis, or a `<domain> -`
 * line (-1 - its index in `stops`); a reference is made when asked for (no array of objects per
 * position kept with the item's analysis).
 */
class PassLines {
  constructor(readonly an: Analysis, readonly codes: Int32Array, readonly stops: readonly NoLimitRef[]) {}

  /** the line at position p (an entry or a `<domain> -` line) */
  at(p: number): EntryRef | NoLimitRef {
    const c = this.codes[p]!;
    return c >= 0 ? this.an.refAt(c) : this.stops[-1 - c]!;
  }

  /** the entry at position p (not a stop) */
  entry(p: number): EntryRef {
    return this.an.refAt(this.codes[p]!);
  }
}

/**
 * A class's final values: resolveLimits on the lines that hold them (and the `<domain> -`
 * line that stopped it), each in its own file, in reading order; a file pam_limits cannot read
 * is kept where it is. The holders set the same halves there: nothing between them outranked
 * them in the whole tree, and a line the holders replaced leaves no trace in the values.
 */
function finalResolution(an: Analysis, lines: PassLines, fatalAt: number, c: ClassPass, identity: Identity): Resolution {
  const { tree, profile } = an.options;
  const keep = [...new Set([c.holdSoft, c.holdHard, c.stop].filter((p) => p >= 0))].sort((a, b) => a - b);
  const byFile = new Map<TreeFile, Map<Line, Set<number>>>();
  for (const p of keep) {
    const x = lines.at(p);
    let m = byFile.get(x.file);
    if (!m) byFile.set(x.file, (m = new Map()));
    let chunks = m.get(x.line);
    if (!chunks) m.set(x.line, (chunks = new Set()));
    chunks.add(x.chunk);
  }
  // the kept lines' files are in reading order (positions are) and all before the file pam_limits
  // cannot read, which comes last: no walk of every file of the tree per class
  const kept: TreeFile[] = [...byFile.keys()];
  if (fatalAt >= 0) kept.push(tree.files[fatalAt]!);
  const files = kept.map((f) => {
    const m = byFile.get(f);
    if (!m || !f.doc) return f;
    // only the kept readings of each line (the others blank), so chunk numbers stay as they are
    const docLines = [...m].map(([line, chunks]) => ({
      ...line,
      readings: line.readings.map((r, i): Reading => (chunks.has(i) ? r : { kind: 'blank', span: r.span, comment: null })),
    }));
    return { ...f, doc: { ...f.doc, lines: docLines } };
  });
  return resolveLimits({ ...tree, files }, identity, { profile, nrOpen: an.options.nrOpen, events: 'matched' });
}

/** What analyseItem hands ItemResult: the per-entry arrays and the parts read later. */
type ItemParts = Omit<ItemAnalysis, 'matched' | 'wins' | 'beatenBy' | 'notApplied' | 'outcomes' | 'entries' | 'count' | 'indexAt' | 'refAt' | 'readingAt' | 'orderAt' | 'fileAt'> & {
  readonly an: Analysis;
  /** the item's entry indexes (Analysis.itemIndexes) */
  readonly indexes: Int32Array;
  outcomesOf: () => AccountOutcome[];
};

/**
 * The ItemAnalysis of per-entry arrays; its maps by entry key (matched, wins, beatenBy,
 * notApplied: for tests and callers off the hot path) and the outcomes per account (which resolve
 * the final values of the classes not yet resolved) are built on first use.
 */
function itemAnalysis(x: ItemParts): ItemAnalysis {
  return new ItemResult(x);
}

/** An ItemAnalysis: its parts as fields (no copy of them into a literal with getters per item), the maps made when read. */
class ItemResult implements ItemAnalysis {
  readonly key: ItemKey;
  readonly exhaustive: boolean;
  readonly classes: number;
  readonly accounts: readonly AccountCase[];
  readonly matchedCount: Uint32Array;
  readonly notAppliedCount: Uint32Array;
  readonly won: Uint8Array;
  readonly shortCircuit: ItemAnalysis['shortCircuit'];
  readonly clamps: ItemAnalysis['clamps'];
  readonly beatenAt: ItemAnalysis['beatenAt'];
  readonly beatenCount: ItemAnalysis['beatenCount'];
  readonly beatenRef: ItemAnalysis['beatenRef'];
  readonly outcomeAt: ItemAnalysis['outcomeAt'];
  readonly #an: Analysis;
  readonly #indexes: Int32Array;
  readonly #outcomesOf: () => AccountOutcome[];
  #entries: EntryRef[] | undefined;
  #matched: Map<string, number> | undefined;
  #notApplied: Map<string, number> | undefined;
  #wins: Set<string> | undefined;
  #beatenBy: Map<string, Map<string, Source>> | undefined;
  #outcomes: AccountOutcome[] | undefined;

  constructor(x: ItemParts) {
    this.key = x.key;
    this.exhaustive = x.exhaustive;
    this.classes = x.classes;
    this.accounts = x.accounts;
    this.#an = x.an;
    this.#indexes = x.indexes;
    this.matchedCount = x.matchedCount;
    this.notAppliedCount = x.notAppliedCount;
    this.won = x.won;
    this.shortCircuit = x.shortCircuit;
    this.clamps = x.clamps;
    this.beatenAt = x.beatenAt;
    this.beatenCount = x.beatenCount;
    this.beatenRef = x.beatenRef;
    this.outcomeAt = x.outcomeAt;
    this.#outcomesOf = x.outcomesOf;
  }

  get count(): number { return this.#indexes.length; }
  indexAt(i: number): number { return this.#indexes[i]!; }
  refAt(i: number): EntryRef { return this.#an.refAt(this.#indexes[i]!); }
  readingAt(i: number): EntryReading { return this.#an.readingAt(this.#indexes[i]!); }
  orderAt(i: number): number { return this.#an.orderAt(this.#indexes[i]!); }
  fileAt(i: number): TreeFile { return this.#an.fileAt(this.#indexes[i]!); }

  get entries(): readonly EntryRef[] {
    return (this.#entries ??= Array.from(this.#indexes, (x) => this.#an.refAt(x)));
  }

  #counts(a: Uint32Array): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < a.length; i++) if (a[i]! > 0) out.set(entryKey(this.refAt(i)), a[i]!);
    return out;
  }

  get outcomes(): readonly AccountOutcome[] { return (this.#outcomes ??= this.#outcomesOf()); }
  get matched(): ReadonlyMap<string, number> { return (this.#matched ??= this.#counts(this.matchedCount)); }
  get notApplied(): ReadonlyMap<string, number> { return (this.#notApplied ??= this.#counts(this.notAppliedCount)); }
  get wins(): ReadonlySet<string> {
    if (!this.#wins) {
      const w = new Set<string>();
      for (let i = 0; i < this.won.length; i++) if (this.won[i]) w.add(entryKey(this.refAt(i)));
      this.#wins = w;
    }
    return this.#wins;
  }

  get beatenBy(): ReadonlyMap<string, Map<string, Source>> {
    if (!this.#beatenBy) {
      const m = new Map<string, Map<string, Source>>();
      for (let i = 0; i < this.count; i++) {
        const b = this.beatenAt(i);
        if (b.length) m.set(entryKey(this.refAt(i)), new Map(b.map((s) => [sourceKey(s), s])));
      }
      this.#beatenBy = m;
    }
    return this.#beatenBy;
  }
}

/** The Source the resolver gives for this entry matched at `rank` (resolve.ts sourceOf). */
function sourceOfRef(e: EntryRef, rank: Rank): Source {
  const r = e.reading;
  const s: Source = { file: e.file.path, line: e.line.index + 1, domain: r.domain.raw, rank, type: r.typeText, value: r.value.raw };
  return e.line.readings.length > 1 ? { ...s, chunk: e.chunk } : s;
}

/** The first domain of each text (the facts depend on the domain only). */
function uniqueDomains(domains: readonly DomainSpec[]): DomainSpec[] {
  const seen = new Set<string>();
  const out: DomainSpec[] = [];
  for (const d of domains) {
    if (seen.has(d.text)) continue;
    seen.add(d.text);
    out.push(d);
  }
  return out;
}

export function outcomeOf(res: Resolution, key: ItemKey, account: AccountCase): AccountOutcome {
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
 * The domains of `specs` that match by name alone, by that name: a plain name (`alice`: only an
 * account of that name), `@g` and `%g` without a range (membership of the group named g, or the
 * account's own name), as matchEntryDomain and matchNoLimitDomain read them; `other` lists the
 * rest (`*`, `%`, ranges, gids, invalid domains), which are asked one by one.
 */
interface DomainIndex {
  /** index of every domain by its whole text, for the account-name rule */
  readonly name: Map<string, number[]>;
  /** `@g` (no range) by g */
  readonly at: Map<string, number[]>;
  /** `%g` (no range) by g */
  readonly percent: Map<string, number[]>;
  /** the domains found through the maps (their default is "no match") */
  readonly byName: number[];
  readonly other: number[];
}

function indexDomains(specs: readonly DomainSpec[]): DomainIndex {
  const x: DomainIndex = { name: new Map(), at: new Map(), percent: new Map(), byName: [], other: [] };
  const add = (m: Map<string, number[]>, k: string, i: number) => { const l = m.get(k); if (l) l.push(i); else m.set(k, [i]); };
  specs.forEach((d, i) => {
    const c0 = d.text.charCodeAt(0);
    const byName = d.kind !== 'invalid' && d.range.form === 'none' && d.text !== '*' && d.text !== '%';
    if (!byName) { x.other.push(i); return; }
    x.byName.push(i);
    add(x.name, d.text, i);
    if (c0 === 0x40 /* @ */) add(x.at, d.text.slice(1), i);
    else if (c0 === 0x25 /* % */) add(x.percent, d.text.slice(1), i);
  });
  return x;
}

/**
 * Lines per group, in reading order: group g's positions are pos[off[g]] .. pos[off[g + 1] - 1].
 * `cur[g]` is where the last search in group g ended (nextIn, lastIn): a class pass asks about its
 * live lines in reading order, so the next answer is usually a step or two further on.
 */
interface GroupLists {
  readonly off: Int32Array;
  readonly pos: Int32Array;
  readonly cur: Int32Array;
}

/**
 * The match counts of each entry (matchedCount, notAppliedCount by index in refs): the running
 * sums of each group's difference arrays (diffM, diffN: group g's line i at i + g) over its lines.
 */
function sumCounts(all: GroupLists, diffM: Float64Array, diffN: Float64Array, refAt: Int32Array, matchedCount: Uint32Array, notAppliedCount: Uint32Array): void {
  const G = all.off.length - 1;
  for (let g = 0; g < G; g++) {
    let a = 0;
    let b = 0;
    for (let i = all.off[g]!, to = all.off[g + 1]!; i < to; i++) {
      a += diffM[i + g]!;
      b += diffN[i + g]!;
      const r = refAt[all.pos[i]!]!;
      if (r < 0) continue;
      matchedCount[r] = a;
      notAppliedCount[r] = b;
    }
  }
}

/**
 * Per entry (by index in refs): won, from winsAt by position, and who beat it, from the pool's
 * lists by position (head bHead[p], next bNext, value bEnc), into beatenEnc from beatenOff[i].
 */
function entryRecords(
  refAt: Int32Array, winsAt: Uint8Array, bHead: Int32Array, bNext: Int32Array, bEnc: Int32Array, won: Uint8Array,
  beatenOff: Int32Array, beatenEnc: Int32Array,
): void {
  const m = won.length;
  const atRef = new Int32Array(m).fill(-1);
  for (let p = 0; p < refAt.length; p++) {
    const i = refAt[p]!;
    if (i < 0) continue;
    won[i] = winsAt[p]!;
    atRef[i] = p;
  }
  let k = 0;
  for (let i = 0; i < m; i++) {
    beatenOff[i] = k;
    const p = atRef[i]!;
    if (p >= 0) for (let x = bHead[p]!; x >= 0; x = bNext[x]!) beatenEnc[k++] = bEnc[x]!;
  }
  beatenOff[m] = k;
}

/** Each line's group (groupOf; the keys, dom × 2 + percentOk, in groupOfKey) and each stop's position (stopPos); returns how many groups. */
function groupsOf(kind: Uint8Array, dom: Int32Array, percentOk: Uint8Array, groupOfKey: Int32Array, groupOf: Int32Array, stopPos: Int32Array): number {
  let G = 0;
  for (let p = 0; p < kind.length; p++) {
    if (kind[p] === T_STOP) { stopPos[dom[p]!] = p; continue; }
    const gk = dom[p]! * 2 + percentOk[p]!;
    if (groupOfKey[gk]! < 0) groupOfKey[gk] = G++;
    groupOf[p] = groupOfKey[gk]!;
  }
  return G;
}

/** The L_* bits of each position: every line, soft-touching or hard, `-`, live (an entry not in deadAt, by order). */
function listBitsOf(kind: Uint8Array, refAt: Int32Array, orderAt: Int32Array, deadAt: Uint8Array, bits: Uint8Array): void {
  for (let p = 0; p < kind.length; p++) {
    const k = kind[p]!;
    bits[p] = L_ALL | (k !== T_HARD ? L_SOFT_T : L_HARD) | (k === T_DASH ? L_DASH : 0) | (refAt[p]! >= 0 && deadAt[orderAt[p]!] === 0 ? L_LIVE : 0);
  }
}

/** groupLists' lists: every line, lines touching the soft half, hard lines, `-` lines, live lines. */
const L_ALL = 1;
const L_SOFT_T = 2;
const L_HARD = 4;
const L_DASH = 8;
const L_LIVE = 16;

/** The positions p with `bits[p] & mask` of each group (groupOf[p]; -1: none), as GroupLists. */
function groupLists(groupOf: Int32Array, groups: number, bits: Uint8Array, mask: number): GroupLists {
  const off = new Int32Array(groups + 1);
  countGroups(groupOf, bits, mask, off);
  const pos = new Int32Array(off[groups]!);
  fillGroups(groupOf, bits, mask, off.slice(0, groups), pos);
  return { off, pos, cur: off.slice(0, groups) };
}

/** groupLists' offsets: off[g + 1] = how many positions of groups up to g have `bits & mask`. */
function countGroups(groupOf: Int32Array, bits: Uint8Array, mask: number, off: Int32Array): void {
  for (let p = 0; p < groupOf.length; p++) if (groupOf[p]! >= 0 && bits[p]! & mask) off[groupOf[p]! + 1]!++;
  for (let g = 1; g < off.length; g++) off[g]! += off[g - 1]!;
}

/** groupLists' positions, each group's from fill[g] on (fill moves). */
function fillGroups(groupOf: Int32Array, bits: Uint8Array, mask: number, fill: Int32Array, pos: Int32Array): void {
  for (let p = 0; p < groupOf.length; p++) if (groupOf[p]! >= 0 && bits[p]! & mask) pos[fill[groupOf[p]!]!++] = p;
}

/** Sort a[0 .. length - 1] ascending in place (insertion sort; a comparator sort beyond 16). */
function sortSmall(a: number[], length: number): void {
  if (length > 16) {
    const sorted = a.slice(0, length).sort((x, y) => x - y);
    for (let i = 0; i < length; i++) a[i] = sorted[i]!;
    return;
  }
  for (let i = 1; i < length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) { a[j + 1] = a[j]!; j--; }
    a[j + 1] = v;
  }
}

/** Sort a[from .. to - 1] ascending in place (insertion sort: a class's groups of one rank). */
function sortRun(a: Int32Array, from: number, to: number): void {
  if (to - from > 32) { a.subarray(from, to).sort(); return; }
  for (let i = from + 1; i < to; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > v) { a[j + 1] = a[j]!; j--; }
    a[j + 1] = v;
  }
}

/** The first index i in [lo, hi) with pos[i] >= x (hi: none). */
function lowerBound(pos: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pos[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * The first index i of group g's lines in `l` with pos[i] >= x, searched from where the group's
 * last search ended (l.cur[g], which it moves): a gallop forward when x is beyond it (a few steps
 * when the asks come in reading order), a binary search behind it otherwise.
 */
function seek(l: GroupLists, g: number, x: number): number {
  const pos = l.pos;
  const lo = l.off[g]!;
  const hi = l.off[g + 1]!;
  if (lo === hi || pos[lo]! >= x) return lo; // (the cursor stays: the pass' first-line asks)
  let c = l.cur[g]!;
  let i: number;
  if (c > lo && pos[c - 1]! >= x) i = lowerBound(pos, lo, c, x);
  else {
    // every index below c holds a line before x
    let b = c;
    let step = 1;
    while (b < hi && pos[b]! < x) { c = b + 1; b += step; step += step; }
    i = lowerBound(pos, c, b < hi ? b : hi, x);
  }
  l.cur[g] = i;
  return i;
}

/** The first line of group g in `l` after position `after` and before `lim`, else `none`. */
function nextIn(l: GroupLists, g: number, after: number, lim: number, none: number): number {
  const i = seek(l, g, after + 1);
  return i < l.off[g + 1]! && l.pos[i]! < lim ? l.pos[i]! : none;
}

/** The last line of group g in `l` before position `lim`, else -1. */
function lastIn(l: GroupLists, g: number, lim: number): number {
  const i = seek(l, g, lim);
  return i > l.off[g]! ? l.pos[i - 1]! : -1;
}
