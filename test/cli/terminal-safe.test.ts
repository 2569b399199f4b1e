/**
 * Text output never hands a terminal raw control characters from the files: a limits.d name
 * holding an escape sequence or a newline, a domain holding one (src/formatters/terminal.ts).
 * Colour on: only limitsctl's own SGR codes (ESC [ digits m) reach the terminal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStyle } from '../../src/formatters/style.js';
import { escapeControls, terminalSafe } from '../../src/formatters/terminal.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-terminal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const root = path.join(tmp, 'tree');
const d = path.join(root, 'etc/security/limits.d');
mkdirSync(d, { recursive: true });
writeFileSync(path.join(root, 'etc/security/limits.conf'), '* soft nofile 10\n');
writeFileSync(path.join(d, 'a\u001b]0;owned\u0007.conf'), '* hard nofile 20\n');
writeFileSync(path.join(d, 'b\nx.conf'), '* hard nproc 30\n');
writeFileSync(path.join(d, 'c.conf'), '\u001b[2J* soft nofile 7\n');

// any control character but a newline, and with colour any ESC that does not start an SGR code
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const RAW_BUT_SGR = /\u001b(?!\[[0-9;]*m)|[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f]/;
const who = ['--user', 'x', '--uid', '5', '--gid', '5'];

describe.each([
  ['get', ['get', 'nofile', ...who]],
  ['explain --all', ['explain', 'nofile', '--all', ...who]],
  ['effective', ['effective', ...who]],
  ['files', ['files']],
])('%s', (_name, args) => {
  it('without colour: no raw control character, the names escaped', () => {
    const r = cli([...args, '--root', root, '--no-color']);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('a\\x1b]0;owned\\x07.conf');
  });
  it('with colour: only SGR colour codes', () => {
    const r = cli([...args, '--root', root, '--color']);
    expect(r.stdout).toContain('\u001b[');
    expect(r.stdout).not.toMatch(RAW_BUT_SGR);
  });
});

it('a newline in a name is shown escaped, not as a line break', () => {
  const r = cli(['files', '--root', root, '--no-color']);
  expect(r.stdout).toContain('limits.d/b\\x0ax.conf');
  const e = cli(['explain', 'nofile', '--all', ...who, '--root', root, '--no-color']);
  expect(e.stdout).toContain('\\x1b[2J* soft nofile 7');
});

it('escapeControls and terminalSafe', () => {
  expect(escapeControls('a\tb\u0085c\u007f')).toBe('a\\x09b\\u0085c\\x7f');
  expect(escapeControls('plain')).toBe('plain');
  expect(terminalSafe('x\u001b[31my\u001b[39m\n\u0007', true)).toBe('x\u001b[31my\u001b[39m\n\\x07');
  expect(terminalSafe('x\u001b[31my\n', false)).toBe('x\\x1b[31my\n');
  expect(terminalSafe('\u001b]0;t\u0007', true)).toBe('\\x1b]0;t\\x07');
  // only the codes style.ts writes pass: conceal (8) and blink (5) from a name are escaped
  expect(terminalSafe('a\u001b[8mb\u001b[5m', true)).toBe('a\\x1b[8mb\\x1b[5m');
  const style = makeStyle(true);
  for (const f of [style.bold, style.dim, style.red, style.green, style.yellow, style.cyan]) expect(terminalSafe(f('x'), true)).toBe(f('x'));
});

describe('names in diffs, "wrote" lines and errors', () => {
  const r2 = path.join(tmp, 'edit');
  mkdirSync(path.join(r2, 'etc/security/limits.d'), { recursive: true });
  writeFileSync(path.join(r2, 'etc/passwd'), 'bob:x:1000:1000::/h:/bin/sh\n');
  writeFileSync(path.join(r2, 'etc/group'), 'bob:x:1000:\n');
  writeFileSync(path.join(r2, 'etc/security/limits.conf'), '');
  const evil = path.join(r2, 'etc/security/limits.d/b\u001b]0;T\u0007\n.conf');
  writeFileSync(evil, 'bob hard NOFILE 1\n');

  it('a diff header quotes the name as git does; the wrote line escapes it', () => {
    const dry = cli(['set', 'nofile', '6', '-t', 'hard', '-u', 'bob', '--root', r2, '--profile', 'debian', '-n', '--no-color']);
    expect(dry.stdout).toContain('--- "a/etc/security/limits.d/b\\033]0;T\\a\\n.conf"\n+++ "b/etc/security/limits.d/b\\033]0;T\\a\\n.conf"\n');
    expect(dry.stdout).not.toMatch(RAW);
    const w = cli(['set', 'nofile', '6', '-t', 'hard', '-u', 'bob', '--root', r2, '--profile', 'debian', '--backup', '--no-color']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain('wrote etc/security/limits.d/b\\x1b]0;T\\x07\\x0a.conf');
    expect(w.stdout + w.stderr).not.toMatch(RAW);
  });

  it('an error quoting an argument or a file shows it escaped', () => {
    const e = cli(['get', 'nofile\u001b[2J', '--root', r2]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('nofile\\x1b[2J');
    expect(e.stderr).not.toMatch(RAW);
  });
});

it("the GitHub format's data escapes: its own for %, CR, LF; \\xNN for any other control character", async () => {
  const { escapeData, escapeProperty } = await import('../../src/formatters/github.js');
  expect(escapeData('50% a\r\nb\u001b]0;t\u0007')).toBe('50%25 a%0D%0Ab\\x1b]0;t\\x07');
  expect(escapeProperty('a:b,\u001bc')).toBe('a%3Ab%2C\\x1bc');
});
