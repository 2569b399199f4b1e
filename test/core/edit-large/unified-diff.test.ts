/**
 * unifiedDiff (src/core/edit/unified-diff.ts) prints exactly what jsdiff's createTwoFilesPatch
 * printed for the display text of both files — the diff `set --dry-run` showed before it stopped
 * splitting whole files — on random files made to be hard for a line diff (repeated and blank lines,
 * bytes shown as escapes, CRLF, no final newline, empty files) and random edits.
 */
import * as jsdiff from 'diff';
import { describe, expect, it } from 'vitest';
import { type JsDiff, unifiedDiff } from '../../../src/core/edit/unified-diff.js';
import { binaryToDisplay } from '../../../src/core/model.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const today = (oldName: string, newName: string, before: string, after: string, context: number): string =>
  jsdiff.createTwoFilesPatch(oldName, newName, binaryToDisplay(before), binaryToDisplay(after), undefined, undefined, { context });

const fast = (oldName: string, newName: string, before: string, after: string, context: number): string =>
  unifiedDiff(jsdiff as unknown as JsDiff, oldName, newName, before, after, context);

// few distinct lines, so a line diff meets many equally short answers
const VOCAB = ['', 'a', 'b', 'admin - nofile 4096', '* hard nproc 10', '# End of file', 'x\x01', 'x\\x01', 'caf\xc3\xa9', '\xff', '\t', 'a\r'];

function randomText(r: () => number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(VOCAB[Math.floor(r() * VOCAB.length)]!);
  const eol = r() < 0.2 ? '\r\n' : '\n';
  return out.join(eol) + (r() < 0.25 ? '' : eol);
}

function randomEdit(r: () => number, text: string): string {
  const lines = text.split('\n');
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (lines.length + 1));
    const x = r();
    if (x < 0.3) lines.splice(at, 0, VOCAB[Math.floor(r() * VOCAB.length)]!);
    else if (x < 0.55) lines.splice(at, 1 + Math.floor(r() * 3));
    else if (x < 0.8) lines.splice(at, 1, VOCAB[Math.floor(r() * VOCAB.length)]!);
    else if (lines[at] !== undefined) lines[at] = `${lines[at]}9`;
    else lines.push('tail');
  }
  let out = lines.join('\n');
  if (r() < 0.1) out = out.endsWith('\n') ? out.slice(0, -1) : `${out}\n`;
  return out;
}

describe('unifiedDiff: the text of jsdiff createTwoFilesPatch', () => {
  it('random small files and edits, contexts 0 to 4', () => {
    const seed = testSeed('unified-diff small');
    const r = rng(seed);
    for (let t = 0; t < 3000; t++) {
      const before = r() < 0.05 ? '' : randomText(r, Math.floor(r() * 30));
      const after = r() < 0.05 ? '' : randomEdit(r, before);
      const context = Math.floor(r() * 5);
      const oldName = r() < 0.1 ? '/dev/null' : 'a/etc/security/limits.conf';
      expect(fast(oldName, 'b/etc/security/limits.conf', before, after, context), `${seedNote(seed)}, case ${t}: ${JSON.stringify({ before, after, context })}`)
        .toBe(today(oldName, 'b/etc/security/limits.conf', before, after, context));
    }
  });

  it('a long file with edits at the start, the middle and the end (the shared head and tail are not compared line by line)', () => {
    const seed = testSeed('unified-diff long');
    const r = rng(seed);
    const base = randomText(r, 5000);
    for (let t = 0; t < 40; t++) {
      const after = randomEdit(r, base);
      expect(fast('a/x', 'b/x', base, after, 3), `${seedNote(seed)}, case ${t}`).toBe(today('a/x', 'b/x', base, after, 3));
    }
  });

  it('a byte and the escape it is shown as are one line to the diff, as to jsdiff', () => {
    const before = 'one\nx\x01\ntwo\n';
    const after = 'one\nx\\x01\ntwo\nthree\n';
    expect(fast('a/f', 'b/f', before, after, 3)).toBe(today('a/f', 'b/f', before, after, 3));
    expect(fast('a/f', 'b/f', before, after, 3)).not.toContain('-x');
  });
});
