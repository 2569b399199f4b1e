import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTree } from '../../src/io/tree.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tree(files: Record<string, string | null>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-tree-'));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(content === null ? abs : path.dirname(abs), { recursive: true });
    if (content !== null) writeFileSync(abs, content);
  }
  return root;
}

describe('loadTree (docs/pam_limits-semantics.md, Files)', () => {
  it('reads limits.conf, then limits.d/*.conf in C byte order, and reports what it ignores', () => {
    const root = tree({
      'etc/security/limits.conf': '* soft nofile 1\n',
      'etc/security/limits.d/9-b.conf': '',
      'etc/security/limits.d/10-a.conf': '',
      'etc/security/limits.d/A.conf': '',
      'etc/security/limits.d/a.conf': '',
      'etc/security/limits.d/a_b.conf': '',
      'etc/security/limits.d/a-b.conf': '',
      'etc/security/limits.d/.hidden.conf': '',
      'etc/security/limits.d/99-tuning.cfg': '',
      'etc/security/limits.d/x.conf.bak': '',
      'etc/security/limits.d/UP.CONF': '',
      'etc/security/limits.d/sub/': null,
      'etc/security/limits.d/zz.conf/': null,
    });
    const t = loadTree(root, { profile: 'debian-12' });
    expect(t.files.map((f) => f.path.replace('etc/security/', ''))).toEqual([
      'limits.conf', 'limits.d/10-a.conf', 'limits.d/9-b.conf', 'limits.d/A.conf', 'limits.d/a-b.conf',
      'limits.d/a.conf', 'limits.d/a_b.conf', 'limits.d/zz.conf',
    ]);
    expect(t.files.at(-1)).toMatchObject({ status: 'directory' });
    expect(t.files.at(-1)!.doc!.lines).toHaveLength(0);
    const ignored = Object.fromEntries(t.ignored.map((i) => [i.path.replace('etc/security/limits.d/', ''), i.reason]));
    expect(ignored).toEqual({ '.hidden.conf': 'hidden', '99-tuning.cfg': 'suffix', 'x.conf.bak': 'suffix', 'UP.CONF': 'suffix', sub: 'subdirectory' });
    expect(t.failure).toBeNull();
  });

  it('1.5.2: a missing limits.conf fails the session; 1.7 treats it as empty', () => {
    const root = tree({ 'etc/security/limits.d/a.conf': '* soft nofile 5\n' });
    expect(loadTree(root, { profile: 'debian-12' }).failure?.file).toBe('etc/security/limits.conf');
    expect(loadTree(root, { profile: 'linux-pam-1.5.2' }).failure).not.toBeNull();
    expect(loadTree(root, { profile: 'linux-pam-1.7.2' }).failure).toBeNull();
  });

  it('1.5.2: a dangling drop-in symlink fails the session; 1.7 skips it', () => {
    const root = tree({ 'etc/security/limits.conf': '', 'etc/security/limits.d/': null });
    symlinkSync('nowhere.conf', path.join(root, 'etc/security/limits.d/50-gone.conf'));
    const t = loadTree(root, { profile: 'debian-12' });
    expect(t.files[1]).toMatchObject({ status: 'dangling-symlink' });
    expect(t.files[1]!.fatal).toMatch(/dangling/);
    expect(loadTree(root, { profile: 'linux-pam-1.7.2' }).failure).toBeNull();
  });

  it('follows a symlinked limits.conf inside the root, refuses one leading outside', () => {
    const root = tree({ 'etc/security/real.conf': 'admin soft nproc 5\n', 'etc/security/limits.d/': null });
    symlinkSync('real.conf', path.join(root, 'etc/security/limits.conf'));
    const t = loadTree(root);
    expect(t.files[0]).toMatchObject({ status: 'ok', realPath: 'etc/security/real.conf' });
    expect(t.files[0]!.doc!.lines).toHaveLength(1);
    const outside = tree({ 'etc/security/limits.d/': null });
    symlinkSync('../../../../../../../../etc/hostname', path.join(outside, 'etc/security/limits.conf'));
    expect(loadTree(outside).files[0]!.status).toBe('outside-root');
  });

  it('1.7: vendor drop-ins merge by basename, /etc shadows the vendor file; vendor limits.conf only when /etc has none', () => {
    const root = tree({
      'usr/share/pam/security/limits.conf': '* soft nofile 1\n',
      'usr/share/pam/security/limits.d/a.conf': '',
      'usr/share/pam/security/limits.d/b.conf': '',
      'usr/share/pam/security/limits.d/c.conf': '',
      'etc/security/limits.d/b.conf': '',
    });
    const t = loadTree(root, { profile: 'linux-pam-1.7.2' });
    expect(t.files.map((f) => f.path)).toEqual([
      'usr/share/pam/security/limits.conf', 'usr/share/pam/security/limits.d/a.conf',
      'etc/security/limits.d/b.conf', 'usr/share/pam/security/limits.d/c.conf',
    ]);
    expect(t.ignored.find((i) => i.reason === 'shadowed')?.path).toBe('usr/share/pam/security/limits.d/b.conf');
    // 1.5.2 knows no vendor directory
    expect(loadTree(root, { profile: 'debian-12' }).files.map((f) => f.path)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/b.conf']);
  });

  it('conf= reads only that file, never limits.d', () => {
    const root = tree({ 'etc/security/limits.conf': '', 'etc/other.conf': 'a - nproc 1\n', 'etc/security/limits.d/a.conf': '' });
    expect(loadTree(root, { conf: '/etc/other.conf' }).files.map((f) => f.path)).toEqual(['etc/other.conf']);
  });
});
