/**
 * stdinTarget (src/io/lint-targets.ts) puts standard input where pam_limits would read the file it
 * stands for, also when that file is not on disk yet. Each case here lints the input through
 * stdinTarget, then writes the same bytes to that file and lints the file from disk: the findings
 * (and the tree as read: files in order, ignored files, the fatal failure) must be the same.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintTarget } from '../../../src/core/lint/engine.js';
import type { Profile } from '../../../src/core/schema.js';
import { type LoadedLintTarget, loadLintTargets, stdinTarget } from '../../../src/io/lint-targets.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-overlay-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  return root;
}

async function first(it: AsyncIterable<LoadedLintTarget>): Promise<LoadedLintTarget> {
  for await (const t of it) return t;
  throw new Error('no target');
}

/** what lint reports and the tree it read, without the lazily parsed documents */
function seen(t: LoadedLintTarget) {
  const { tree: tr } = t.target;
  return {
    diagnostics: lintTarget(t.target, { severities: new Map() }).diagnostics,
    files: tr.files.map((f) => ({ path: f.path, role: f.role, status: f.status, fatal: f.fatal, realPath: f.realPath, text: f.doc?.text })),
    ignored: tr.ignored,
    failure: tr.failure,
  };
}

const cases: Array<{ name: string; profile: Profile; files: Record<string, string>; rel: string; input: string }> = [
  { name: 'a new drop-in between two others', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.d/20-b.conf', input: '* soft nofile 100\n',
    files: { 'etc/security/limits.conf': '* hard nofile 50\n', 'etc/security/limits.d/10-a.conf': '* soft nofile 10\n', 'etc/security/limits.d/30-c.conf': '* soft nofile 30\n' } },
  { name: 'a new drop-in in a tree without limits.d', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.d/x.conf', input: '* soft nofile 100\n',
    files: { 'etc/security/limits.conf': '* hard nofile 50\n' } },
  { name: 'limits.conf that is missing on disk (1.5.2: fatal without it)', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.conf', input: '* hard core 0\n',
    files: { 'etc/security/limits.d/a.conf': '* soft core 1\n' } },
  { name: 'limits.conf over a vendor limits.conf that was read in its place (1.7.2)', profile: 'linux-pam-1.7.2', rel: 'etc/security/limits.conf', input: '* hard core 0\n',
    files: { 'usr/share/pam/security/limits.conf': '* hard core 5\n' } },
  { name: 'an etc drop-in shadowing a vendor drop-in (1.7.2)', profile: 'linux-pam-1.7.2', rel: 'etc/security/limits.d/50-x.conf', input: '* soft nproc 10\n',
    files: { 'etc/security/limits.conf': '', 'usr/share/pam/security/limits.d/50-x.conf': '* soft nproc 99\n', 'usr/share/pam/security/limits.d/60-y.conf': '* soft nproc 1\n' } },
  { name: 'a vendor drop-in shadowed by an etc one (1.7.2)', profile: 'linux-pam-1.7.2', rel: 'usr/share/pam/security/limits.d/50-x.conf', input: 'bogus line\n',
    files: { 'etc/security/limits.conf': '', 'etc/security/limits.d/50-x.conf': '* soft nproc 10\n' } },
  { name: 'a new vendor drop-in sorted among the etc ones (1.7.2)', profile: 'linux-pam-1.7.2', rel: 'usr/share/pam/security/limits.d/15-v.conf', input: '* soft nproc 15\n',
    files: { 'etc/security/limits.conf': '', 'etc/security/limits.d/10-a.conf': '* soft nproc 10\n', 'etc/security/limits.d/20-b.conf': '* soft nproc 20\n' } },
  { name: 'a new vendor limits.conf while etc/security/limits.conf exists (1.7.2)', profile: 'linux-pam-1.7.2', rel: 'usr/share/pam/security/limits.conf', input: '* hard core 0\n',
    files: { 'etc/security/limits.conf': '* hard core 1\n' } },
  { name: 'a hidden drop-in name', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.d/.x.conf', input: 'bogus\n',
    files: { 'etc/security/limits.conf': '' } },
  { name: 'a drop-in name without .conf', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.d/x.conf.bak', input: 'bogus\n',
    files: { 'etc/security/limits.conf': '' } },
  { name: 'a file pam_limits never reads', profile: 'linux-pam-1.5.2', rel: 'etc/security/namespace.conf', input: 'bogus\n',
    files: { 'etc/security/limits.conf': '' } },
  { name: 'an existing drop-in whose disk bytes differ', profile: 'linux-pam-1.5.2', rel: 'etc/security/limits.d/x.conf', input: 'admin hard nproc bogus\n',
    files: { 'etc/security/limits.conf': '', 'etc/security/limits.d/x.conf': '* soft core 0\n' } },
];

describe('stdinTarget: the input where pam_limits would read the file it stands for', () => {
  it('a drop-in that is a symlink on disk: the input stands for its target', async () => {
    const root = tree('symlink', { 'etc/security/limits.conf': '* hard nofile 5\n', 'srv/real.conf': '* soft core 0\n' });
    mkdirSync(path.join(root, 'etc/security/limits.d'));
    symlinkSync('../../../srv/real.conf', path.join(root, 'etc/security/limits.d/x.conf'));
    const options = { cwd: root, profile: () => 'linux-pam-1.5.2' as const };
    const viaStdin = seen(await first(stdinTarget(Buffer.from('* soft nofile 9\n'), 'etc/security/limits.d/x.conf', options)));
    writeFileSync(path.join(root, 'srv/real.conf'), '* soft nofile 9\n');
    const [onDisk] = await loadLintTargets(['etc/security/limits.d/x.conf'], options);
    expect(viaStdin).toEqual(seen(onDisk!));
    expect(viaStdin.diagnostics.length).toBeGreaterThan(0);
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const root = tree(`case${i}`, c.files);
      const options = { cwd: root, profile: () => c.profile };
      const viaStdin = seen(await first(stdinTarget(Buffer.from(c.input), c.rel, options)));
      mkdirSync(path.dirname(path.join(root, c.rel)), { recursive: true });
      writeFileSync(path.join(root, c.rel), c.input);
      const [onDisk] = await loadLintTargets([c.rel], options);
      expect(viaStdin).toEqual(seen(onDisk!));
    });
  });

  it('bytes are kept as they are (non-UTF-8, CRLF, no final newline)', async () => {
    const root = tree('bytes', { 'etc/security/limits.conf': '' });
    const bytes = Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0d, 0x0a, 0x2a, 0x20, 0x73, 0x6f, 0x66, 0x74, 0x20, 0x63, 0x6f, 0x72, 0x65, 0x20, 0x30]);
    const t = await first(stdinTarget(bytes, 'etc/security/limits.d/b.conf', { cwd: root, profile: () => 'linux-pam-1.5.2' }));
    const f = t.target.tree.files.find((x) => x.path === 'etc/security/limits.d/b.conf');
    expect(Buffer.from(f!.doc!.text, 'latin1').equals(bytes)).toBe(true);
    expect(t.stream).toBe('etc/security/limits.d/b.conf');
  });
});
