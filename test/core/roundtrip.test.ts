import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printDocument } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { READING_PROFILES } from '../../src/core/schema.js';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/real');
const corpusFiles = (() => {
  try {
    return readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort();
  } catch {
    return [];
  }
})();

/** A round trip depends on how lines are read: one profile per line reading (fgets, 1.6.0's, getline), Debian's (chroot's path values). */
const ROUND_TRIP_PROFILES = [...READING_PROFILES, 'linux-pam-1.1', 'linux-pam-1.6.0'] as const;

function roundTrips(bytes: Uint8Array): void {
  for (const profile of ROUND_TRIP_PROFILES) {
    const doc = parseLimits(bytes, { profile });
    expect(Buffer.compare(Buffer.from(printDocument(doc)), Buffer.from(bytes))).toBe(0);
    // the lines tile the text exactly
    let offset = 0;
    for (const l of doc.lines) {
      expect(l.start).toBe(offset);
      offset = l.end + l.eolLength;
    }
    expect(offset).toBe(bytes.length);
  }
}

if (corpusFiles.length === 0) console.warn(`corpus round trip skipped: no corpus at ${CORPUS} (the shared real-world limits files sit beside the repository)`);

describe('lossless round trip', () => {
  it.skipIf(corpusFiles.length === 0)(`every real-world corpus file (${corpusFiles.length} files in ../shared/corpus/real)`, () => {
    expect(corpusFiles.length).toBeGreaterThan(100);
    for (const f of corpusFiles) roundTrips(readFileSync(path.join(CORPUS, f)));
  });

  const cases: Record<string, string | Uint8Array> = {
    empty: '',
    'no final newline': 'alice soft nofile 10',
    crlf: 'alice soft nofile 10\r\n* hard core 0\r\n',
    mixed: 'a soft nofile 1\n\r\nb hard nproc 2\r\n\n',
    'tabs, \\v and \\f': '\talice\vsoft\fnofile\t12 # c\n',
    nul: new Uint8Array([0x61, 0x00, 0x62, 0x0a, 0x00, 0x0a]),
    'invalid utf-8': new Uint8Array([0xff, 0xfe, 0x20, 0x73, 0x6f, 0x66, 0x74, 0x0a, 0xc3, 0x28]),
    'only newlines': '\n\n\n',
    'long line': `${'#'.repeat(3000)}\n${'x '.repeat(2000)}`,
  };
  for (const [name, input] of Object.entries(cases)) {
    it(name, () => roundTrips(typeof input === 'string' ? Buffer.from(input, 'latin1') : input));
  }

  it('a multi-megabyte file', () => {
    const line = 'user$ soft nproc 4096 # comment\n';
    const big = Buffer.from(line.repeat(150_000), 'latin1');
    expect(big.length).toBeGreaterThan(4_000_000);
    roundTrips(big);
  });

  it('10,000 generated inputs mixing the syntax alphabet with arbitrary bytes', () => {
    // deterministic xorshift so a failure is reproducible from the printed seed
    let seed = 0x2545f491;
    const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 0x100000000; };
    const alphabet = ['*', '@', '%', ':', '-', '#', ' ', '\t', '\n', '\r', '\v', '\f', '\0', 'soft', 'hard', 'nofile', 'nproc',
      'unlimited', 'alice', '1000:', '@wheel', '10k', '0x10', '-1', 'maxlogins', 'nice', '\u00e9', '\xff'];
    for (let n = 0; n < 10_000; n++) {
      const startSeed = seed;
      const parts: number[] = [];
      const len = Math.floor(rnd() * 40);
      for (let i = 0; i < len; i++) {
        if (rnd() < 0.25) parts.push(Math.floor(rnd() * 256));
        else for (const ch of Buffer.from(alphabet[Math.floor(rnd() * alphabet.length)]!, 'latin1')) parts.push(ch);
      }
      if (rnd() < 0.02) for (let i = 0; i < 1100; i++) parts.push(0x61);
      const bytes = new Uint8Array(parts);
      try {
        roundTrips(bytes);
      } catch (e) {
        throw new Error(`round trip failed for generated input #${n} (seed ${startSeed}): ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}\n${String(e)}`);
      }
    }
  });
});
