/**
 * FileLines.reachable (src/core/edit/lines.ts) finds the lines an account's resolution can reach by
 * searching the text with regular expressions (the distinct first tokens, then the lines of the
 * matching ones); a file with more distinct first tokens than it searches for is walked line by
 * line. Both must keep exactly the lines of the rule its docstring states, written here again one
 * line at a time: every line too long to be read whole by 1.5.2 (1022 bytes with its newline),
 * every line whose first token holds \v, \f or \r, and the lines whose first token `matches`
 * accepts — with items, only those that mention an item name in any ASCII case or have at most
 * two fields before '#', NUL or '\n'.
 *
 * Random texts made of the bytes that decide those rules: blanks of every kind, '#', NUL, CR,
 * bytes above 0x7f, regular-expression metacharacters inside tokens, item names in odd cases
 * and inside other words, over-long lines; some texts have more than 64 distinct first tokens,
 * some have first tokens that appear only after the lines read one by one before the first search.
 * The seed is printed (LIMITSCTL_SEED reruns it).
 */
import { describe, expect, it } from 'vitest';
import { FileLines, itemPattern } from '../../../src/core/edit/lines.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const SEED = testSeed('edit reachable lines');

/** The rule, one line at a time: the indices of the lines kept. */
function reference(text: string, matches: (t: string) => boolean, names: readonly string[] | null): number[] {
  const out: number[] = [];
  const lines: Array<[number, number]> = [];
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at);
    const next = nl < 0 ? text.length : nl + 1;
    lines.push([at, next]);
    at = next;
  }
  lines.forEach(([start, next], i) => {
    const line = text.slice(start, next);
    if (next - start >= 1022) { out.push(i); return; }
    const token = /^[ \t\n\v\f\r]*([^ \t#\0\n]*)/.exec(line)![1]!;
    if (token === '') return;
    if (/[\v\f\r]/.test(token)) { out.push(i); return; }
    if (!matches(token)) return;
    if (names === null) { out.push(i); return; }
    const body = line.replace(/\n$/, '');
    const lower = body.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (names.some((n) => lower.includes(n))) { out.push(i); return; }
    const beforeComment = body.split(/[#\0]/)[0]!;
    const fields = beforeComment.split(/[ \t]+/).filter((f) => /[^\v\f\r]/.test(f));
    if (fields.length <= 2) out.push(i);
  });
  return out;
}

const TOKENS = ['*', 'alice', 'bob', '@wheel', '@:1000', '1000:1999', '%', '%wheel', 'a.b', 'a+b', '(x)', '[y]', 'x|y', '^z$', 'back\\slash', 'q?', '{2}', 'w-d', '\xe9t\xe9', 'ALICE', 'alice2', 'nofile'];
const BLANKS = [' ', '\t', '  ', '\v', '\f', '\r', ' \v ', '\t\r'];
const ITEMS = ['nofile', 'NOFILE', 'NoFile', 'nproc', 'maxlogins', 'MaxSysLogins', 'core', 'xnofilex', 'nofil', 'NO\xcdFILE'];

function randomLine(r: () => number, many: boolean, pool: readonly string[] = TOKENS): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const token = many && r() < 0.5 ? `u${Math.floor(r() * 200)}` : pick(pool);
  const b = () => (r() < 0.7 ? ' ' : pick(BLANKS));
  const x = r();
  if (x < 0.05) return `# ${pick(ITEMS)}`;
  if (x < 0.08) return pick(['', ' ', '\r', '\v\f', '\0x']);
  if (x < 0.1) return `${token}${b()}-${' '.repeat(1015 + Math.floor(r() * 12))}${pick(ITEMS)}`;
  if (x < 0.13) return `${b()}${token}${pick(['\v', '\r', '\f'])}x${b()}-${b()}${pick(ITEMS)} 1`;
  if (x < 0.25) return `${r() < 0.3 ? b() : ''}${token}${b()}${pick(['-', 'x', '-#', '- \v', '\v\v', '- # a b c', '-\0 a b', ''])}`;
  const comment = r() < 0.15 ? `${pick(['#', '\0', ' #'])} ${pick(ITEMS)}` : '';
  return `${r() < 0.2 ? b() : ''}${token}${b()}${pick(['soft', 'hard', '-'])}${b()}${pick(ITEMS)}${b()}${pick(['1', '10', 'unlimited'])}${comment}`;
}

describe('FileLines.reachable keeps exactly the lines of its rule', () => {
  it(`random texts, searched and walked line by line (${seedNote(SEED)})`, () => {
    const r = rng(SEED);
    let many = 0;
    let late = 0;
    for (let t = 0; t < 300; t++) {
      const manyTokens = t % 5 === 4;
      // some texts are longer than the lines read one by one before the first search (256), with
      // first tokens that appear only after them, a few at a time
      const long = t % 5 === 3;
      const n = manyTokens ? 150 + Math.floor(r() * 100) : long ? 300 + Math.floor(r() * 500) : 1 + Math.floor(r() * 40);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(randomLine(r, manyTokens, long ? TOKENS.slice(0, 3 + Math.floor(i / 40)) : TOKENS));
      const eol = r() < 0.15 ? '\r\n' : '\n';
      const text = lines.join(eol) + (r() < 0.7 ? eol : '');
      const distinct = new Set(lines.map((l) => /^[ \t\n\v\f\r]*([^ \t#\0\n]*)/.exec(l)![1]));
      if (distinct.size > 64) many++;
      const early = new Set(lines.slice(0, 256).map((l) => /^[ \t\n\v\f\r]*([^ \t#\0\n]*)/.exec(l)![1]));
      if ([...distinct].some((d) => !early.has(d))) late++;
      const accepted = new Set(TOKENS.filter(() => r() < 0.4));
      if (r() < 0.5) for (let u = 0; u < 200; u++) if (r() < 0.3) accepted.add(`u${u}`);
      const matches = (tok: string) => accepted.has(tok);
      const names = r() < 0.25 ? null : [...new Set([['nofile', 'maxlogins', 'maxsyslogins'], ['nproc'], ['core', 'nofile']][Math.floor(r() * 3)]!)];
      const fl = new FileLines(text, 'debian-12');
      const note = `${seedNote(SEED)}, text ${t}, names ${JSON.stringify(names)}, accepted ${JSON.stringify([...accepted])}\n${JSON.stringify(text)}`;
      const want = reference(text, matches, names);
      const pattern = names === null ? null : itemPattern(names);
      expect(fl.reachable(matches, pattern).map((l) => l.index), note).toEqual(want);
      // a second call (another account) reads the kept first tokens
      const other = new Set([...accepted].filter(() => r() < 0.5));
      expect(fl.reachable((tok) => other.has(tok), pattern).map((l) => l.index), note).toEqual(reference(text, (tok) => other.has(tok), names));
      // the edited file's lines (FileLines.edited) search their own text
      // (its index is the old one shifted, with the edited stretch read again: an insertion, or a
      // replacement that may join lines into a long one or split one)
      const at = Math.floor(r() * (text.length + 1));
      const length = r() < 0.5 ? 0 : Math.min(text.length - at, Math.floor(r() * 300));
      const insert = r() < 0.2 ? 'x'.repeat(Math.floor(r() * 1100)) : `${randomLine(r, manyTokens)}${r() < 0.8 ? '\n' : ''}`;
      const after = text.slice(0, at) + insert + text.slice(at + length);
      const edited = fl.edited(after, [{ offset: at, length, content: insert }]);
      expect(edited.reachable(matches, pattern).map((l) => l.index), `${note}\nedited at ${at} (${length} bytes)\n${JSON.stringify(after)}`).toEqual(reference(after, matches, names));
    }
    // the line-by-line walk was taken too
    expect(many).toBeGreaterThan(20);
    expect(late).toBeGreaterThan(40);
  });
});
