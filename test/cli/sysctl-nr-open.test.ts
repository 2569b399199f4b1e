/**
 * fs.nr_open from a tree's sysctl configuration when it has no /proc snapshot (issue 13: a
 * configuration repository's `etc/sysctl.d/99-tune.conf` sets fs.nr_open=1000000, and
 * `root hard nofile 1048576` denies sudo on the deployed host). lint (LC207) and set refuse it and
 * name the file and line that set the value; a snapshot still wins; a /dev/null link masks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNrOpen } from '../../src/io/system.js';
import { runMain } from './helpers.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** A tree from `{ relPath: text }`; a value starting with '->' is a symlink to the rest. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-sysctl-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    if (text.startsWith('->')) symlinkSync(text.slice(2), path.join(root, rel));
    else writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const LIMITS = { 'etc/security/limits.conf': 'root hard nofile 1048576\n' };

describe('fs.nr_open from sysctl.d / sysctl.conf', () => {
  it('lint: LC207 error naming etc/sysctl.d/99-tune.conf line 2', async () => {
    const root = tree({ ...LIMITS, 'etc/sysctl.d/99-tune.conf': '# tune\nfs.nr_open=1000000\n' });
    const r = await runMain(['lint', root, '--profile', 'linux-pam-1.5.2', '--format', 'json'], { cwd: root });
    expect(r.code, r.stderr).toBe(1);
    const found = JSON.stringify(JSON.parse(r.stdout));
    expect(found).toMatch(/LC207/);
    expect(found).toMatch(/above fs\.nr_open \(1000000, set at etc\/sysctl\.d\/99-tune\.conf:2\)/);
  });

  it('set: refused (exit 2, nothing written) naming the sysctl file and line', async () => {
    const root = tree({ ...LIMITS, 'etc/sysctl.d/99-tune.conf': 'fs.nr_open = 1000000\n' });
    for (const flag of ['--dry-run', null]) {
      const r = await runMain(['set', 'nofile', '1048576', '--user', 'admin', '--type', 'hard', '--root', root, '--profile', 'linux-pam-1.5.2', ...(flag ? [flag] : [])]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refuses nofile above fs\.nr_open 1000000 \(set at etc\/sysctl\.d\/99-tune\.conf:1\)/);
    }
    expect(readFileSync(path.join(root, 'etc/security/limits.conf'), 'utf8')).toBe(LIMITS['etc/security/limits.conf']);
    expect((await runMain(['set', 'nofile', '1000000', '--user', 'admin', '--type', 'hard', '--root', root, '--profile', 'linux-pam-1.5.2'])).code).toBe(0);
  });

  it('sysctl.conf is read after the directories; a later file name wins over an earlier one', () => {
    const root = tree({
      'usr/lib/sysctl.d/50-vendor.conf': 'fs.nr_open = 3000000\n',
      'etc/sysctl.d/10-early.conf': 'fs.nr_open = 2000000\n',
      'etc/sysctl.conf': '\n-fs/nr_open = 1500000\n',
    });
    expect(loadNrOpen(root)).toEqual({ value: 1500000n, from: 'sysctl', source: { file: 'etc/sysctl.conf', line: 2 } });
    rmSync(path.join(root, 'etc/sysctl.conf'));
    expect(loadNrOpen(root)).toEqual({ value: 3000000n, from: 'sysctl', source: { file: 'usr/lib/sysctl.d/50-vendor.conf', line: 1 } });
  });

  it('a /dev/null link in etc/sysctl.d masks the vendor file of the same name; links resolve inside the root', () => {
    const root = tree({
      'usr/lib/sysctl.d/50-vendor.conf': 'fs.nr_open = 3000000\n',
      'etc/sysctl.d/50-vendor.conf': '->/dev/null',
    });
    expect(loadNrOpen(root).from).toBe('default');
    const linked = tree({ 'etc/sysctl.d/99-sysctl.conf': '->/etc/sysctl.conf', 'etc/sysctl.conf': 'fs.nr_open = 1200000\n' });
    expect(loadNrOpen(linked).value).toBe(1200000n);
  });

  it('a proc snapshot wins over the configuration; without either, the default (or the fallback)', () => {
    const root = tree({ 'proc/sys/fs/nr_open': '2097152\n', 'etc/sysctl.d/99-tune.conf': 'fs.nr_open=1000000\n' });
    expect(loadNrOpen(root)).toEqual({ value: 2097152n, from: 'proc', source: null });
    const bare = tree({ ...LIMITS });
    expect(loadNrOpen(bare)).toEqual({ value: 1048576n, from: 'default', source: null });
    expect(loadNrOpen(bare, path.join(bare, 'proc'), 5000000n).value).toBe(5000000n);
  });
});
