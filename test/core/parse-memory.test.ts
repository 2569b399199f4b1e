/**
 * What a parsed line costs in memory: lint keeps every line of every file of a tree read at once
 * (issue 14: peak RSS of a 500,000-line tree), so the model must stay compact. Measured as the
 * heap a 100,000-line document holds once every line's readings were read, after full GCs.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseLimits } from '../../src/core/parse.js';
import type { EntryReading } from '../../src/core/model.js';
import { rng, seedNote, testSeed } from '../seed.js';

function collector(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function tree(lines: number): Buffer {
  const users = ['alice', 'bob', '@ops', '*', '1000:1999', 'deploy'];
  const items = ['nofile', 'nproc', 'core', 'memlock', 'stack'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(i % 10 === 9 ? '# a comment about the limits above' : `${users[i % 6]}\t${i % 2 ? 'soft' : 'hard'}\t${items[i % 5]}\t${i % 977}${i % 3 === 0 ? ' # why' : ''}`);
  }
  return Buffer.from(`${out.join('\n')}\n`, 'latin1');
}

describe('parsed document memory', () => {
  const gc = collector();
  it.skipIf(gc === null)('a read line of entries costs at most 135 bytes of heap beside its text, a third with a comment (it was about 510, then 265 with an own start/end/eolLength and readings array per line, then 197 with sixteen slots per entry, then 172 with ten slots per entry and a brand slot per line, then 142 with seven: item, value text and reading read from objects shared by the entries of the same item and value, then 134 with six: the end packed with the gaps, then 127 with five: the domain read from the object shared by the entries of the same domain, type and item)', () => {
    const bytes = tree(100_000);
    gc!(); gc!();
    const before = process.memoryUsage().heapUsed;
    const doc = parseLimits(bytes, { profile: 'linux-pam-1.5.2' });
    let entries = 0;
    for (const l of doc.lines) for (const r of l.readings) if (r.kind === 'entry') entries++;
    gc!(); gc!();
    const perLine = (process.memoryUsage().heapUsed - before - doc.text.length) / doc.lines.length;
    expect(entries).toBe(90_000);
    expect(perLine).toBeLessThan(135);
  });

  it.skipIf(gc === null)('a read invalid line costs at most 150 bytes of heap beside its text, its problem and fields asked (it was about 650: fields, problem, message and spans kept per line)', () => {
    // a file lint reads line by line though none is a limit (a pasted list: 1, 2 or 3 fields, a comment)
    const out: string[] = [];
    for (let i = 0; i < 100_000; i++) out.push(i % 3 === 0 ? `bad${i % 7}` : i % 3 === 1 ? 'two fields' : `x y z${i % 5} # c`);
    const bytes = Buffer.from(`${out.join('\n')}\n`, 'latin1');
    gc!(); gc!();
    const before = process.memoryUsage().heapUsed;
    const doc = parseLimits(bytes, { profile: 'linux-pam-1.5.2' });
    let invalid = 0;
    for (const l of doc.lines) for (const r of l.readings) if (r.kind === 'invalid' && r.problem.code === 'too-few-fields' && r.fields.length > 0) invalid++;
    gc!(); gc!();
    const perLine = (process.memoryUsage().heapUsed - before - doc.text.length) / doc.lines.length;
    expect(invalid).toBe(100_000);
    expect(perLine).toBeLessThan(150);
  });

  it('fields made on access are equal each time, and a reading serialises to its plain shape', () => {
    const doc = parseLimits(Buffer.from('alice\thard\tNOFILE 4096 # x\n# c\n'), { profile: 'linux-pam-1.5.2' });
    const e = doc.lines[0]!.readings[0] as EntryReading;
    expect(e.domain).toEqual(e.domain);
    expect(e.item).toEqual({ start: 11, end: 17, raw: 'NOFILE' });
    expect(e.comment).toEqual({ start: 23, end: 26 });
    const plain = (e as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    expect(Object.keys(plain)).toEqual(['kind', 'span', 'comment', 'domain', 'type', 'item', 'value', 'extra', 'domainSpec',
      'typeText', 'itemText', 'valueText', 'limitType', 'itemInfo', 'parsedValue', 'problem']);
    expect(plain).toMatchObject({ kind: 'entry', span: { start: 0, end: 26 }, value: { start: 18, end: 22, raw: '4096' }, itemText: 'nofile', limitType: 'hard' });
    expect(plain['parsedValue']).toBe(e.parsedValue);
    expect(JSON.parse(JSON.stringify(doc.lines[1]!.readings[0]))).toEqual({ kind: 'comment', span: { start: 27, end: 30 }, comment: { start: 27, end: 30 } });
  });

  it('an entry packs its token offsets and keeps what few entries have aside, giving every field as the text holds it (random lines; seed printed)', () => {
    const seed = testSeed('entry offsets');
    const draw = rng(seed);
    const rnd = (n: number) => Math.floor(draw() * n);
    const blank = () => [' ', '\t', ' '.repeat(1 + rnd(3)), ' '.repeat(120 + rnd(20)), '\t\v '][rnd(5)]!;
    const tok = () => ['alice', '@Ops', '*', 'Soft', 'hard', '-', 'NOFILE', 'nproc', '4096', 'Unlimited', 'x'.repeat(1 + rnd(40))][rnd(11)]!;
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      let l = rnd(2) ? blank() : '';
      const n = 4 + (rnd(4) === 0 ? 1 + rnd(2) : 0);
      for (let k = 0; k < n; k++) l += (k ? blank() : '') + tok();
      if (rnd(3) === 0) l += `${blank()}# note ${i}`;
      lines.push(l);
    }
    const text = `${lines.join('\n')}\n`;
    for (const profile of ['linux-pam-1.5.2', 'linux-pam-1.7.0'] as const) {
      const doc = parseLimits(Buffer.from(text, 'latin1'), { profile, compareProfiles: false });
      let seen = 0;
      for (const line of doc.lines) {
        for (const r of line.readings) {
          if (r.kind !== 'entry') continue;
          seen++;
          const fs = [r.domain, r.type, r.item, r.value, ...r.extra];
          for (const f of fs) expect(text.slice(f.start, f.end), `${seedNote(seed)}: line ${line.index + 1}`).toBe(f.raw);
          for (let k = 1; k < fs.length; k++) expect(fs[k]!.start).toBeGreaterThan(fs[k - 1]!.end);
          expect(fs[0]!.start).toBeGreaterThanOrEqual(line.start);
          expect(r.itemText).toBe(r.item.raw.toLowerCase());
          const hash = text.indexOf('#', line.start);
          expect(r.comment).toEqual(hash >= 0 && hash < line.end ? { start: hash, end: line.end } : null);
        }
      }
      expect(seen).toBeGreaterThan(200);
    }
  });

  it('an invalid reading gives its fields, problem and comment at each read, split as its profile splits, and serialises to its plain shape', () => {
    const text = 'x  y\vz # c\n1:2:3000 hard nofile\nab\n';
    const want = (profile: 'linux-pam-1.5.2' | 'linux-pam-1.6.0' | 'linux-pam-1.7.0', yz: object[]) => {
      const doc = parseLimits(Buffer.from(text, 'latin1'), { profile, compareProfiles: false });
      const [a, b, c] = doc.lines.map((l) => l.readings[0]);
      if (a?.kind !== 'invalid' || b?.kind !== 'invalid' || c?.kind !== 'invalid') throw new Error('not invalid');
      expect(a.fields).toEqual([{ start: 0, end: 1, raw: 'x' }, ...yz]);
      expect(a.fields).not.toBe(a.fields);
      const n = a.fields.length;
      expect(a.problem).toEqual({ code: 'too-few-fields', message: `invalid line: ${n} field${n === 1 ? '' : 's'}; a limit needs <domain> <type> <item> <value>`, span: { start: 0, end: a.fields[n - 1]!.end } });
      expect(a.comment).toEqual({ start: 7, end: 10 });
      expect(a.span).toEqual({ start: 0, end: 10 });
      expect(b.problem).toEqual({ code: 'invalid-range', message: "invalid uid range '1:2:3000' - skipped (wrong max_uid/gid value in '1:2:3000')", span: { start: 11, end: 19, raw: '1:2:3000' } });
      expect(b.fields.map((f) => f.raw)).toEqual(['1:2:3000', 'hard', 'nofile']);
      expect(b.comment).toBeNull();
      expect(c.problem.span).toEqual({ start: 32, end: 34 });
      // asked again after other readings were split, and after another line was parsed
      expect(a.fields[0]).toEqual({ start: 0, end: 1, raw: 'x' });
      expect(c.fields).toEqual([{ start: 32, end: 34, raw: 'ab' }]);
      parseLimits(Buffer.from('p q\n'), { profile }).lines[0]!.readings;
      expect(c.fields).toEqual([{ start: 32, end: 34, raw: 'ab' }]);
      expect(JSON.parse(JSON.stringify(a))).toEqual({ kind: 'invalid', span: a.span, comment: a.comment, fields: a.fields, problem: a.problem });
      expect(Object.keys((a as unknown as { toJSON(): object }).toJSON())).toEqual(['kind', 'span', 'comment', 'fields', 'problem']);
    };
    // 1.5.2 splits on isspace (\v too); getline on space and tab only
    want('linux-pam-1.5.2', [{ start: 3, end: 4, raw: 'y' }, { start: 5, end: 6, raw: 'z' }]);
    want('linux-pam-1.6.0', [{ start: 3, end: 6, raw: 'y\vz' }]);
    want('linux-pam-1.7.0', [{ start: 3, end: 6, raw: 'y\vz' }]);
  });

  it('a line reads its offsets from the document and gives the same readings each time', () => {
    const doc = parseLimits(Buffer.from('alice hard nofile 1\n\n# c\nbob - nproc 2'), { profile: 'linux-pam-1.5.2' });
    expect(doc.lines.map((l) => [l.index, l.start, l.end, l.eolLength])).toEqual([[0, 0, 19, 1], [1, 20, 20, 1], [2, 21, 24, 1], [3, 25, 38, 0]]);
    const l = doc.lines[0]!;
    expect(l.readings).toHaveLength(1);
    expect(l.readings[0]).toBe(l.readings[0]);
    expect((l as unknown as { toJSON(): object }).toJSON()).toMatchObject({ index: 0, start: 0, end: 19, eolLength: 1, readings: [{ kind: 'entry', itemText: 'nofile' }] });
    const long = parseLimits(Buffer.from(`alice hard nofile 1 ${'x'.repeat(1100)}\n`), { profile: 'linux-pam-1.5.2' }).lines[0]!;
    expect(long.readings.length).toBe(2); // 1.5.2 reads a line of 1,120 bytes as two 1023-byte chunks
    expect(long.readings).toBe(long.readings);
  });
});
