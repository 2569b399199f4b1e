import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cli, DEMO } from './helpers.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function demoCopy(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-edit-'));
  dirs.push(d);
  cpSync(DEMO, d, { recursive: true });
  return d;
}
const conf = (root: string, rel = 'etc/security/limits.conf') => readFileSync(path.join(root, rel), 'latin1');
const listing = (dir: string) => readdirSync(dir).sort();

describe('limitsctl set', () => {
  it('writes, then a second identical run says unchanged and changes nothing', () => {
    const root = demoCopy();
    const r1 = cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root]);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/^changed: admin - nproc 4096/m);
    const after1 = conf(root);
    const mtime = statSync(path.join(root, 'etc/security/limits.conf')).mtimeMs;
    const r2 = cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/^unchanged: /m);
    expect(conf(root)).toBe(after1);
    expect(statSync(path.join(root, 'etc/security/limits.conf')).mtimeMs).toBe(mtime);
    expect(cli(['get', 'nproc', '--user', 'admin', '--root', root]).stdout).toContain('soft 4096 (limits.conf:63 admin)');
  });

  it('A14: --dry-run and --check write nothing, not even a missing file; --check exits 1 when a change is due', () => {
    const root = demoCopy();
    rmSync(path.join(root, 'etc/security/limits.conf'));
    const before = listing(path.join(root, 'etc/security'));
    const d = cli(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--dry-run', '--backup']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('--- /dev/null\n+++ b/etc/security/limits.conf');
    const c = cli(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--check']);
    expect(c.code).toBe(1);
    expect(listing(path.join(root, 'etc/security'))).toEqual(before);
    // the real run creates it, 0644
    expect(cli(['set', 'nproc', '10', '--user', 'admin', '--root', root]).code).toBe(0);
    expect(statSync(path.join(root, 'etc/security/limits.conf')).mode & 0o777).toBe(0o644);
    expect(cli(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--check']).code).toBe(0);
  });

  it('A13: a symlinked limits.conf stays a symlink; its target is written, keeping mode and owner', () => {
    const root = demoCopy();
    const sec = path.join(root, 'etc/security');
    cpSync(path.join(sec, 'limits.conf'), path.join(sec, 'real.conf'));
    rmSync(path.join(sec, 'limits.conf'));
    symlinkSync('real.conf', path.join(sec, 'limits.conf'));
    chmodSync(path.join(sec, 'real.conf'), 0o640);
    if (process.getuid?.() === 0) chownSync(path.join(sec, 'real.conf'), 1234, 5678);
    expect(cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root]).code).toBe(0);
    expect(lstatSync(path.join(sec, 'limits.conf')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(sec, 'limits.conf'))).toBe('real.conf');
    expect(conf(root, 'etc/security/real.conf')).toMatch(/admin\s+-\s+nproc\s+4096/);
    const st = statSync(path.join(sec, 'real.conf'));
    expect(st.mode & 0o777).toBe(0o640);
    if (process.getuid?.() === 0) expect([st.uid, st.gid]).toEqual([1234, 5678]);
  });

  it('A15: --backup only when something changes', () => {
    const root = demoCopy();
    const sec = path.join(root, 'etc/security');
    expect(cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--backup']).code).toBe(0);
    const backups = listing(sec).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(path.join(sec, backups[0]!), 'latin1')).toBe(readFileSync(path.join(DEMO, 'etc/security/limits.conf'), 'latin1'));
    expect(cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--backup']).code).toBe(0);
    expect(listing(sec).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('A16: the diff names real paths and shows untouched CRLF lines as context, not changes', () => {
    const root = demoCopy();
    writeFileSync(path.join(root, 'etc/security/limits.d/90-nproc.conf'), '*   soft   nproc   1024\r\nroot   soft   nproc   unlimited\r\n');
    const r = cli(['set', 'nproc', '2048', '--all', '--type', 'soft', '--root', root, '--dry-run']);
    expect(r.stdout).toContain('--- a/etc/security/limits.d/90-nproc.conf\n+++ b/etc/security/limits.d/90-nproc.conf');
    expect(r.stdout).toContain('-*   soft   nproc   1024\r\n+*   soft   nproc   2048\r\n root   soft   nproc   unlimited\r\n');
  });

  it('the RHEL story: --all edits the drop-in line that wins, not limits.conf', () => {
    const root = demoCopy();
    const r = cli(['set', 'nproc', '2048', '--all', '--type', 'soft', '--root', root, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.changed).toBe(true);
    expect(j.files).toEqual([{ path: 'etc/security/limits.d/90-nproc.conf', created: false }]);
    expect(j.blockers.map((b: { account: string }) => b.account)).toEqual(['root']);
    expect(conf(root, 'etc/security/limits.d/90-nproc.conf')).toContain('*          soft    nproc     2048\n');
  });

  it('refuses (exit 2, nothing written) when the change would not take effect', () => {
    const root = demoCopy();
    writeFileSync(path.join(root, 'etc/security/limits.d/95-range.conf'), '1000:1999 soft nproc 50\n');
    const before = conf(root);
    const r = cli(['set', 'nproc', '4096', '--user', 'admin', '--type', 'soft', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/limits\.d\/95-range\.conf:1 \(1000:1999 soft 50\) wins/);
    expect(conf(root)).toBe(before);
    const forced = cli(['set', 'nproc', '4096', '--user', 'admin', '--type', 'soft', '--root', root, '--force']);
    expect(forced.code).toBe(0);
  });

  it('bad input: injection, bad values, paths outside the root, read-only files → exit 2, nothing written', () => {
    const root = demoCopy();
    const before = conf(root);
    for (const args of [
      ['set', 'nproc', '5', '--user', 'admin\n* - nproc 0'],
      ['set', 'nproc', '5', '--domain', 'a b'],
      ['set', 'nproc', 'abc', '--user', 'admin'],
      ['set', 'nproc', '5', '--user', 'admin', '--comment', 'x\ny'],
      ['set', 'nproc', '5', '--user', 'admin', '--file', '/etc/passwd'],
      ['set', 'nproc', '5', '--user', 'admin', '--file', '../../outside.conf'],
      ['set', 'nproc', '5'],
      ['set', 'nproc', '5', '--user', 'a', '--all'],
      ['set', 'nproc', '5', '--user', 'admin', '--type', 'medium'],
    ]) {
      const r = cli([...args, '--root', root]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^limitsctl: /);
    }
    expect(conf(root)).toBe(before);
    if (process.getuid?.() === 0 && spawnOk('chattr')) {
      const f = path.join(root, 'etc/security/limits.conf');
      if (run('chattr', ['+i', f])) {
        try {
          const r = cli(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
          expect(r.code).toBe(2);
          expect(conf(root)).toBe(before);
        } finally {
          run('chattr', ['-i', f]);
        }
      }
    }
  });

  it('unknown user is a warning, or an error with --strict', () => {
    const root = demoCopy();
    const w = cli(['set', 'nproc', '5', '--user', 'ghost', '--root', root, '--dry-run']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/user 'ghost' is not in the tree's etc\/passwd/);
    expect(cli(['set', 'nproc', '5', '--user', 'ghost', '--root', root, '--strict']).code).toBe(2);
  });
});

describe('unset and apply', () => {
  it('unset removes every duplicate across files', () => {
    const root = demoCopy();
    const r = cli(['unset', 'nproc', '--all', '--type', 'soft', '--root', root]);
    expect(r.code).toBe(0);
    expect(conf(root)).not.toMatch(/^\*\s+soft\s+nproc/m);
    expect(conf(root, 'etc/security/limits.d/90-nproc.conf')).not.toMatch(/^\*\s+soft\s+nproc/m);
    expect(cli(['unset', 'nproc', '--all', '--type', 'soft', '--root', root]).stdout).toMatch(/^unchanged/m);
  });

  it('apply plans a whole policy as one change; a re-run is unchanged; --prune removes the rest', () => {
    const root = demoCopy();
    const policy = path.join(root, 'policy.ini');
    writeFileSync(policy, '[admin]\nnproc = 4096\nnofile.soft = 8192\nnofile.hard = 16384\n\n[*]\ncore.hard = 0\nnproc.soft = 2048\n\n[@developers]\nnofile.soft = 8192\n');
    const d = cli(['apply', policy, '--root', root, '--dry-run']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/would change: admin - nproc 4096/);
    expect(cli(['apply', policy, '--root', root]).code).toBe(0);
    expect(cli(['apply', policy, '--root', root, '--check']).code).toBe(0);
    const j = JSON.parse(cli(['effective', '--user', 'admin', '--root', root, '--json']).stdout);
    expect([j.limits.nproc.soft, j.limits.nofile.soft, j.limits.nofile.hard]).toEqual([4096, 8192, 16384]);
    // --prune: @developers hard nofile is not in the policy
    const p = cli(['apply', policy, '--root', root, '--prune', '--dry-run']);
    expect(p.stdout).toMatch(/^-@developers\s+hard\s+nofile\s+16384$/m);
    expect(p.stdout).toMatch(/^-\*\s+hard\s+nproc\s+8192$/m);
  });

  it('a policy with a bad key or value exits 2 naming it', () => {
    const root = demoCopy();
    const policy = path.join(root, 'p.ini');
    writeFileSync(policy, '[admin]\nnproc.medium = 5\n');
    const r = cli(['apply', policy, '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nproc\.medium/);
    writeFileSync(policy, '[admin]\nnproc = lots\n');
    expect(cli(['apply', policy, '--root', root]).code).toBe(2);
  });
});

describe('safety under concurrency and crashes', () => {
  it('20 parallel set processes for different users on one file all land', async () => {
    const root = demoCopy();
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const results = await Promise.all(users.map((u) => new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'set', 'nofile', '4096', '--user', u, '--root', root], { stdio: 'ignore' });
      p.on('exit', (code) => resolve(code ?? -1));
    })));
    expect(results).toEqual(users.map(() => 0));
    const text = conf(root);
    for (const u of users) expect(text).toMatch(new RegExp(`^${u}\\s+-\\s+nofile\\s+4096$`, 'm'));
  }, 120_000);

  it('SIGKILL at random moments during 200 writes: the file is always the old or the new content', async () => {
    const root = demoCopy();
    const file = path.join(root, 'etc/security/limits.conf');
    // a big file makes the write window real
    writeFileSync(file, `${'# filler line to make the file large enough to take a while to write\n'.repeat(20000)}admin - nofile 1\n`);
    const valid = new Set([readFileSync(file, 'latin1')]);
    let killed = 0;
    for (let i = 0; i < 200; i++) {
      const value = String(2 + (i % 2));
      const before = readFileSync(file, 'latin1');
      const next = before.replace(/admin - nofile \d+\n$/, `admin - nofile ${value}\n`);
      valid.add(next);
      const p = spawn(process.execPath, [BIN, 'set', 'nofile', value, '--user', 'admin', '--root', root], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 40 + Math.floor(Math.random() * 120)));
      if (p.kill('SIGKILL')) killed++;
      await new Promise((r) => p.exitCode !== null || p.signalCode !== null ? r(null) : p.on('exit', r));
      const now = readFileSync(file, 'latin1');
      expect(now === before || now === next, `iteration ${i}: the file is neither old nor new content`).toBe(true);
    }
    expect(killed).toBeGreaterThan(100);
    // a later run recovers: stale temp files are cleaned, the lock is not stuck
    expect(cli(['set', 'nofile', '7', '--user', 'admin', '--root', root]).code).toBe(0);
    expect(existsSync(file)).toBe(true);
  }, 300_000);
});

function spawnOk(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd} >/dev/null`]);
}
function run(cmd: string, args: string[]): boolean {
  const r = require('node:child_process').spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}
void mkdirSync;
