/**
 * The hypothetical accounts of one set of facts are made once and shared (accounts.ts
 * sharedAccounts): the items and trees of a repository whose lines name the same domains in the
 * same order get the same list, and what describe.ts works out per list is kept with it. The list
 * must be exactly enumerateAccounts' (same accounts, same order), the findings of a tree must not
 * depend on which trees were linted before it, and the kept lists are bounded.
 */
import { describe, expect, it } from 'vitest';
import { collectFacts, enumerateAccounts, sharedAccounts } from '../../../src/core/lint/analysis/accounts.js';
import { lintTarget } from '../../../src/core/lint/engine.js';
import { parseDomain } from '../../../src/core/domain.js';
import { parseLimits } from '../../../src/core/parse.js';
import type { Profile } from '../../../src/core/schema.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const DOMAINS = ['*', 'admin', 'deploy', '@developers', '@ops', 'postgres', '1000:1999', '@:2000', '%wheel', 'alice', '@1001', 'root'];
const ITEMS = ['nproc', 'nofile', 'core', 'memlock', 'maxlogins'];
const TYPES = ['soft', 'hard', '-'];
const VALUES = ['1024', '4096', 'unlimited', '0', '10'];

function lint(text: string, profile: Profile = 'debian-12') {
  const doc = parseLimits(Buffer.from(text, 'latin1'), { file: 'limits.conf', profile });
  return lintTarget({
    tree: { profile, files: [{ path: 'limits.conf', role: 'main', status: 'ok', doc }], ignored: [], failure: null },
    accounts: null, standalone: true,
  }).diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
}

describe('shared hypothetical accounts', () => {
  it('sharedAccounts gives enumerateAccounts\' list, the same object for the same facts in the same order, another for another order', () => {
    const specs = ['admin', '@ops', '1000:1999', '@:2000'].map(parseDomain);
    const f1 = collectFacts(specs, null, new Set());
    const f2 = collectFacts(specs, null, new Set());
    const a = sharedAccounts(f1);
    expect(a).toEqual(enumerateAccounts(f1));
    expect(sharedAccounts(f2)).toBe(a);
    const reordered = collectFacts([...specs].reverse(), null, new Set());
    const b = sharedAccounts(reordered);
    expect(b).not.toBe(a);
    expect(b).toEqual(enumerateAccounts(reordered));
  });

  it('keeps at most 64 lists: the least recently used is made anew', () => {
    const first = collectFacts([parseDomain('first-user')], null, new Set());
    const kept = sharedAccounts(first);
    for (let i = 0; i < 64; i++) sharedAccounts(collectFacts([parseDomain(`user${i}`)], null, new Set()));
    const again = sharedAccounts(first);
    expect(again).not.toBe(kept);
    expect(again).toEqual(kept);
  });

  it('keeps a bounded number of accounts, not only of lists: a few large lists evict the oldest', () => {
    // 13 groups and two names: 3 × 2^13 = 24,576 accounts a list (within SHARED_ACCOUNTS_MAX);
    // 64 such lists, and what describe.ts keeps with each, were hundreds of MB held for the life
    // of the process (a library user's editor integration linting on every change)
    const big = (tag: string) => collectFacts(Array.from({ length: 13 }, (_, i) => parseDomain(`@${tag}${i}`)), null, new Set());
    const first = big('first');
    const kept = sharedAccounts(first);
    expect(kept.length).toBe(3 * 2 ** 13);
    for (let i = 0; i < 8; i++) sharedAccounts(big(`other${i}-`));
    const again = sharedAccounts(first);
    expect(again).not.toBe(kept);
    expect(again).toEqual(kept);
  });

  it('a tree\'s findings do not depend on the trees linted before it (random trees, some repeated)', () => {
    const seed = testSeed('shared-accounts');
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const trees = Array.from({ length: 12 }, () => Array.from({ length: 30 }, () => `${pick(DOMAINS)} ${pick(TYPES)} ${pick(ITEMS)} ${pick(VALUES)}`).join('\n') + '\n');
    // each tree linted first, alone (its lists made for it), then all of them again in another
    // order, each tree twice (its lists made by an earlier tree or by itself)
    const alone = trees.map((t) => lint(t));
    const order = [...trees.keys(), ...trees.keys()].sort(() => r() - 0.5);
    for (const i of order) expect(lint(trees[i]!), `${seedNote(seed)} tree ${i}`).toEqual(alone[i]);
    // and the findings name hypothetical accounts, so the lists were used
    expect(alone.flat().some((m) => /an account with uid/.test(m)), seedNote(seed)).toBe(true);
  });
});
