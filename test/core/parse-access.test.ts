/**
 * A parsed line of a blank or comment keeps no reading object until one is asked for:
 * contentAt and readingKindAt look at a line's readings without making it, and the reading
 * made later is the one every later read gives.
 */
import { describe, expect, it } from 'vitest';
import { contentAt, parseLimits, readingAt, readingKindAt } from '../../src/core/parse.js';
import type { EntryReading, Line } from '../../src/core/model.js';

const plain = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

const text = 'alice soft nofile 10\n\n   # note\nbad\nbob -\n' + `${'x'.repeat(1500)} # long\n` + '# last';

describe('lazy blank and comment readings', () => {
  for (const profile of ['linux-pam-1.5.2', 'linux-pam-1.6.0', 'linux-pam-1.7.2'] as const) {
    it(`contentAt and readingKindAt agree with the readings (${profile})`, () => {
      const doc = parseLimits(Buffer.from(text, 'latin1'), { profile });
      const fresh = parseLimits(Buffer.from(text, 'latin1'), { profile });
      for (let i = 0; i < doc.lines.length; i++) {
        const line = doc.lines[i]!;
        const other: Line = fresh.lines[i]!;
        for (let chunk = 0; chunk < 4; chunk++) {
          const kind = readingKindAt(line, chunk);
          const content = contentAt(line, chunk);
          const r = readingAt(other, chunk);
          expect(kind).toBe(r?.kind);
          if (r === undefined) expect(content).toBeUndefined();
          else if (r.kind === 'blank' || r.kind === 'comment') expect(content).toBeNull();
          else expect(plain(content)).toBe(plain(r));
        }
        // the reading made after the kind was asked is the same object at every read, and the line's readings hold it
        const first = readingAt(line, 0);
        expect(readingAt(line, 0)).toBe(first);
        expect(line.readings[0]).toBe(first);
        expect(plain(line)).toBe(plain(other));
      }
    });
  }

  it('a blank and a comment line read in one piece give their spans and comment', () => {
    const doc = parseLimits(Buffer.from('\n  # c\n', 'latin1'), { profile: 'linux-pam-1.5.2' });
    expect(readingKindAt(doc.lines[0]!, 0)).toBe('blank');
    expect(readingKindAt(doc.lines[1]!, 0)).toBe('comment');
    expect(readingKindAt(doc.lines[1]!, 1)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(doc.lines[1]!.readings))).toEqual([{ kind: 'comment', span: { start: 1, end: 6 }, comment: { start: 3, end: 6 } }]);
    expect(JSON.parse(JSON.stringify(doc.lines[0]!.readings))).toEqual([{ kind: 'blank', span: { start: 0, end: 0 }, comment: null }]);
  });
});

describe('lineColumns', () => {
  it("gives the offsets of a parsed document's own lines, and null for another array or no lines", async () => {
    const { lineColumns } = await import('../../src/core/parse.js');
    const doc = parseLimits(Buffer.from('a b c d\n\n# x\nlast', 'latin1'));
    const cols = lineColumns(doc)!;
    expect([...cols.starts]).toEqual(doc.lines.map((l) => l.start));
    expect([...cols.ends]).toEqual(doc.lines.map((l) => l.end));
    expect(lineColumns({ ...doc })).toBe(cols);
    expect(lineColumns({ ...doc, lines: [...doc.lines] })).toBeNull();
    expect(lineColumns(parseLimits(Buffer.alloc(0)))).toBeNull();
    // a document long enough to grow its columns
    const big = parseLimits(Buffer.from('x\n'.repeat(5000), 'latin1'));
    const bc = lineColumns(big)!;
    expect(bc.starts.length).toBe(5000);
    expect(bc.starts[4999]).toBe(9998);
    expect(bc.ends[4999]).toBe(9999);
    expect(big.lines[4999]!.eolLength).toBe(1);
  });
});

describe('entryFacts', () => {
  it('agrees with the readings it sums up, for parsed and for plain entries', async () => {
    const { ENTRY_DASH, ENTRY_EXTRA, ENTRY_PROBLEM, ENTRY_UPPER, entryFacts } = await import('../../src/core/parse.js');
    const lines = [
      'alice soft nofile 10', 'alice SOFT nofile 10', 'alice soft NOFILE 10', 'alice soft nofile UNLIMITED', 'alice soft nofile Unlimited',
      '- hard nproc 5', '- hard nproc 5 six', 'alice soft bogus 1', 'alice soft nofile -5', '1:a soft nofile 1', 'alice soft nofile 10 # x',
      '%g soft nofile 1', 'Alice soft nofile 10',
    ];
    for (const profile of ['linux-pam-1.5.2', 'linux-pam-1.7.2'] as const) {
      const doc = parseLimits(Buffer.from(lines.join('\n'), 'latin1'), { profile });
      for (const line of doc.lines) {
        const r = line.readings[0]!;
        expect(r.kind).toBe('entry');
        if (r.kind !== 'entry') continue;
        const want = (r.problem !== null ? ENTRY_PROBLEM : 0) | (r.extra.length > 0 ? ENTRY_EXTRA : 0)
          | (r.typeText !== r.type.raw || r.itemText !== r.item.raw || r.valueText !== r.value.raw ? ENTRY_UPPER : 0)
          | (r.domain.raw === '-' ? ENTRY_DASH : 0);
        expect([profile, line.index, entryFacts(r)]).toEqual([profile, line.index, want]);
        const plain = (r as unknown as { toJSON(): EntryReading }).toJSON();
        expect(entryFacts(plain)).toBe(want);
      }
    }
    const doc = parseLimits(Buffer.from(lines.join('\n'), 'latin1'), { profile: 'linux-pam-1.5.2' });
    const facts = doc.lines.map((l) => entryFacts(l.readings[0] as never));
    expect(facts[0]).toBe(0);
    expect(facts[1]! & ENTRY_UPPER).toBe(ENTRY_UPPER);
    expect(facts[3]! & ENTRY_UPPER).toBe(ENTRY_UPPER);
    expect(facts[6]).toBe(ENTRY_DASH | ENTRY_EXTRA);
    expect(facts[7]! & ENTRY_PROBLEM).toBe(ENTRY_PROBLEM);
    expect(facts[12]).toBe(0); // a domain is compared as written: no capital counted
  });
});
