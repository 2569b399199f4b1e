/**
 * readingIndex (src/core/lint/helpers.ts) sorts a file's readings into the lists the per-file
 * rules walk instead of every reading. The rules are only right if no reading a rule reports on is
 * left out of the list it walks: every entry in `entries`, every "no limits" and invalid reading
 * in `others`, and every stray header or line with template syntax in `markup` (stray-header
 * and template-placeholder walk only that list; syntaxOwner gives such lines to them). Checked on random lines of
 * hostile tokens under every release profile (seed printed).
 */
import { describe, expect, it } from 'vitest';
import { fieldsOf, isStrayHeader, ownerIn, readingIndex, syntaxOwner, templateSyntax } from '../../src/core/lint/helpers.js';
import type { RuleContext } from '../../src/core/lint/types.js';
import type { EntryReading, InvalidReading, NoLimitReading, Reading, TreeFile } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { PROFILE_NAMES } from '../../src/core/schema.js';
import { rng, seedNote, testSeed } from '../seed.js';

const TOKENS = [
  '*', '@admin', 'alice', '-', '%', '%staff', '1000:2000', ':5', '2000:1000', 'x:y', '@:7',
  'soft', 'hard', 'SOFT', '-', 'nofile', 'NPROC', 'maxlogins', 'bogus', 'chroot',
  '100', '0x10', 'unlimited', '-1', '007', '4k',
  '<domain>', '<type>', '<item>', '<value>', '<user>', '{{ limit }}', '{{', '}}', '{%', '%}', '<%=', '%>', '${NOFILE}', '${', '}', '$x', '<', '>',
  '#', '#c', '\t', '\r', 'é', '\x01',
];

const NO_COLON = TOKENS.filter((t) => !t.includes(':'));

function randomText(next: () => number, lines: number, noColon = false): string {
  const tokens = noColon ? NO_COLON : TOKENS;
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const n = Math.floor(next() * 7);
    const words: string[] = [];
    for (let k = 0; k < n; k++) words.push(tokens[Math.floor(next() * tokens.length)]!);
    out.push(words.join(next() < 0.2 ? '\t' : ' '));
  }
  return `${out.join('\n')}\n`;
}

