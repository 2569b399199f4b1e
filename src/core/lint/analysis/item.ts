/**
 * The per-item analysis: the resolver (resolveLimits) run for each account class on a view of the
 * tree that holds only the lines of one item (plus `<domain> -` lines), and who won and who beat
 * whom, read from its event log.
 *
 * Pure.
 */
import type { Identity } from '../../accounts.js';
import type { DomainSpec } from '../../domain.js';
import type { ConfigTree, Line, TreeFile } from '../../model.js';
import { type LineEvent, matchEntryDomain, matchNoLimitDomain, type Resolution, resolveLimits, type Source } from '../../resolve.js';
import { type ItemName, type Profile, RANK, type Rank, type RlimitItem } from '../../schema.js';
import type { Analysis } from '../analysis.js';
import { classCount, collectFacts, enumerateAccounts, witness } from './accounts.js';
import type { EntryRef, NoLimitRef } from './types.js';
import {
  type AccountCase, type AccountOutcome, FRESH, type ItemAnalysis, type ItemKey, itemKeyOf, sourceKey,
} from './types.js';

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
export interface EventRecord {
  readonly matched: string[];
  readonly notApplied: string[];
  readonly wins: string[];
  readonly beaten: Array<[string, Source]>;
  readonly short: Array<[string, Source | null]>;
  /** wins and beaten are merged once per class */
  merged: boolean;
}

/**
 * The line that really beat `e` for the half, given the one the event log names (`by`: the
 * holder before `e`, or the next line to set the half after it): the log of a view that leaves
 * out dead lines names a kept line where a left-out one came in between.
 */
type Attribute = (kind: 'before' | 'next', half: 'soft' | 'hard', e: LineEvent, by: LineEvent) => Source;

/**
 * Who won and who beat whom, from a resolution's event log, in one pass (the same reading of the
 * log as explainItem, without its per-line search).
 */
export function recordEvents(res: Resolution, key: ItemKey, attribute?: Attribute): EventRecord {
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
      const seen = (kind: 'before' | 'next', h: 'soft' | 'hard', x: LineEvent | undefined | null): Source | null =>
        (x ? (attribute ? attribute(kind, h, e, x) : x.source) : null);
      if (o === 'set') {
        if (holder[half] === e) { out.wins.push(k); continue; }
        by = seen('next', half, next.get(e)?.[half]);
      } else if (o === 'outranked') {
        by = seen('before', half, before.get(e)?.[half]);
      } else if (o === 'short-circuit') {
        by = seen('before', 'soft', before.get(e)?.soft);
        out.short.push([k, by]);
      }
      if (by) out.beaten.push([k, by]);
    }
  }
  return out;
}

