/**
 * describeAccounts names up to three accounts, real ones first, then named hypothetical ones,
 * then the "any other account" ones, each kind in the order given, and counts the rest by
 * distinct text. Checked against the plain definition (a stable sort of every account, then the
 * distinct texts) on random lists that share groups arrays the way enumerateAccounts does.
 */
import { describe, expect, it } from 'vitest';
import type { GroupRef } from '../../../src/core/accounts.js';
import { type AccountCase, describeAccount, describeAccounts } from '../../../src/core/lint/analysis.js';
import { FRESH } from '../../../src/core/lint/analysis/types.js';
import { rng, seedNote, testSeed } from '../../seed.js';

function plainDescribeAccount(c: AccountCase): string {
  const id = c.identity;
  if (c.real || id.name !== FRESH) return id.name === 'root' && !c.real ? 'root' : id.name;
  const groups = id.groups.length ? ` in ${id.groups.map((g) => (g.name.startsWith('limitsctl-gid-') ? `gid ${g.gid}` : `@${g.name}`)).join(', ')}` : '';
  return `an account with uid ${id.uid}${groups}`;
}

function plainDescribeAccounts(cases: readonly AccountCase[]): string {
  const sorted = [...cases].sort((a, b) => Number(b.real) - Number(a.real) || Number(b.identity.name !== FRESH) - Number(a.identity.name !== FRESH));
  const names = [...new Set(sorted.map(plainDescribeAccount))];
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown[0] ?? 'no account';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!}`;
}


describe('describeAccounts', () => {
  it('gives the text of the stable sort by kind on random account lists', () => {
    const seed = testSeed('describe-accounts');
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    // groups arrays shared between accounts (as enumerateAccounts does), some with equal texts
    const atoms: GroupRef[] = [{ name: 'wheel', gid: 10 }, { name: 'wheel', gid: 11 }, { name: 'limitsctl-gid-7', gid: 7 }, { name: 'dev', gid: 3_900_000_000 }];
    const sets: GroupRef[][] = [[], [atoms[0]!], [atoms[1]!], [atoms[2]!, atoms[3]!], [atoms[0]!, atoms[2]!]];
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(r() * 12);
      const cases: AccountCase[] = [];
      for (let i = 0; i < n; i++) {
        const kind = Math.floor(r() * 3);
        const name = kind === 2 ? FRESH : pick(['root', 'alice', 'bob', 'carol', 'dave']);
        cases.push({ identity: { name, uid: pick([0, 999, 1000, 1001]), gid: 1000, groups: pick(sets) }, real: kind === 0 });
      }
      expect(describeAccounts(cases), `${seedNote(seed)} round ${round}`).toBe(plainDescribeAccounts(cases));
      for (const c of cases) expect(describeAccount(c)).toBe(plainDescribeAccount(c));
    }
  });
});
