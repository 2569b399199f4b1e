/**
 * The per-item analysis (which leaves out dead lines an earlier line of their group already
 * covers, and resolves each account class once, on the lines its domains match) against the
 * plain per-account resolver: for random trees, every profile of test/distinct-profiles.ts and
 * every account the analysis enumerates, resolveLimits on the whole tree gives the same final
 * values and sources, the same winning lines, the same lines beating each live line, the same
 * match counts and the same '-' short-circuits. The seed is printed (LIMITSCTL_SEED reruns it).
 */
import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd } from '../../../src/core/accounts.js';
import { Analysis, entryKey, type ItemKey, sourceKey } from '../../../src/core/lint/analysis.js';
import { outcomeOf, recordEvents } from '../../../src/core/lint/analysis/item.js';
import { EMPTY_POLICY } from '../../../src/core/lint/policy.js';
import type { LintAccounts } from '../../../src/core/lint/types.js';
import type { ConfigTree } from '../../../src/core/model.js';
import { parseLimits } from '../../../src/core/parse.js';
import { resolveLimits } from '../../../src/core/resolve.js';
import { DEFAULT_NR_OPEN, type Profile } from '../../../src/core/schema.js';
import { DISTINCT_PROFILES } from '../../distinct-profiles.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const SEED = testSeed('lint analysis random trees');

const DOMAINS = ['*', 'alice', 'bob', 'root', '@wheel', '@ops', '@nogroup', '@:1000', '@:3000', '1000:', '1000:1999', ':999', '0', '%', '%wheel', '@1000:2000', 'carol'];
const NOLIMIT = ['alice', '@ops', '2000:', 'bob', '@:3000'];
const ITEMS = ['nofile', 'nproc', 'maxlogins', 'maxsyslogins', 'priority', 'core'];
const TYPES = ['soft', 'hard', '-'];
const VALUES = ['10', '20', '30', 'unlimited', '5', '100', '-1'];

function randomTree(r: () => number, profile: Profile): ConfigTree {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const file = (lines: number) => {
    const out: string[] = [];
    // few domains and items per tree, so that groups of the same domain and item are common
    const doms = Array.from({ length: 2 + Math.floor(r() * 4) }, () => pick(DOMAINS));
    const items = Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(ITEMS));
    for (let i = 0; i < lines; i++) {
      if (r() < 0.06) out.push(`${pick(NOLIMIT)} -`);
      else out.push(`${pick(doms)} ${pick(TYPES)} ${pick(items)} ${pick(VALUES)}`);
    }
    return `${out.join('\n')}\n`;
  };
  const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-x.conf'];
  return {
    profile,
    files: paths.map((p) => ({ path: p, role: p.endsWith('limits.conf') ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseLimits(Buffer.from(file(4 + Math.floor(r() * 14))), { file: p, profile }) })),
    ignored: [],
    failure: null,
  };
}

function randomAccounts(r: () => number): LintAccounts | null {
  if (r() < 0.4) return null;
  const passwd = 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\ndave:x:1500:3000::/h:/bin/sh\n';
  const group = r() < 0.5 ? 'root:x:0:\nwheel:x:10:alice\nops:x:3000:\n' : '';
  return { db: { users: parsePasswd(passwd), groups: parseGroup(group) }, hasPasswd: true, hasGroup: group !== '' };
}

/** The analysis of every item of `tree` against the reference; returns how many items it compared. */
function compare(tree: ConfigTree, profile: Profile, accounts: LintAccounts | null, where: string): number {
  const an = new Analysis({ tree, profile, accounts, nrOpen: DEFAULT_NR_OPEN, policy: EMPTY_POLICY, budget: 1 << 16 });
  const dead = an.dead();
  let compared = 0;
  for (const key of an.itemKeys()) {
    const ia = an.item(key);
    const note = `${where}, ${profile}, ${key}\n${tree.files.map((f) => f.doc!.text).join('----\n')}`;
    expect(ia.exhaustive, note).toBe(true);
    const ref = reference(tree, profile, key, ia.accounts);
    // final values and their sources, account by account
    expect(ia.outcomes.map(show), note).toEqual(ref.outcomes);
    expect([...ia.wins].sort(), note).toEqual([...ref.wins].sort());
    an.itemEntries(key).forEach((e, i) => {
      const k = entryKey(e);
      expect([ia.matched.get(k) ?? 0, ia.notApplied.get(k) ?? 0], `${note}\nline ${k}`).toEqual([ref.matched.get(k) ?? 0, ref.notApplied.get(k) ?? 0]);
      if (dead.by[e.order]! >= 0) return;
      expect([...(ia.beatenBy.get(k)?.keys() ?? [])].sort(), `${note}\nbeaten ${k}`).toEqual([...(ref.beatenBy.get(k) ?? [])].sort());
      // the entries beatenRef names are the lines of beatenAt's Sources, in the same order
      expect(Array.from({ length: ia.beatenCount(i) }, (_, j) => entryKey(ia.beatenRef(i, j))), `${note}\nbeatenRef ${k}`).toEqual(ia.beatenAt(i).map(sourceKey));
      const sc = ia.shortCircuit.get(i);
      if (sc) expect(sc.byRef && entryKey(sc.byRef), `${note}\nshort byRef ${k}`).toEqual(sc.by && sourceKey(sc.by));
      const rs = ref.short.get(k);
      expect(sc ? sc.by && sourceKey(sc.by) : undefined, `${note}\nshort ${k}`).toEqual(rs);
      // the accounts it names (one per class the pass met) are accounts whose hard half of it is skipped
      if (sc) {
        expect(sc.accounts.length, `${note}\nshort accounts ${k}`).toBeGreaterThan(0);
        for (const c of sc.accounts) expect(ref.shortFor.get(k)?.has(JSON.stringify(c.identity)), `${note}\nshort account ${JSON.stringify(c.identity)} ${k}`).toBe(true);
      }
    });
    expect([...ia.clamps.keys()].sort(), note).toEqual([...ref.clamps].sort());
    compared++;
  }
  return compared;
}

