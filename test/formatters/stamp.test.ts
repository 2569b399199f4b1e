/**
 * Stamp (src/formatters/stream.ts): an element kept whole and its numbers rewritten in place must
 * give exactly the bytes of the element written afresh, element after element — whatever the
 * numbers do (gain or lose digits, 0, 2^31 - 1, past 2^31, not whole, written as a JSON null), the
 * keys change or not, and an element is short or longer than a stamp keeps. Random sequences,
 * seeded (the seed is printed).
 */
import { describe, expect, it } from 'vitest';
import { type ByteOut, jsonNumberInto, Stamp, utf8 } from '../../src/formatters/stream.js';
import { rng, seedNote, testSeed } from '../seed.js';

const SEED = testSeed('formatters/stamp.test.ts');

/** A ByteOut that collects what it is given (copying: the stamp's bytes are reused). */
function collector(): ByteOut & { readonly parts: Buffer[] } {
  const parts: Buffer[] = [];
  return {
    parts,
    bytes: (b) => { parts.push(Buffer.from(b)); },
    number: (n) => { parts.push(Buffer.from(`${n}`)); },
    text: (s) => { parts.push(Buffer.from(s, 'utf8')); },
  };
}

describe('Stamp', () => {
  it('writes what the element written afresh writes, element after element', () => {
    const r = rng(SEED);
    const int = (n: number) => Math.floor(r() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const heads = [utf8('{"a": '), utf8('{\n  "é€😀": ')];
    const messages = ['m', '"quoted\u0000"', 'x€'.repeat(3000), '\ud800 lone'];
    const gap = utf8(', ');
    for (let round = 0; round < 20; round++) {
      const stamp = new Stamp();
      const want = collector();
      const got = collector();
      // the element: head, `count` numbers (JSON numbers: null when not finite) between gaps, message
      const write = (o: ByteOut, head: Uint8Array, message: string, nums: readonly number[]) => {
        o.bytes(head);
        for (let k = 0; k < nums.length; k++) {
          if (k > 0) o.bytes(gap);
          jsonNumberInto(o, nums[k]!);
        }
        o.text(message);
      };
      let head = pick(heads);
      let message = pick(messages);
      const count = 1 + int(5);
      let base = int(3) === 0 ? 0 : 2 ** 31 - 1 - int(2000);
      // half the rounds count up, as line numbers and occurrences do (9 to 10, 99 to 100, to 2^31)
      const counting = r() < 0.5;
      let next = pick([0, 7, 95, 995, 2 ** 31 - 60]);
      for (let k = 0; k < 400; k++) {
        if (r() < 0.05) head = pick(heads);
        if (r() < 0.05) message = pick(messages);
        if (r() < 0.02) base = int(3) === 0 ? 0 : 2 ** 31 - 1 - int(2000);
        const num = (): number => (r() < 0.03 ? pick([0, 2 ** 31 - 1, 2 ** 31, 1.5, -1, Number.NaN, Infinity]) : base + int(r() < 0.5 ? 12 : 1200));
        next += r() < 0.9 ? 1 : int(30);
        const nums = Array.from({ length: count }, (_, i) => (counting && r() < 0.95 ? next + (i % 2) : num()));
        write(want, head, message, nums);
        const n = [...nums, 0, 0, 0, 0, 0];
        if (stamp.same(head, message, gap, null, null)) {
          if (!stamp.put(got, n[0]!, n[1]!, n[2]!, n[3]!, n[4]!)) {
            write(stamp.begin(count), head, message, nums);
            stamp.end(got);
          }
        } else {
          write(got, head, message, nums);
        }
      }
      const w = Buffer.concat(want.parts);
      const g = Buffer.concat(got.parts);
      if (!g.equals(w)) {
        let at = 0;
        while (at < w.length && g[at] === w[at]) at++;
        expect.fail(`${seedNote(SEED)}, round ${round}: first difference at byte ${at}: ${JSON.stringify(g.subarray(Math.max(0, at - 40), at + 40).toString())} vs ${JSON.stringify(w.subarray(Math.max(0, at - 40), at + 40).toString())}`);
      }
    }
  });

  it('copies a run of elements in one piece each', () => {
    const stamp = new Stamp();
    const out = collector();
    const head = utf8('line ');
    const write = (o: ByteOut, line: number) => { o.bytes(head); o.number(line); o.text('\n'); };
    for (let line = 8; line <= 12; line++) {
      if (stamp.same(head, null, null, null, null)) {
        if (!stamp.put(out, line, 0, 0, 0, 0)) {
          write(stamp.begin(1), line);
          stamp.end(out);
        }
      } else {
        write(out, line);
      }
    }
    // 8 piece by piece, 9 into the stamp, 10 into it again (one more digit), 11 and 12 patched
    expect(Buffer.concat(out.parts).toString()).toBe('line 8\nline 9\nline 10\nline 11\nline 12\n');
    expect(out.parts.map((p) => p.toString())).toEqual(['line ', '8', '\n', 'line 9\n', 'line 10\n', 'line 11\n', 'line 12\n']);
  });
});
