/**
 * PumpWriter (src/formatters/stream.ts) to a sink that takes bytes: each block is encoded into
 * one buffer that is used again for the next block, so what the sink is handed must be the exact
 * UTF-8 of the pushed text, in order and in blocks of at least `size` code units, whatever the
 * text (non-ASCII, surrogate pairs, lone surrogates, pieces longer than a block) — and a sink
 * that keeps a block without copying it sees it overwritten (the contract, shown here).
 * Random pieces, seeded (the seed is printed).
 */
import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, pump, PumpWriter } from '../../src/formatters/stream.js';
import { rng, seedNote, testSeed } from '../seed.js';

const SEED = testSeed('formatters/pump-bytes.test.ts');

describe('PumpWriter to a sink of bytes', () => {
  const r = rng(SEED);
  const piece = (): string => {
    const units = ['a', 'é', '€', '𝄞', '\ud800', '\n', '"', 'x'.repeat(100)];
    const n = r() < 0.01 ? 70000 : Math.floor(r() * 300);
    let s = '';
    for (let i = 0; i < n; i++) s += units[Math.floor(r() * units.length)]!;
    return s;
  };

  it('hands on the UTF-8 of the text, in order, in blocks', async () => {
    for (const size of [CHUNK_SIZE, 1000, 7]) {
      const pieces = Array.from({ length: 600 }, piece);
      const got: Buffer[] = [];
      const texts: string[] = [];
      const ok = await pump(pieces, { write: (t) => { texts.push(t); got.push(Buffer.from(t, 'utf8')); }, writeBytes: (b) => { got.push(Buffer.from(b)); } }, size);
      expect(ok).toBe(true);
      const want = Buffer.from(pieces.join(''), 'utf8');
      expect(Buffer.concat(got).equals(want), `${seedNote(SEED)}, size ${size}`).toBe(true);
      // every block but the last is at least `size` code units; text is handed on only when too long for the buffer
      for (const t of texts) expect(t.length * 3).toBeGreaterThan(6 * Math.max(size, CHUNK_SIZE));
      expect(got.length).toBeLessThanOrEqual(Math.ceil(pieces.join('').length / size) + 1);
    }
  });

  it('uses one buffer again: a sink that keeps the bytes without copying sees them change', async () => {
    const kept: Buffer[] = [];
    const w = new PumpWriter({ write: () => { throw new Error('text not expected'); }, writeBytes: (b) => { kept.push(b); } }, 4);
    w.push('first');
    await w.flush();
    w.push('later');
    await w.flush();
    expect(kept.map((b) => b.toString())).toEqual(['later', 'later']);
    expect(kept[0]!.buffer).toBe(kept[1]!.buffer);
  });

  it('a closed sink gets nothing more', async () => {
    let closed = false;
    const got: string[] = [];
    const w = new PumpWriter({ write: (t) => got.push(t), writeBytes: (b) => { got.push(b.toString()); closed = true; }, closed: () => closed }, 4);
    expect(w.push('abcd')).toBe(true);
    expect(await w.flush()).toBe(false);
    w.push('efgh');
    expect(await w.flush()).toBe(false);
    expect(got).toEqual(['abcd']);
  });
});