function treeOf(profile: Profile, texts: readonly string[]): ConfigTree {
  const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-x.conf'];
  return {
    profile,
    files: texts.map((text, i) => ({ path: paths[i]!, role: i === 0 ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseLimits(Buffer.from(text), { file: paths[i]!, profile }) })),
    ignored: [],
    failure: null,
  };
}

describe('per-item analysis = the per-account resolver on the whole tree', () => {
  it('a hard line after a \'-\' line whose soft half was outranked (so its hard half was never tried) sets the hard half', () => {
    // for alice (in @g) line 2's hard half is skipped, so line 3 takes hard at the group's rank
    // and line 4 is outranked by it, not replaced by line 5
    const accounts: LintAccounts = { db: { users: parsePasswd('alice:x:1000:1000::/h:/bin/sh\n'), groups: parseGroup('g:x:10:alice\n') }, hasPasswd: true, hasGroup: true };
    const text = 'alice soft nofile 1\n@g - nofile 2\n@g hard nofile 3\n* hard nofile 5\n@g hard nofile 4\n';
    for (const profile of DISTINCT_PROFILES) expect(compare(treeOf(profile, [text]), profile, accounts, 'fixed tree')).toBe(1);
  });

  it(`random trees, each profile in turn (${seedNote(SEED)})`, () => {
    const r = rng(SEED);
    let compared = 0;
    const trees = Number(process.env.LIMITSCTL_ANALYSIS_TREES ?? 160);
    for (let t = 0; t < trees; t++) {
      const profile = DISTINCT_PROFILES[t % DISTINCT_PROFILES.length]!;
      const tree = randomTree(r, profile);
      const accounts = randomAccounts(r);
      compared += compare(tree, profile, accounts, `${seedNote(SEED)}, tree ${t}`);
    }
    expect(compared).toBeGreaterThan(trees);
  });
});

type Outcome = ReturnType<typeof outcomeOf>;
const show = (o: Outcome) => ({
  who: o.account.identity, applied: o.applied,
  soft: [o.soft.value, o.soft.source && sourceKey(o.soft.source)], hard: [o.hard.value, o.hard.source && sourceKey(o.hard.source)],
});

/** Every account resolved on the whole tree, its event log read as the analysis reads it. */
function reference(tree: ConfigTree, profile: Profile, key: ItemKey, cases: readonly Outcome['account'][]) {
  const outcomes: ReturnType<typeof show>[] = [];
  const wins = new Set<string>();
  const matched = new Map<string, number>();
  const notApplied = new Map<string, number>();
  const beatenBy = new Map<string, Set<string>>();
  const short = new Map<string, string | null>();
  /** short-circuited line → the accounts (identity as JSON) whose hard half of it is skipped */
  const shortFor = new Map<string, Set<string>>();
  const clamps = new Set<string>();
  for (const c of cases) {
    const res = resolveLimits(tree, c.identity, { profile, nrOpen: DEFAULT_NR_OPEN });
    outcomes.push(show(outcomeOf(res, key, c)));
    const rec = recordEvents(res, key);
    for (const k of rec.matched) matched.set(k, (matched.get(k) ?? 0) + 1);
    for (const k of rec.notApplied) notApplied.set(k, (notApplied.get(k) ?? 0) + 1);
    for (const k of rec.wins) wins.add(k);
    for (const [k, by] of rec.beaten) { let s = beatenBy.get(k); if (!s) beatenBy.set(k, (s = new Set())); s.add(sourceKey(by)); }
    for (const [k, by] of rec.short) if (!short.has(k)) short.set(k, by && sourceKey(by));
    for (const [k] of rec.short) { let s = shortFor.get(k); if (!s) shortFor.set(k, (s = new Set())); s.add(JSON.stringify(c.identity)); }
    if (key in res.rlimits && res.applied) {
      const x = res.rlimits[key as keyof typeof res.rlimits];
      if (x.clamped && x.soft.source && x.hard.source && x.soft.value !== null && x.hard.value !== null) clamps.add(`${sourceKey(x.soft.source)}\u0001${sourceKey(x.hard.source)}`);
    }
  }
  return { outcomes, wins, matched, notApplied, beatenBy, short, shortFor, clamps };
}
