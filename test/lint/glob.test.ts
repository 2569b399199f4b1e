/**
 * `ignore[]` globs of .limitsctl.ini (src/core/lint/glob.ts, picomatch; docs/lint.md "Settings"):
 * what each documented form matches, and that a pattern that cannot be used is a settings error
 * (exit 2, the file and the pattern named, no stack trace), never a crash.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GlobError, globToRegExp } from '../../src/core/lint/glob.js';
import { parseSettings, SettingsError } from '../../src/io/settings.js';
import { runMain } from '../cli/helpers.js';

const m = (glob: string, p: string) => globToRegExp(glob).test(p);

describe('ignore[] globs', () => {
  const matches: Array<[string, string, boolean]> = [
    // * and ? within one segment, names with a leading dot included
    ['hosts/*.conf', 'hosts/a.conf', true],
    ['hosts/*.conf', 'hosts/a/b.conf', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['*', '.hidden', true],
    // ** across segments, at the start, the middle and the end
    ['**', 'a/b/c', true],
    ['**/x.conf', 'x.conf', true],
    ['**/x.conf', 'a/b/x.conf', true],
    ['hosts/**/limits.conf', 'hosts/limits.conf', true],
    ['hosts/**/limits.conf', 'hosts/a/etc/security/limits.conf', true],
    ['hosts/legacy/**', 'hosts/legacy/etc/security/limits.conf', true],
    ['hosts/legacy/**', 'hosts/legacy', true],
    ['hosts/legacy/**', 'hosts/legacy2/x', false],
    // a bare name matches at any depth; a directory covers what is below it; anchored otherwise
    ['*.rpmnew', 'etc/security/limits.d/a.conf.rpmnew', true],
    ['.hidden', 'a/.hidden/f', true],
    ['hosts/legacy', 'hosts/legacy/x', true],
    ['hosts/legacy', 'hosts/legacy2/x', false],
    ['limits.d/*.conf', 'etc/security/limits.d/a.conf', false],
    ['etc/security/limits.d/*.conf', 'etc/security/limits.d/a.conf', true],
    ['./hosts/a/', 'hosts/a/b', true],
    ['/hosts/a', 'hosts/a', true],
    // character classes: sets, ranges, negation with ! or ^, POSIX classes
    ['[ab].conf', 'b.conf', true],
    ['[ab].conf', 'c.conf', false],
    ['[a-c]x', 'bx', true],
    ['[!a]x', 'bx', true],
    ['[!a]x', 'ax', false],
    ['[!a]x', '!x', true],
    ['[^a]x', 'ax', false],
    ['[[:digit:]].conf', '7.conf', true],
    ['[[:digit:]].conf', 'a.conf', false],
    // braces
    ['{a,b}.conf', 'b.conf', true],
    ['{a,b}.conf', 'x/a.conf', true],
    ['{a,b}.conf', 'c.conf', false],
    ['x{1..3}', 'x2', true],
    ['x{1..3}', 'x4', false],
  ];
  for (const [glob, p, expected] of matches) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${p}`, () => {
      expect(m(glob, p)).toBe(expected);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['{a,b', /missing closing: "}"/],
    ['[a', /missing closing: "]"/],
    ['a]', /missing opening: "\["/],
    ['a(b', /missing closing: "\)"/],
    ['[z-a]', /range out of order/],
    ['!hosts/keep', /leading '!' \(negation\) is not supported/],
    ['/', /an empty pattern/],
  ];
  for (const [glob, why] of refused) {
    it(`refuses ${glob}: a GlobError, not a crash`, () => {
      expect(() => globToRegExp(glob)).toThrow(GlobError);
      expect(() => globToRegExp(glob)).toThrow(why);
      expect(() => parseSettings(`ignore[] = ${glob}`, '/repo/.limitsctl.ini')).toThrow(SettingsError);
      expect(() => parseSettings(`ignore[] = ${glob}`, '/repo/.limitsctl.ini')).toThrow(/^\/repo\/\.limitsctl\.ini: ignore\[\] = .*not a usable glob pattern/);
    });
  }

  it('lint --config with ignore[] = {a,b: exit 2, one line naming the file and the pattern', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-glob-'));
    const config = path.join(dir, 'lint.ini');
    writeFileSync(config, 'ignore[] = hosts/*\nignore[] = {a,b\n');
    const r = await runMain(['lint', '--config', config, '--root', path.join(dir)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`limitsctl: ${config}: ignore[] = {a,b: not a usable glob pattern (missing closing: "}")`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