/** The class's winners and losers, once per class (the same for every account of it). */
function mergeRecord(rec: EventRecord, c: AccountCase, out: Sinks): void {
  if (rec.merged) return;
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

/**
 * May removing entry `e` (dead: a later line of its group always replaces its value) change what
 * any other line does? Only through the slot ranks its halves hold, and those are already held
 * at the same rank when an earlier valid line of the same group (same domain text, so the same
 * accounts at the same rank) covers every half `e` can set:
 *  - priority, nonewprivs, chroot keep no rank: never;
 *  - the login slot: any earlier line of the group;
 *  - soft: an earlier soft or `-`; hard: an earlier hard;
 *  - `-`: an earlier soft or `-` (then its soft is set at the same rank or outranked — and then
 *    its hard half is skipped) and an earlier hard or `-` (a `-` that reached its hard half; one
 *    that did not had its soft outranked, and so has `e`'s).
 * A `%` line is only a cover for the login slot (pam_limits skips it for every other item).
 */
interface Cover { soft: boolean; hard: boolean; any: boolean }

function redundant(e: EntryRef, cover: Cover): boolean {
  const r = e.reading;
  const info = r.itemInfo!;
  if (!info.ranked) return true;
  if (itemKeyOf(info) === 'logins') return cover.any;
  if (r.limitType === 'soft') return cover.soft;
  if (r.limitType === 'hard') return cover.hard;
  if (r.limitType === '-') return cover.soft && cover.hard;
  return false;
}

function addCover(e: EntryRef, cover: Cover): void {
  const r = e.reading;
  if (r.problem) return;
  cover.any = true;
  if (r.domain.raw.startsWith('%') && itemKeyOf(r.itemInfo!) !== 'logins') return;
  if (r.limitType === 'soft' || r.limitType === '-') cover.soft = true;
  if (r.limitType === 'hard' || r.limitType === '-') cover.hard = true;
}

export function analyseItem(an: Analysis, key: ItemKey): ItemAnalysis {
  const { tree, profile, accounts, nrOpen, policy, budget } = an.options;
  const refs = an.itemEntries(key);
  const dead = an.dead();

  // 1. The lines that can matter: every entry of the item except the dead lines an earlier line
  //    of their group already covers (they change no rank, so no other line's outcome, and their
  //    own value is always replaced), and the first valid `<domain> -` line of each domain (a
  //    later one stops only accounts the first already stopped).
  //    A dead line with a `<domain> -` line between it and the line that replaces it is kept:
  //    an account that line stops keeps the dead line's value (not applied, but reported).
  const firstNoLimit = new Map<string, NoLimitRef>();
  for (const n of an.nolimits) if (!n.reading.problem && !firstNoLimit.has(n.reading.domain.raw)) firstNoLimit.set(n.reading.domain.raw, n);
  const stops = [...firstNoLimit.values()].map((n) => n.order).sort((a, b) => a - b);
  const stopBetween = (from: number, to: number): boolean => {
    let lo = 0;
    let hi = stops.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (stops[mid]! <= from) lo = mid + 1; else hi = mid; }
    return lo < stops.length && stops[lo]! < to;
  };
  const covers = new Map<string, Cover>();
  const removed: EntryRef[] = [];
  const keptRefs: EntryRef[] = [];
  for (const e of refs) {
    const gk = `${e.reading.domain.raw}\0${e.reading.itemText}`;
    let cover = covers.get(gk);
    if (!cover) covers.set(gk, (cover = { soft: false, hard: false, any: false }));
    const d = dead.get(e.key);
    if (d && redundant(e, cover) && !stopBetween(e.order, d.by.order)) removed.push(e);
    else keptRefs.push(e);
    addCover(e, cover);
  }

  // 2. Distinct domains, each matched once per account (the signature of its class).
  const entryDomains = new Map<string, number>();
  const entrySpecs: DomainSpec[] = [];
  const noLimitDomains = new Map<string, number>();
  const noLimitSpecs: DomainSpec[] = [];
  for (const e of keptRefs) {
    if (!entryDomains.has(e.reading.domain.raw)) { entryDomains.set(e.reading.domain.raw, entrySpecs.length); entrySpecs.push(e.reading.domainSpec); }
  }
  for (const n of firstNoLimit.values()) { noLimitDomains.set(n.reading.domain.raw, noLimitSpecs.length); noLimitSpecs.push(n.reading.domainSpec); }
  const signature = (id: Identity): string => {
    let sig = '';
    for (const d of entrySpecs) { const m = matchEntryDomain(d, id, profile); sig += m ? String(m.rank) : '.'; }
    for (const d of noLimitSpecs) sig += matchNoLimitDomain(d, id) ? 'n' : '.';
    return sig;
  };

  // the view's lines, in reading order, each with the domain indexes that keep it in a class's view
  const ordered: Array<{ file: TreeFile; line: Line; entry: number[]; nolimit: number[]; order: number }> = [];
  {
    const items: Array<{ file: TreeFile; line: Line; order: number; entry?: number; nolimit?: number }> = [
      ...keptRefs.map((r) => ({ file: r.file, line: r.line, order: r.order, entry: entryDomains.get(r.reading.domain.raw)! })),
      ...[...firstNoLimit.values()].map((r) => ({ file: r.file, line: r.line, order: r.order, nolimit: noLimitDomains.get(r.reading.domain.raw)! })),
    ].sort((a, b) => a.order - b.order);
    for (const x of items) {
      let last = ordered[ordered.length - 1];
      if (!last || last.line !== x.line || last.file !== x.file) ordered.push((last = { file: x.file, line: x.line, entry: [], nolimit: [], order: x.order }));
      if (x.entry !== undefined) last.entry.push(x.entry);
      if (x.nolimit !== undefined) last.nolimit.push(x.nolimit);
    }
  }
  const viewFor = (sig: string): ConfigTree => {
    const lines = new Map<TreeFile, Line[]>();
    const nE = entrySpecs.length;
    for (const x of ordered) {
      if (x.entry.some((i) => sig.charCodeAt(i) !== 0x2e) || x.nolimit.some((i) => sig.charCodeAt(nE + i) === 0x6e)) push(lines, x.file, x.line);
    }
    return filteredTree(tree, lines);
  };

  // 3. The accounts: the tree's own, and every combination of the facts the lines test.
  const real = an.realAccounts;
  const realNames = new Set(real.map((a) => a.identity.name));
  const domains: DomainSpec[] = [
    ...refs.filter((r) => !r.reading.problem || r.reading.problem.code === 'percent-domain').map((r) => r.reading.domainSpec),
    ...an.nolimits.map((n) => n.reading.domainSpec),
    ...policy.entries.filter((p) => itemKeyOf(p.item) === key).map((p) => p.domain),
  ];
  const facts = collectFacts(uniqueDomains(domains), accounts?.db ?? null, realNames);
  const classes = classCount(facts);
  const exhaustive = classes <= Math.max(1, budget);
  let cases: AccountCase[];
  if (exhaustive) {
    cases = [...real, ...enumerateAccounts(facts)];
  } else {
    // too many combinations of group memberships: every real account, and one simple witness
    // per domain; the claims that need every combination are not made (never-wins says so)
    cases = [...real];
    const seen = new Set<string>();
    cases.push({ identity: { name: FRESH, uid: 1000, gid: 1000, groups: [] }, real: false });
    if (!realNames.has('root')) cases.push({ identity: { name: 'root', uid: 0, gid: 0, groups: [] }, real: false });
    for (const d of domains) {
      if (seen.has(d.text)) continue;
      seen.add(d.text);
      if (d.kind === 'user' && realNames.has(d.text)) continue;
      const w = witness(d, accounts?.db ?? null);
      if (w) cases.push(w);
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

  // 4. Accounts that match the same domains at the same ranks get the same result: resolve one
  //    of each class, on the view of the lines it matches, and share its result.
  const shared = new Map<string, { res: Resolution; record: EventRecord; accounts: number }>();
  const attribution = removed.length > 0 ? leftOutAttribution(key, removed, keptRefs, entryDomains, tree, profile, nrOpen) : null;
  for (const c of cases) {
    const sig = signature(c.identity);
    let hit = shared.get(sig);
    if (!hit) {
      const res = resolveLimits(viewFor(sig), c.identity, { profile, nrOpen, events: 'matched' });
      hit = { res, record: recordEvents(res, key, attribution?.(res, sig)), accounts: 0 };
      shared.set(sig, hit);
    }
    hit.accounts++;
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
  // match counts: each class's lines, once per account of the class
  for (const { record, accounts: n } of shared.values()) {
    for (const k of record.matched) matched.set(k, (matched.get(k) ?? 0) + n);
    for (const k of record.notApplied) notApplied.set(k, (notApplied.get(k) ?? 0) + n);
  }
  // 5. The lines left out: dead, so they match whom the line that replaces them matches (later
  //    first, so that a line replaced by a left-out line gets that line's counts).
  for (let i = removed.length - 1; i >= 0; i--) {
    const e = removed[i]!;
    const by = dead.get(e.key)!.by.key;
    const m = matched.get(by);
    if (m !== undefined) matched.set(e.key, m);
    const n = notApplied.get(by);
    if (n !== undefined) notApplied.set(e.key, n);
  }
  return { key, exhaustive, classes, accounts: cases, matched, wins, beatenBy, notApplied, shortCircuit, clamps, outcomes };
}

/**
 * For one class (its resolution on the view, and its signature: the rank at which it matches
 * each domain), the lines that beat a line in the *whole* tree, where the view's event log names
 * a kept line. Left-out lines change no rank (see `redundant`), so the view's ranks are the
 * whole tree's at every point, and a left-out line L of the class sets a half exactly when
 * pam_limits' own test passes there: the half's rank at L is not stronger than L's rank (for a
 * `-` line's hard half, the soft half's too), and L's domain is not `%` outside maxlogins. The
 * holder before `e` is then the last such left-out line between the logged holder and `e`, the
 * next line to set after `e` the first such line between `e` and the logged next one.
 */
function leftOutAttribution(
  key: ItemKey, removed: readonly EntryRef[], kept: readonly EntryRef[], entryDomains: ReadonlyMap<string, number>,
  tree: ConfigTree, profile: Profile, nrOpen: bigint,
): (res: Resolution, sig: string) => Attribute {
  const ranked = key !== 'priority' && key !== 'nonewprivs' && key !== 'chroot';
  // per domain, the left-out lines by the halves they try: `soft` (soft and `-`; every line for
  // the single-slot items), `hard` (hard), `dash` (`-`, whose hard half depends on its soft one)
  interface Lists { soft: EntryRef[]; hard: EntryRef[]; dash: EntryRef[]; all: EntryRef[] }
  const byDomain = new Map<number, Lists>();
  for (const e of removed) {
    const d = entryDomains.get(e.reading.domain.raw)!;
    let l = byDomain.get(d);
    if (!l) byDomain.set(d, (l = { soft: [], hard: [], dash: [], all: [] }));
    l.all.push(e);
    const t = e.reading.limitType;
    if (!ranked || key === 'logins' || t === 'soft' || t === '-') l.soft.push(e);
    if (ranked && key !== 'logins' && t === 'hard') l.hard.push(e);
    if (ranked && key !== 'logins' && t === '-') l.dash.push(e);
  }
  const orderOf = new Map<string, number>();
  for (const e of kept) orderOf.set(e.key, e.order);
  for (const e of removed) orderOf.set(e.key, e.order);
  // the starting ranks (the resolver on no lines: they depend on the profile, not the account)
  let initial: { soft: Rank; hard: Rank } | null = null;
  /** index of the first line after `order` */
  const after = (lines: readonly EntryRef[], order: number): number => {
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (lines[mid]!.order <= order) lo = mid + 1; else hi = mid; }
    return lo;
  };
  return (res, sig) => {
    if (!initial) {
      const start = resolveLimits({ ...tree, files: [] }, res.identity, { profile, nrOpen, events: 'matched' });
      initial = key === 'logins' ? { soft: start.logins.rank, hard: start.logins.rank }
        : ranked ? { soft: start.rlimits[key as RlimitItem].soft.rank, hard: start.rlimits[key as RlimitItem].hard.rank } : { soft: RANK.NONE, hard: RANK.NONE };
    }
    const init = initial;
    // then each half's rank after every set
    const sets = { soft: [] as Array<[number, Rank]>, hard: [] as Array<[number, Rank]> };
    for (const ev of res.events) {
      if (!ev.matched || ev.skipped || !inItem(ev.item, key)) continue;
      const o = orderOf.get(sourceKey(ev.source));
      if (o === undefined) continue;
      if (ev.soft === 'set') sets.soft.push([o, ev.rank!]);
      if (ev.hard === 'set') sets.hard.push([o, ev.rank!]);
    }
    const rankAt = (half: 'soft' | 'hard', order: number): Rank => {
      const list = sets[half];
      let lo = 0;
      let hi = list.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid]![0] < order) lo = mid + 1; else hi = mid; }
      return lo === 0 ? init[half] : list[lo - 1]![1];
    };
    // the left-out lines this class matches, with the rank it matches them at
    const lists: Array<{ lines: Lists; rank: Rank }> = [];
    for (const [d, lines] of byDomain) {
      const ch = sig.charCodeAt(d);
      if (ch !== 0x2e) lists.push({ lines, rank: (ch - 0x30) as Rank });
    }
    const percent = (rank: Rank) => rank === RANK.ALL || rank === RANK.ALLGROUP;
    /** does left-out line `l`, matched at `rank`, set the half (pam_limits' own tests)? */
    const setsHalf = (l: EntryRef, rank: Rank, half: 'soft' | 'hard'): boolean => {
      if (percent(rank) && l.reading.itemInfo!.name !== 'maxlogins') return false;
      if (!ranked) return half === 'soft';
      if (key === 'logins' || half === 'soft') return !(rankAt('soft', l.order) < rank);
      if (l.reading.limitType === 'hard') return !(rankAt('hard', l.order) < rank);
      return !(rankAt('soft', l.order) < rank) && !(rankAt('hard', l.order) < rank);
    };
    return (kind, half, e, by) => {
      const eo = orderOf.get(sourceKey(e.source))!;
      const bo = orderOf.get(sourceKey(by.source))!;
      // the window: (holder, e) before, (e, next setter) after; in it the half's rank stays that
      // of the holder (before) or of e (after), so only lines matched at that rank can set it
      const lo = kind === 'before' ? bo : eo;
      const hi = kind === 'before' ? eo : bo;
      const target = kind === 'before' ? by.rank : e.rank;
      let best: { line: EntryRef; rank: Rank } | null = null;
      const better = (l: EntryRef) => !best || (kind === 'before' ? l.order > best.line.order : l.order < best.line.order);
      /** the nearest line of `lines` in the window that sets the half (scanning from the near end) */
      const nearest = (lines: readonly EntryRef[], rank: Rank, check: boolean) => {
        const i0 = after(lines, lo);
        const i1 = after(lines, hi - 1); // lines[i0..i1) lie in (lo, hi)
        if (kind === 'before') {
          for (let i = i1 - 1; i >= i0; i--) {
            const l = lines[i]!;
            if (!better(l)) return;
            if (!check || setsHalf(l, rank, half)) { best = { line: l, rank }; return; }
          }
        } else {
          for (let i = i0; i < i1; i++) {
            const l = lines[i]!;
            if (!better(l)) return;
            if (!check || setsHalf(l, rank, half)) { best = { line: l, rank }; return; }
          }
        }
      };
      for (const { lines, rank } of lists) {
        if (ranked && rank !== target) continue;
        if (percent(rank)) { nearest(lines.all, rank, true); continue; }
        if (!ranked || key === 'logins' || half === 'soft') nearest(lines.soft, rank, false);
        else { nearest(lines.hard, rank, false); nearest(lines.dash, rank, true); }
      }
      return best ? sourceOfRef((best as { line: EntryRef; rank: Rank }).line, (best as { line: EntryRef; rank: Rank }).rank) : by.source;
    };
  };
}

function inItem(item: ItemName, key: ItemKey): boolean {
  return key === 'logins' ? item === 'maxlogins' || item === 'maxsyslogins' : item === key;
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
