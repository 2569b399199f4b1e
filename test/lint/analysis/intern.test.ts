/**
 * PairIntern (src/core/lint/analysis/intern.ts) numbers (parent, token) pairs as a Map keyed by
 * the pair would: the same number for a pair met again, size + 1 for a new one, across its
 * growth and after a reset (which forgets every pair) — checked against a Map on random pairs.
 */
import { describe, expect, it } from 'vitest';
import { giveIntern, PairIntern, takeIntern } from '../../../src/core/lint/analysis/intern.js';
import { rng, seedNote, testSeed } from '../../seed.js';

describe('PairIntern', () => {
  it('gives the numbers a Map of the pairs gives, through growth and resets (random pairs)', () => {
    const seed = testSeed('pair-intern');
    const r = rng(seed);
    const t = new PairIntern();
    for (let round = 0; round < 6; round++) {
      const ref = new Map<string, number>();
      // small ranges make pairs repeat; large ones (up to 2^31 - 1) test the hash on every bit
      const range = round % 2 === 0 ? 300 : 0x7fffffff;
      const n = 2_000 + Math.floor(r() * 40_000);
      for (let i = 0; i < n; i++) {
        const p = Math.floor(r() * range);
        const k = Math.floor(r() * range);
        let want = ref.get(`${p},${k}`);
        if (want === undefined) ref.set(`${p},${k}`, (want = ref.size + 1));
        const got = t.id(p, k);
        if (got !== want) expect(got, `${seedNote(seed)} round ${round} pair ${p},${k}`).toBe(want);
      }
      expect(t.size, seedNote(seed)).toBe(ref.size);
      t.reset();
      expect(t.size).toBe(0);
    }
  });

  it('a table handed back is empty when taken again', () => {
    const t = takeIntern();
    expect(t.id(5, 7)).toBe(1);
    expect(t.id(5, 8)).toBe(2);
    giveIntern(t);
    const again = takeIntern();
    expect(again.size).toBe(0);
    expect(again.id(5, 8)).toBe(1);
    giveIntern(again);
  });
});
