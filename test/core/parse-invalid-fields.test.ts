/**
 * invalidFieldCount and invalidFieldsSpan (src/core/parse.ts) give what an invalid reading's
 * `fields` give — how many, and from the first one's start to the last one's end — from what the
 * parser kept when it read the line, under each way of splitting a line (1.5.2 isspace runs and
 * its 1023-byte chunks, 1.6.0 getline, 1.6.1+ getline with the value trimmed), on random lines of
 * the bytes that matter; and from `fields` for an invalid reading not made by parse.ts.
 */
import { describe, expect, it } from 'vitest';
import type { InvalidReading } from '../../src/core/model.js';
import { invalidFieldCount, invalidFieldsSpan, parseLimits } from '../../src/core/parse.js';
import { rng, seedNote, testSeed } from '../seed.js';

describe('an invalid reading\'s fields, without splitting it again', () => {
  for (const profile of ['linux-pam-1.5.2', 'linux-pam-1.6.0', 'linux-pam-1.7.2'] as const) {
    it(`are its fields' count and span: ${profile}, random lines`, () => {
      const seed = testSeed(`parse invalid fields ${profile}`);
      const r = rng(seed);
      const pieces = ['a', 'nofile', 'soft', '*', '@g', '1:2', ':', '-', '10', ' ', '  ', '\t', '\v', '\f', '\r', '\0', '#', 'x#y', '\xff', 'x'.repeat(700)];
      const lines: string[] = [];
      for (let n = 0; n < 3000; n++) {
        let l = '';
        const k = Math.floor(r() * 10);
        for (let j = 0; j < k; j++) l += pieces[Math.floor(r() * pieces.length)]!;
        lines.push(l);
      }
      const text = `${lines.join('\n')}\n`;
      const doc = parseLimits(Buffer.from(text, 'latin1'), { profile });
      let seen = 0;
      for (const line of doc.lines) {
        for (const reading of line.readings) {
          if (reading.kind !== 'invalid') continue;
          seen++;
          const where = `line ${line.index + 1} ${JSON.stringify(text.slice(line.start, line.end))} (${seedNote(seed)})`;
          const fields = reading.fields;
          expect(invalidFieldCount(reading), where).toBe(fields.length);
          expect(invalidFieldsSpan(reading), where).toEqual({ start: fields[0]!.start, end: fields[fields.length - 1]!.end });
          // the comment, kept in the same number as the count: from the first '#' of the reading's own bytes (a 1.5.2 chunk)
          const { start, end } = reading.span;
          const hash = text.slice(start, end).indexOf('#');
          if (reading.comment !== null) expect(reading.comment, where).toEqual({ start: start + hash, end });
        }
      }
      expect(seen).toBeGreaterThan(100);
    });
  }

  it('are read from `fields` for an invalid reading made elsewhere', () => {
    const r: InvalidReading = {
      kind: 'invalid', span: { start: 0, end: 9 }, comment: null,
      fields: [{ start: 1, end: 3, raw: 'ab' }, { start: 5, end: 8, raw: 'cde' }],
      problem: { code: 'too-few-fields', message: 'm', span: { start: 1, end: 8 } },
    };
    expect(invalidFieldCount(r)).toBe(2);
    expect(invalidFieldsSpan(r)).toEqual({ start: 1, end: 8 });
  });
});