describe('readingIndex', () => {
  it('puts every reading a rule reports on in the list that rule walks (random lines, every profile)', () => {
    const seed = testSeed('readingIndex lists');
    const next = rng(seed);
    let markupSeen = 0;
    let colonSeen = 0;
    let noColonSeen = 0;
    for (let round = 0; round < 60; round++) {
      const profile = PROFILE_NAMES[round % PROFILE_NAMES.length]!;
      const docs = [0, 1].map((i) => {
        // every third round without the tokens holding ':' (a file without uid ranges)
        const doc = parseLimits(randomText(next, 40, round % 3 === 2), { file: `f${i}.conf`, profile });
        return { file: { path: `f${i}.conf`, doc } as unknown as TreeFile, doc };
      });
      const ctx = { docs } as unknown as RuleContext;
      const index = readingIndex(ctx);
      expect(index.map((x) => x.file), seedNote(seed)).toEqual(docs.map((x) => x.file));
      // every reading but blank and comment ones, in reading order, with its file and line (the plain definition)
      const all = docs.flatMap(({ file, doc }) => doc.lines.flatMap((line) => line.readings
        .filter((reading) => reading.kind !== 'blank' && reading.kind !== 'comment').map((reading) => ({ file, line, reading }))));
      for (const [i, { file, doc }] of docs.entries()) {
        const x = index[i]!;
        const mine = all.filter((ref) => ref.file === file);
        // entries and others: the file's readings of their kinds, in reading order
        expect(x.entries, seedNote(seed)).toEqual(mine.filter((ref) => ref.reading.kind === 'entry').map((ref) => ref.reading));
        expect(x.entryLines, seedNote(seed)).toEqual(mine.filter((ref) => ref.reading.kind === 'entry').map((ref) => ref.line));
        expect(x.others, seedNote(seed)).toEqual(mine.filter((ref) => ref.reading.kind !== 'entry').map((ref) => ref.reading));
        // markup: every reading that is a stray header or holds template syntax (asked of its
        // fields directly, not through the markup-character test syntaxOwner shares with the
        // index), each with its line; syntaxOwner gives these readings to those two rules
        const owned = mine.filter((ref) => {
          const fields = fieldsOf(ref.reading as never);
          const markup = isStrayHeader(fields) || templateSyntax(fields) !== null;
          const o = syntaxOwner(ref.reading);
          expect(o === 'stray-header' || o === 'template', `${seedNote(seed)}: syntaxOwner of '${fields.map((f) => f.raw).join(' ')}'`).toBe(markup);
          return markup;
        });
        for (const ref of owned) {
          const at = x.markup.indexOf(ref.reading as Exclude<Reading, { kind: 'blank' | 'comment' }>);
          expect(at, `${seedNote(seed)}: ${profile} '${fieldsOf(ref.reading as never).map((f) => f.raw).join(' ')}' (${syntaxOwner(ref.reading)}) is not in markup`).toBeGreaterThanOrEqual(0);
          expect(x.markupLines[at], seedNote(seed)).toBe(ref.line);
        }
        markupSeen += owned.length;
        expect(x.doc).toBe(doc);
        // the narrow lists: each holds exactly the readings of its definition, in reading order
        const entries = mine.filter((ref) => ref.reading.kind === 'entry').map((ref) => ({ r: ref.reading as EntryReading, line: ref.line }));
        const valid = entries.filter(({ r }) => !r.problem && r.itemInfo && r.parsedValue);
        const note = seedNote(seed);
        expect(x.skipped, note).toEqual(entries.filter(({ r }) => r.problem).map(({ r }) => r));
        expect(x.noted, note).toEqual(valid.filter(({ r }) => r.parsedValue!.notes.length > 0 || r.itemInfo!.name === 'chroot').map(({ r }) => r));
        expect(x.valued, note).toEqual(valid.filter(({ r }) => ['nice', 'priority', 'rtprio', 'nofile', 'maxlogins', 'maxsyslogins'].includes(r.itemInfo!.name)).map(({ r }) => r));
        expect(x.extras, note).toEqual(entries.filter(({ r }) => r.extra.length > 0).map(({ r }) => r));
        const upper = entries.filter(({ r }) => r.type.raw !== r.typeText || r.item.raw !== r.itemText || r.value.raw !== r.valueText);
        expect(x.upper, note).toEqual(upper.map(({ r }) => r));
        expect(x.upperLines, note).toEqual(upper.map(({ line }) => line));
        expect(x.dashes, note).toEqual(mine.map((ref) => ref.reading).filter((r) => (r.kind === 'entry' || r.kind === 'nolimit') && r.domain.raw === '-'));
        expect(x.owned, note).toBe(owned.length);
        expect(x.colon, note).toBe(doc.text.includes(':'));
        for (const ref of mine) {
          const r = ref.reading as EntryReading | NoLimitReading | InvalidReading;
          // ownerIn, told whether the reading has a problem, answers as syntaxOwner does
          expect(ownerIn(x, r, !!r.problem), note).toBe(syntaxOwner(r));
          // without a ':' an invalid reading's problem is too-few-fields (what too-few-fields relies on)
          if (!x.colon && r.kind === 'invalid') expect(r.problem.code, note).toBe('too-few-fields');
          if (!x.colon) expect(r.problem?.code, note).not.toBe('invalid-range');
        }
        if (x.colon) colonSeen++; else noColonSeen++;
      }
    }
    // the random lines did hold stray headers and templates (the check above was not empty)
    expect(markupSeen, seedNote(seed)).toBeGreaterThan(20);
    expect(colonSeen, seedNote(seed)).toBeGreaterThan(10);
    expect(noColonSeen, seedNote(seed)).toBeGreaterThan(10);
  });
});
