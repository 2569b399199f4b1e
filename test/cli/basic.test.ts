import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, DEMO, runMain } from './helpers.js';

describe('limitsctl files', () => {
  it('lists the demo tree in pam_limits order with line counts', async () => {
    const r = await runMain(['files', '--root', DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\s+etc\/security\/limits\.conf\s+64 lines/);
    expect(r.stdout).toMatch(/2\s+etc\/security\/limits\.d\/90-nproc\.conf\s+6 lines/);
  });

  it('--json', async () => {
    const r = await runMain(['files', '--root', DEMO, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.profile).toBe('debian-12');
    expect(j.files.map((f: { path: string }) => f.path)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/90-nproc.conf']);
  });

  it('a bad --root exits 2 with a clear message', async () => {
    const missing = await runMain(['files', '--root', '/nonexistent/tree']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--root \/nonexistent\/tree does not exist/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cli-'));
    try {
      const file = path.join(dir, 'f');
      writeFileSync(file, '');
      const notDir = await runMain(['files', '--root', file]);
      expect(notDir.code).toBe(2);
      expect(notDir.stderr).toMatch(/is not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unknown options and commands are usage errors (exit 2)', async () => {
    expect((await runMain(['files', '--bogus'])).code).toBe(2);
    expect((await runMain(['frobnicate'])).code).toBe(2);
    expect((await runMain([])).code).toBe(2);
  });

  it('--help and --version (end to end: the bin script)', () => {
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/limitsctl <command>/);
    expect(h.stdout).toMatch(/files/);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(cli(['frobnicate']).code).toBe(2); // and the exit code of a usage error reaches the shell
  });
});

describe('get / effective / explain on the demo tree: the RHEL 90-nproc.conf story', () => {
  it('a * nproc line in limits.conf loses against limits.d/90-nproc.conf', async () => {
    const r = await runMain(['get', 'nproc', '--user', 'admin', '--root', DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nproc  soft 1024 (limits.d/90-nproc.conf:5 *)  hard 8192 (limits.conf:58 *)');
  });

  it('explain says why: the limits.conf line is overridden later by the drop-in', async () => {
    const r = await runMain(['explain', 'nproc', '--user', 'admin', '--root', DEMO]);
    expect(r.stdout).toMatch(/limits\.conf:57 {2}\* soft nproc 4096[^\n]*\n\s+soft: overridden later by limits\.d\/90-nproc\.conf:5/);
  });

  it('explain of the login slot quotes each line with its own item: maxlogins and maxsyslogins share the slot', async () => {
    // (before, every line was printed with the item asked for: `% - maxsyslogins 20` read as `% - maxlogins 20`)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cli-slot-'));
    try {
      mkdirSync(path.join(dir, 'etc/security'), { recursive: true });
      writeFileSync(path.join(dir, 'etc/security/limits.conf'), '% - maxsyslogins 20\nadmin - maxlogins 3\n');
      writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
      for (const asked of ['maxlogins', 'maxsyslogins']) {
        const r = await runMain(['explain', asked, '--user', 'admin', '--root', dir, '--profile', 'debian-12']);
        expect(r.code, asked).toBe(0);
        expect(r.stdout, asked).toContain('limits.conf:1  % - maxsyslogins 20');
        expect(r.stdout, asked).toContain('limits.conf:2  admin - maxlogins 3');
        const j = JSON.parse((await runMain(['explain', asked, '--user', 'admin', '--root', dir, '--profile', 'debian-12', '--json'])).stdout);
        expect(j.lines.map((l: { line: number; item: string }) => [l.line, l.item]), asked).toEqual([[1, 'maxsyslogins'], [2, 'maxlogins']]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('effective --json has the documented shape and exact values', async () => {
    const r = await runMain(['effective', '--user', 'admin', '--root', DEMO, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['version', 'user', 'uid', 'gid', 'groups', 'profile', 'profileSource', 'applied', 'result', 'limits', 'priority', 'warnings']);
    expect(j).toMatchObject({ user: 'admin', uid: 1000, gid: 1000, profile: 'debian-12', applied: true, result: 'PAM_SUCCESS' });
    expect(j.limits.nproc).toEqual({
      soft: 1024, hard: 8192,
      softFrom: { file: 'etc/security/limits.d/90-nproc.conf', line: 5, domain: '*' },
      hardFrom: { file: 'etc/security/limits.conf', line: 58, domain: '*' },
    });
    expect(j.limits.nofile).toEqual({ soft: null, hard: null, softFrom: null, hardFrom: null });
  });

  it('root keeps its own line and ignores * on Debian; its soft "unlimited" is lowered to the inherited hard', async () => {
    const j = JSON.parse((await runMain(['effective', '--user', 'root', '--root', DEMO, '--json'])).stdout);
    // 90-nproc.conf: root soft nproc unlimited — but hard stays PID 1's 63445, so pam_limits uses 63445
    expect(j.limits.nproc.soft).toBe(63445);
    expect(j.limits.nproc.softFrom).toEqual({ file: 'etc/security/limits.d/90-nproc.conf', line: 6, domain: 'root' });
    expect(j.limits.nproc.hard).toBeNull();
    expect(j.warnings.join('\n')).toMatch(/nproc: soft .* is above hard .*lowers soft to 63445/);
    expect(j.warnings.join('\n')).toMatch(/ignores '\*'/);
  });

  it('values are unsigned 64-bit and printed exactly', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cli-'));
    try {
      const root = path.join(dir, 'r');
      for (const [f, c] of Object.entries({ 'etc/security/limits.conf': 'bob hard nproc -2\nbob soft nproc -2\n', 'etc/passwd': 'bob:x:1001:1001::/home/bob:/bin/sh\n', 'etc/group': 'bob:x:1001:\n' })) {
        const p = path.join(root, f);
        require('node:fs').mkdirSync(path.dirname(p), { recursive: true });
        writeFileSync(p, c);
      }
      const r = await runMain(['effective', '--user', 'bob', '--root', root, '--json', '--profile', 'linux-pam-1.5.2']);
      expect(r.stdout).toMatch(/"soft": 18446744073709551614,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unknown user, bad --uid and unknown item exit 2', async () => {
    const u = await runMain(['get', 'nproc', '--user', 'nosuchuser', '--root', DEMO]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown user 'nosuchuser'.*PAM_USER_UNKNOWN/);
    expect((await runMain(['effective', '--user', 'x', '--uid', 'abc', '--root', DEMO])).code).toBe(2);
    expect((await runMain(['effective', '--user', 'x', '--uid', '-5', '--root', DEMO])).code).toBe(2);
    const i = await runMain(['get', 'npoc', '--user', 'admin', '--root', DEMO]);
    expect(i.code).toBe(2);
    expect(i.stderr).toMatch(/did you mean 'nproc'/);
    expect((await runMain(['get', 'rttime', '--user', 'admin', '--root', DEMO])).stderr).toMatch(/not known to the debian-12 profile/);
  });

  it('a hypothetical account with --uid/--gid/--groups', async () => {
    const j = JSON.parse((await runMain(['effective', '--user', 'ghost', '--uid', '5000', '--groups', 'developers', '--root', DEMO, '--json'])).stdout);
    expect(j.groups).toContain('developers');
    expect(j.limits.nofile.soft).toBe(8192);
  });
});
