/**
 * The 1.5.2 reading of a line (fgets chunk, then sscanf("%s%s%s%s") of the part before '#'), checked
 * against a plain reference on random lines of the bytes that matter: NUL ends the C string, '#'
 * starts the comment (also inside a token), isspace (space, \t \n \v \f \r) separates tokens, and
 * \v \f \r or NUL before any '#' make the line one the two parser families may read differently.
 * Source: Linux-PAM 1.5.2 modules/pam_limits/pam_limits.c parse_config_file.
 */
import { describe, expect, it } from 'vitest';
import { parseLimits } from '../../src/core/parse.js';
import { rng, seedNote, testSeed } from '../seed.js';

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** The tokens [start, raw] of one line as pam_limits 1.5.2 sees them, and its comment offset. */
function reference(text: string, start: number, end: number): { tokens: Array<[number, string]>; hash: number } {
  let cEnd = end;
  const nul = text.indexOf('\0', start);
  if (nul >= 0 && nul < end) cEnd = nul;
  const h = text.indexOf('#', start);
  const hash = h >= 0 && h < cEnd ? h : -1;
  const to = hash >= 0 ? hash : cEnd;
  const tokens: Array<[number, string]> = [];
  let i = start;
  while (i < to) {
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (i >= to) break;
    const s = i;
    while (i < to && !isSpace(text.charCodeAt(i))) i++;
    tokens.push([s, text.slice(s, i)]);
  }
  return { tokens, hash };
}

describe('1.5.2 tokens', () => {
  it('are the runs of non-isspace bytes before the first NUL or #, and the comment starts at that #, on random lines', () => {
    const seed = testSeed('parse 1.5.2 tokens');
    const r = rng(seed);
    const pieces = ['a', 'nofile', 'soft', '*', '@g', '1:2', '-', '10', ' ', '  ', '\t', '\v', '\f', '\r', '\0', '#', 'x#y', '"', '\x01', '\xff'];
    const lines: string[] = [];
    for (let n = 0; n < 3000; n++) {
      let l = '';
      const k = Math.floor(r() * 12);
      for (let j = 0; j < k; j++) l += pieces[Math.floor(r() * pieces.length)]!;
      lines.push(l);
    }
    const text = `${lines.join('\n')}\n`;
    const doc = parseLimits(Buffer.from(text, 'latin1'), { profile: 'linux-pam-1.5.2' });
    expect(doc.lines.length).toBe(lines.length);
    for (const line of doc.lines) {
      const want = reference(text, line.start, line.end);
      const reading = line.readings[0]!;
      const where = `line ${line.index + 1} ${JSON.stringify(text.slice(line.start, line.end))} (${seedNote(seed)})`;
      let got: Array<[number, string]>;
      if (reading.kind === 'entry') got = [reading.domain, reading.type, reading.item, reading.value, ...reading.extra].map((f) => [f.start, f.raw]);
      else if (reading.kind === 'invalid') got = reading.fields.map((f) => [f.start, f.raw]);
      else if (reading.kind === 'nolimit') got = [reading.domain, reading.type].map((f) => [f.start, f.raw]);
      else got = [];
      // an entry keeps its tokens after the 4th as `extra`; fewer than 4 and more than 2 are fields
      expect(got, where).toEqual(want.tokens);
      expect(reading.comment, where).toEqual(want.hash >= 0 ? { start: want.hash, end: line.end } : null);
      expect(reading.kind === 'blank' || reading.kind === 'comment', where).toBe(want.tokens.length === 0);
    }
    // a line 1.7.0 reads as another kind (its \v, \f, \r and NUL are no separators there) carries
    // that reading: the bytes that make the two differ were seen while splitting
    const other = parseLimits(Buffer.from(text, 'latin1'), { profile: 'linux-pam-1.7.0', compareProfiles: false });
    let differ = 0;
    for (const line of doc.lines) {
      const a = line.readings[0]!;
      const b = other.lines[line.index]!.readings[0]!;
      const skip = (k: string) => k === 'blank' || k === 'comment';
      if (skip(a.kind) && skip(b.kind)) continue;
      if (a.kind !== b.kind) {
        differ++;
        expect(line.other?.readings[0]?.kind, `line ${line.index + 1} (${seedNote(seed)})`).toBe(b.kind);
      }
    }
    expect(differ).toBeGreaterThan(10);
  });
});
