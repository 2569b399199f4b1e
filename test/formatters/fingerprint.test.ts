/**
 * Fingerprinter (src/formatters/fingerprint.ts) works a key out once per file, rule and message
 * and carries the hash of `CODE NUL FILE NUL` on into each message: its values must stay those of
 * the plain definition — hash128 of `CODE NUL FILE NUL normaliseMessage(MESSAGE)` for every
 * finding, and the occurrence counted per hash within a file — which SARIF partialFingerprints
 * and Code Quality fingerprints already published carry. Random findings (seeded; the seed is
 * printed) with repeated, interleaved and line-numbered messages, files revisited, non-ASCII text.
 */
import { describe, expect, it } from 'vitest';
import { Fingerprinter, hash128, normaliseMessage } from '../../src/formatters/fingerprint.js';
import { rng, seedNote, testSeed } from '../seed.js';

const SEED = testSeed('formatters/fingerprint.test.ts');

/** The definition, written out as plainly as possible (hash128 itself checked below). */
function reference(): (d: { code: string; file: string; message: string }) => string {
  let file: string | null = null;
  let seen = new Map<string, number>();
  return (d) => {
    if (d.file !== file) { file = d.file; seen = new Map(); }
    const hash = hash128(`${d.code}\u0000${d.file}\u0000${normaliseMessage(d.message)}`);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  };
}

/** hash128 as first published: lanes over the code units, murmur3's finaliser, padded hex. */
function hash128Reference(s: string): string {
  let a = 0x9747b28c; let b = 0x1b873593; let c = 0xcc9e2d51; let d = 0xe6546b64;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    a = Math.imul(a ^ u, 0x5bd1e995); a ^= a >>> 15;
    b = Math.imul(b ^ u, 0x85ebca77); b ^= b >>> 13;
    c = Math.imul(c ^ u, 0xc2b2ae3d); c ^= c >>> 16;
    d = Math.imul(d ^ u, 0x27d4eb2f); d ^= d >>> 14;
  }
  const fmix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return [a, b, c, d].map((x) => fmix(x).toString(16).padStart(8, '0')).join('');
}

/** normaliseMessage as first published (three replaces, always). */
function normaliseReference(m: string): string {
  return m.replace(/\blines \d+(?:\s*[–-]\s*\d+)?/g, 'lines #').replace(/\bline \d+/g, 'line #').replace(/:\d+\)/g, ':#)');
}

describe('Fingerprinter', () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const messages = [
    'pam_limits skips this line ("invalid line"): it has 1 field',
    'overridden by line 12 of limits.conf',
    'overridden by lines 3–5 and line 9',
    'same as limits.d/a.conf:7) here',
    'value "ü€𝄞" is not a number',
    'lines 4 - 7, lines 8-9, line  2, aline 3, :x) :12)',
    // a `line N` that only the replace of `lines` leaves at a word boundary; only a `:N)`
    'lines 3line 4 and line 5:6)',
    'named at x.conf:12) only',
    '',
  ];
  const message = (): string => {
    const m = pick(messages);
    // a fresh string of the same text, or the same text with other line numbers
    return r() < 0.5 ? `${m.slice(0, 1)}${m.slice(1)}` : m.replace(/\d+/g, () => String(Math.floor(r() * 300)));
  };

  it('gives the values of the plain definition', () => {
    for (let run = 0; run < 50; run++) {
      const f = new Fingerprinter();
      const ref = reference();
      const files = ['a.conf', 'limits.d/b.conf', '/etc/security/ö.conf'];
      let file = pick(files);
      for (let i = 0; i < 400; i++) {
        if (r() < 0.05) file = pick(files); // a file may come back after another
        const d = { code: pick(['LC001', 'LC302', 'LC304']), file, message: r() < 0.7 ? message() : pick(messages) };
        const { hash, occurrence } = f.next(d);
        expect(`${hash}:${occurrence}`, `${seedNote(SEED)}, run ${run}, finding ${i}`).toBe(ref(d));
      }
    }
  });

  it('forgets old messages without changing a value', () => {
    const f = new Fingerprinter();
    const ref = reference();
    for (let i = 0; i < 12000; i++) {
      const d = { code: 'LC302', file: 'x.conf', message: `item ${i % 5000} set at line ${i}` };
      const { hash, occurrence } = f.next(d);
      if (i % 97 === 0 || i >= 11990) expect(`${hash}:${occurrence}`).toBe(ref(d));
      else ref(d);
    }
  });

  it('hash128 and normaliseMessage keep their published values', () => {
    for (let i = 0; i < 500; i++) {
      const s = Array.from({ length: Math.floor(r() * 40) }, () => String.fromCharCode(pick([0, 32, 48 + Math.floor(r() * 10), 97 + Math.floor(r() * 26), 0xfc, 0xd834, 0xdd1e, 0xffff]))).join('');
      expect(hash128(s), `${seedNote(SEED)}, string ${i}`).toBe(hash128Reference(s));
      const m = `${s} ${message()} ${s}`;
      expect(normaliseMessage(m), `${seedNote(SEED)}, message ${i}`).toBe(normaliseReference(m));
    }
    expect(hash128('')).toBe(hash128Reference(''));
  });
});
