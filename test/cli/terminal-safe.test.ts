/**
 * Text output never hands a terminal raw control characters from the files: a limits.d name
 * holding an escape sequence or a newline, a domain holding one (src/formatters/terminal.ts).
 * Colour on: only limitsctl's own SGR codes (ESC [ digits m) reach the terminal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
