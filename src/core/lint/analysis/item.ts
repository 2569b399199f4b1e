/**
 * The per-item analysis: the resolver (resolveLimits) run for each account class on a view of the
 * tree that holds only the lines of one item (plus `<domain> -` lines), and who won and who beat
 * whom, read from its event log.
 *
 * Pure.
 */
import type { Identity } from '../../accounts.js';
import type { DomainSpec } from '../../domain.js';
import type { ConfigTree, EntryReading, Line, NoLimitReading, TreeFile } from '../../model.js';
import { type LineEvent, matchEntryDomain, matchNoLimitDomain, type Resolution, resolveLimits, type Source } from '../../resolve.js';
import type { ItemName, RlimitItem } from '../../schema.js';
import type { Analysis } from '../analysis.js';
import { classCount, collectFacts, enumerateAccounts, witness } from './accounts.js';
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

export function analyseItem(an: Analysis, key: ItemKey): ItemAnalysis {
  const { tree, profile, accounts, nrOpen, policy, budget } = an.options;
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
        if (r.kind === 'nolimit' || (r.kind === 'entry' && r.itemInfo && itemKeyOf(r.itemInfo) === key && matchEntryDomain(r.domainSpec, id, profile))) { hit = true; break; }
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
      else { const m = matchEntryDomain(r.domainSpec, id, profile); sig += m ? String(m.rank) : '.'; }
    }
    return sig;
  };
  const shared = new Map<string, { res: Resolution; record: EventRecord }>();
  for (const c of cases) {
    const sig = signature(c.identity);
    let hit = shared.get(sig);
    if (!hit) {
      const res = resolveLimits(viewFor(c.identity), c.identity, { profile, nrOpen });
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
