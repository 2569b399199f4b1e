/**
 * A directory or file whose name is not UTF-8, met while lint expands its PATHs (a directory
 * searched for trees, a glob): Node decodes the name with U+FFFD, and the path so made names
 * nothing, so limitsctl cannot read it. It is refused by name (exit 2, nothing read or written:
 * io/lint-targets.ts refuseUnnamable), not skipped in silence as before (`lint hosts` linted the
 * other trees and said nothing of it). Inside a tree's etc/security such a name stays the tree's
 * to report (LC306 for a limits.d file, LC301 for a directory).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../cli/helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-unnamable-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `dir`/`name` where name is raw bytes (not UTF-8), as a Buffer path. */
const raw = (dir: string, ...name: Array<string | number[]>): Buffer =>
  Buffer.concat([Buffer.from(`${dir}/`), ...name.map((n) => (typeof n === 'string' ? Buffer.from(n) : Buffer.from(n)))]);

function tree(root: string | Buffer, conf: string): void {
  const sec = Buffer.concat([Buffer.from(root), Buffer.from('/etc/security')]);
  mkdirSync(Buffer.concat([sec, Buffer.from('/limits.d')]), { recursive: true });
  writeFileSync(Buffer.concat([sec, Buffer.from('/limits.conf')]), conf);
}

describe('a name that is not UTF-8 on the way to the trees', () => {
  const repo = path.join(tmp, 'repo');
  tree(path.join(repo, 'hosts/a'), 'alice SOFT nofile 5\n');
  tree(raw(repo, 'hosts/', [0xff]), 'bob SOFT nofile 5\n');

  for (const args of [['hosts'], ['hosts/*'], ['--fix', 'hosts/*'], ['--fix', 'hosts']]) {
    it(`lint ${args.join(' ')}: exit 2 naming it, nothing written`, async () => {
      const r = await runMain(['lint', '--profile', 'debian-12', ...args], { cwd: repo });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('hosts/\uFFFD: a name on this path is not UTF-8');
      expect(r.stderr).toContain('Rename it');
      expect(readFileSync(path.join(repo, 'hosts/a/etc/security/limits.conf'), 'utf8')).toBe('alice SOFT nofile 5\n');
    });
  }

  for (const glob of ['hosts/*/etc/security/limits.conf', 'hosts/**/limits.conf']) {
    it(`a glob whose walk passes the directory (${glob}): exit 2 naming it`, async () => {
      const r = await runMain(['lint', '--profile', 'debian-12', glob], { cwd: repo });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('hosts/\uFFFD: a name on this path is not UTF-8');
    });
  }

  it('a directory really named U+FFFD beside it does not hide it', async () => {
    const other = path.join(tmp, 'beside');
    tree(path.join(other, 'hosts/a'), 'alice soft nofile 5\n');
    tree(path.join(other, 'hosts/\uFFFD'), 'carol soft nofile 5\n');
    tree(raw(other, 'hosts/', [0xff]), 'bob soft nofile 5\n');
    const r = await runMain(['lint', '--profile', 'debian-12', 'hosts'], { cwd: other });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not UTF-8');
  });

  it('the tree with the UTF-8 name alone is linted as before', async () => {
    const r = await runMain(['lint', '--profile', 'debian-12', 'hosts/a'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LC011');
  });
});

describe('a name that is not UTF-8 inside a tree', () => {
  const root = path.join(tmp, 'inside');
  tree(root, 'alice soft nofile 5\n');
  writeFileSync(raw(root, 'etc/security/limits.d/', [0xff], '.conf'), 'bob soft nofile 5\n');

  it('searched for trees: the tree reports it (LC306), no refusal', async () => {
    const r = await runMain(['lint', '--profile', 'debian-12', '.'], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/limits\.d\/\\xff\.conf:1:1 warning LC306/);
  });

  it('its limits.d named as a directory: refused with the same hint, not "no problems in 0 files"', async () => {
    const r = await runMain(['lint', '--profile', 'debian-12', 'etc/security/limits.d'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Lint its tree instead (limitsctl lint .)');
  });

  it('matched by a glob: refused with a hint to lint the tree (which reports it)', async () => {
    const r = await runMain(['lint', '--profile', 'debian-12', 'etc/security/limits.d/*'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not UTF-8');
    expect(r.stderr).toContain('Lint its tree instead (limitsctl lint .)');
  });
});
