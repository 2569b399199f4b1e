/**
 * `lint --fix` where two names of a tree are one file (a limits.d link to limits.conf, which
 * pam_limits reads twice): both names get the same fixes, the file is written once (commands/
 * lint.ts oneWritePerFile), and the link stays a link. Before, the writer refused the two names
 * (EDUPLICATE, exit 2) — in a repository after the trees before it had been fixed and written.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FixedFile, oneWritePerFile } from '../../src/cli/commands/lint.js';
import { runMain } from '../cli/helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-fix-same-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(root: string, conf: string, link: boolean): string {
  const sec = path.join(root, 'etc/security');
  mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
  writeFileSync(path.join(sec, 'limits.conf'), conf);
  if (link) symlinkSync('../limits.conf', path.join(sec, 'limits.d/link.conf'));
  return sec;
}

describe('lint --fix of a file with two names in its tree', () => {
  it('fixes it once through both names, in a repository after another tree, exit as the findings say', async () => {
    const repo = path.join(tmp, 'repo');
    const a = tree(path.join(repo, 'hosts/a'), 'alice SOFT nofile 5\n', false);
    const b = tree(path.join(repo, 'hosts/b'), 'bob SOFT nofile 5\n', true);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fixed 3 problems');
    expect(readFileSync(path.join(a, 'limits.conf'), 'utf8')).toBe('alice soft nofile 5\n');
    expect(readFileSync(path.join(b, 'limits.conf'), 'utf8')).toBe('bob soft nofile 5\n');
    expect(lstatSync(path.join(b, 'limits.d/link.conf')).isSymbolicLink()).toBe(true);
    // fixed: nothing left to fix
    const again = await runMain(['lint', '--profile', 'debian-12', 'hosts/*'], { cwd: repo });
    expect(again.stdout).not.toContain('fixable');
  });

  it('an absolute link to limits.conf is resolved in the tree, not on this machine: fixed once, exit as the findings say', async () => {
    const repo = path.join(tmp, 'abs');
    const a = tree(path.join(repo, 'hosts/a'), 'alice SOFT nofile 5\n', false);
    const b = tree(path.join(repo, 'hosts/b'), 'bob SOFT nofile 5\n', false);
    symlinkSync('/etc/security/limits.conf', path.join(b, 'limits.d/abs.conf'));
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0); // a warning is left: limits.conf's line is read again later through the link (LC302)
    expect(r.stdout).toContain('fixed 3 problems');
    expect(readFileSync(path.join(a, 'limits.conf'), 'utf8')).toBe('alice soft nofile 5\n');
    expect(readFileSync(path.join(b, 'limits.conf'), 'utf8')).toBe('bob soft nofile 5\n');
    expect(lstatSync(path.join(b, 'limits.d/abs.conf')).isSymbolicLink()).toBe(true);
  });

  it('two files of the tree that are one file on this machine (through a host link) are both fixed', async () => {
    // in the tree, <tmp>/p/f.conf and <tmp>/q/f.conf are two files; on this machine <tmp>/q is a
    // link to <tmp>/p, so the host's realpath would make them one and fix only one
    const host = path.join(tmp, 'host');
    mkdirSync(path.join(host, 'p'), { recursive: true });
    writeFileSync(path.join(host, 'p/f.conf'), 'bob SOFT nofile 5\n');
    symlinkSync('p', path.join(host, 'q'));
    const root = path.join(tmp, 'hostlinks');
    const sec = tree(root, '# nothing here\n', false);
    for (const d of ['p', 'q']) {
      mkdirSync(path.join(root, host, d), { recursive: true });
      writeFileSync(path.join(root, host, d, 'f.conf'), 'bob SOFT nofile 5\n');
      symlinkSync(path.join(host, d, 'f.conf'), path.join(sec, `limits.d/${d}.conf`));
    }
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', '--root', root]);
    expect(r.stderr).toBe('');
    for (const d of ['p', 'q']) expect(readFileSync(path.join(root, host, d, 'f.conf'), 'utf8'), d).toBe('bob soft nofile 5\n');
    expect(readFileSync(path.join(host, 'p/f.conf'), 'utf8')).toBe('bob SOFT nofile 5\n'); // the machine's own file untouched
    const again = await runMain(['lint', '--profile', 'debian-12', '--root', root]);
    expect(again.stdout).not.toContain('fixable');
  });

  it('a dry run shows both names\' diffs and writes nothing', async () => {
    const root = path.join(tmp, 'dry');
    const sec = tree(root, 'bob SOFT nofile 5\n', true);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', '--dry-run', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+\+\+ b\/\S*etc\/security\/limits\.conf$/m);
    expect(r.stdout).toMatch(/^\+\+\+ b\/\S*etc\/security\/limits\.d\/link\.conf$/m);
    expect(readFileSync(path.join(sec, 'limits.conf'), 'utf8')).toBe('bob SOFT nofile 5\n');
  });
});

describe('oneWritePerFile', () => {
  const f = (abs: string, after: string, before = 'x SOFT nofile 5\n'): FixedFile => ({ file: abs, abs, before, after, fixes: 1 });
  const real = (abs: string): string => {
    if (abs.includes('gone')) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return abs.replace('/limits.d/link.conf', '/limits.conf');
  };
  it('keeps one name per real file when the names change it alike, in the order given', () => {
    const list = [f('/t/limits.conf', 'x soft nofile 5\n'), f('/t/other.conf', 'y\n'), f('/t/limits.d/link.conf', 'x soft nofile 5\n')];
    expect(oneWritePerFile(list, real)).toEqual([list[0], list[1]]);
  });
  it('keeps both names of a file whose new (or old) contents differ: the writer refuses them', () => {
    const differ = [f('/t/limits.conf', 'x soft nofile 5\n'), f('/t/limits.d/link.conf', 'x soft nofile 6\n')];
    expect(oneWritePerFile(differ, real)).toEqual(differ);
    const before = [f('/t/limits.conf', 'z\n'), f('/t/limits.d/link.conf', 'z\n', 'other\n')];
    expect(oneWritePerFile(before, real)).toEqual(before);
  });
  it('keeps a name that does not resolve as it is', () => {
    const list = [f('/t/gone.conf', 'a\n'), f('/t/gone.conf', 'a\n')];
    expect(oneWritePerFile(list, real)).toEqual(list);
  });
});
