import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng, seedNote, testSeed } from '../seed.js';
import { BIN, cli, DEMO, runMain } from './helpers.js';
import { demoCopies } from './trees.js';

const demoCopy = demoCopies('limitsctl-edit-');
const conf = (root: string, rel = 'etc/security/limits.conf') => readFileSync(path.join(root, rel), 'latin1');
const listing = (dir: string) => readdirSync(dir).sort();

describe('limitsctl set', () => {
  it('writes, then a second identical run says unchanged and changes nothing (end to end: the bin script)', () => {
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

  it('A14: --dry-run and --check write nothing, not even a missing file; --check exits 1 when a change is due', async () => {
    const root = demoCopy();
    rmSync(path.join(root, 'etc/security/limits.conf'));
    const before = listing(path.join(root, 'etc/security'));
    const d = await runMain(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--dry-run', '--backup']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('--- /dev/null\n+++ b/etc/security/limits.conf');
    const c = await runMain(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--check']);
    expect(c.code).toBe(1);
    expect(listing(path.join(root, 'etc/security'))).toEqual(before);
    // the real run creates it, 0644
    expect((await runMain(['set', 'nproc', '10', '--user', 'admin', '--root', root])).code).toBe(0);
    expect(statSync(path.join(root, 'etc/security/limits.conf')).mode & 0o777).toBe(0o644);
    expect((await runMain(['set', 'nproc', '10', '--user', 'admin', '--root', root, '--check'])).code).toBe(0);
  });

  it('A13: a symlinked limits.conf stays a symlink; its target is written, keeping mode and owner', async () => {
    const root = demoCopy();
    const sec = path.join(root, 'etc/security');
    cpSync(path.join(sec, 'limits.conf'), path.join(sec, 'real.conf'));
    rmSync(path.join(sec, 'limits.conf'));
    symlinkSync('real.conf', path.join(sec, 'limits.conf'));
    chmodSync(path.join(sec, 'real.conf'), 0o640);
    if (process.getuid?.() === 0) chownSync(path.join(sec, 'real.conf'), 1234, 5678);
    expect((await runMain(['set', 'nproc', '4096', '--user', 'admin', '--root', root])).code).toBe(0);
    expect(lstatSync(path.join(sec, 'limits.conf')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(sec, 'limits.conf'))).toBe('real.conf');
    expect(conf(root, 'etc/security/real.conf')).toMatch(/admin\s+-\s+nproc\s+4096/);
    const st = statSync(path.join(sec, 'real.conf'));
    expect(st.mode & 0o777).toBe(0o640);
    if (process.getuid?.() === 0) expect([st.uid, st.gid]).toEqual([1234, 5678]);
  });

  it('A15: --backup only when something changes', async () => {
    const root = demoCopy();
    const sec = path.join(root, 'etc/security');
    expect((await runMain(['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--backup'])).code).toBe(0);
    const backups = listing(sec).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(path.join(sec, backups[0]!), 'latin1')).toBe(readFileSync(path.join(DEMO, 'etc/security/limits.conf'), 'latin1'));
    expect((await runMain(['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--backup'])).code).toBe(0);
    expect(listing(sec).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('A16: the diff names real paths and shows untouched CRLF lines as context, not changes', async () => {
    const root = demoCopy();
    writeFileSync(path.join(root, 'etc/security/limits.d/90-nproc.conf'), '*   soft   nproc   1024\r\nroot   soft   nproc   unlimited\r\n');
    const r = await runMain(['set', 'nproc', '2048', '--all', '--type', 'soft', '--root', root, '--dry-run']);
    expect(r.stdout).toContain('--- a/etc/security/limits.d/90-nproc.conf\n+++ b/etc/security/limits.d/90-nproc.conf');
    expect(r.stdout).toContain('-*   soft   nproc   1024\r\n+*   soft   nproc   2048\r\n root   soft   nproc   unlimited\r\n');
  });

  it('the RHEL story: --all edits the drop-in line that wins, not limits.conf', async () => {
    const root = demoCopy();
    const r = await runMain(['set', 'nproc', '2048', '--all', '--type', 'soft', '--root', root, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.changed).toBe(true);
    expect(j.files).toEqual([{ path: 'etc/security/limits.d/90-nproc.conf', created: false }]);
    expect(j.blockers.map((b: { account: string }) => b.account)).toEqual(['root']);
    expect(conf(root, 'etc/security/limits.d/90-nproc.conf')).toContain('*          soft    nproc     2048\n');
  });

  it('refuses (exit 2, nothing written) when the change would not take effect', async () => {
    const root = demoCopy();
    writeFileSync(path.join(root, 'etc/security/limits.d/95-range.conf'), '1000:1999 soft nproc 50\n');
    const before = conf(root);
    const r = await runMain(['set', 'nproc', '4096', '--user', 'admin', '--type', 'soft', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/limits\.d\/95-range\.conf:1 \(1000:1999 soft 50\) wins/);
    expect(conf(root)).toBe(before);
    const forced = await runMain(['set', 'nproc', '4096', '--user', 'admin', '--type', 'soft', '--root', root, '--force']);
    expect(forced.code).toBe(0);
  });

  it('bad input: injection, bad values, paths outside the root, read-only files → exit 2, nothing written', async () => {
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
      const r = await runMain([...args, '--root', root]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^limitsctl: /);
    }
    expect(conf(root)).toBe(before);
    if (process.getuid?.() === 0 && spawnOk('chattr')) {
      const f = path.join(root, 'etc/security/limits.conf');
      if (run('chattr', ['+i', f])) {
        try {
          // refused before the lock: not even the lock file is made, so etc/security keeps its
          // mtime (before, the lock file was created and removed first)
          const sec = path.join(root, 'etc/security');
          const past = new Date('2020-01-01T00:00:00Z');
          utimesSync(sec, past, past);
          const listed = readdirSync(sec);
          const r = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
          expect(r.code).toBe(2);
          expect(r.stderr).toMatch(/^limitsctl: cannot replace .*limits\.conf: operation not permitted — .* may be immutable/);
          expect(conf(root)).toBe(before);
          expect(readdirSync(sec)).toEqual(listed);
          expect(statSync(sec).mtimeMs).toBe(past.getTime());
          // a dry run still shows what it would write (a preview is not refused for permissions)
          const dry = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root, '--dry-run']);
          expect(dry.code).toBe(0);
          expect(dry.stdout).toMatch(/^\+admin\s+-\s+nproc\s+5$/m);
        } finally {
          run('chattr', ['-i', f]);
        }
      }
    }
  });

  it('unknown user is a warning, or an error with --strict', async () => {
    const root = demoCopy();
    const w = await runMain(['set', 'nproc', '5', '--user', 'ghost', '--root', root, '--dry-run']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/user 'ghost' is not in the tree's etc\/passwd/);
    expect((await runMain(['set', 'nproc', '5', '--user', 'ghost', '--root', root, '--strict'])).code).toBe(2);
  });
});

describe('unset and apply', () => {
  it('unset removes every duplicate across files', async () => {
    const root = demoCopy();
    const r = await runMain(['unset', 'nproc', '--all', '--type', 'soft', '--root', root]);
    expect(r.code).toBe(0);
    expect(conf(root)).not.toMatch(/^\*\s+soft\s+nproc/m);
    expect(conf(root, 'etc/security/limits.d/90-nproc.conf')).not.toMatch(/^\*\s+soft\s+nproc/m);
    expect((await runMain(['unset', 'nproc', '--all', '--type', 'soft', '--root', root])).stdout).toMatch(/^unchanged/m);
  });

  it('apply plans a whole policy as one change; a re-run is unchanged; --prune removes the rest', async () => {
    const root = demoCopy();
    const policy = path.join(root, 'policy.ini');
    writeFileSync(policy, '[admin]\nnproc = 4096\nnofile.soft = 8192\nnofile.hard = 16384\n\n[*]\ncore.hard = 0\nnproc.soft = 2048\n\n[@developers]\nnofile.soft = 8192\n');
    const d = await runMain(['apply', policy, '--root', root, '--dry-run']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/would change: admin - nproc 4096/);
    expect((await runMain(['apply', policy, '--root', root])).code).toBe(0);
    expect((await runMain(['apply', policy, '--root', root, '--check'])).code).toBe(0);
    const j = JSON.parse((await runMain(['effective', '--user', 'admin', '--root', root, '--json'])).stdout);
    expect([j.limits.nproc.soft, j.limits.nofile.soft, j.limits.nofile.hard]).toEqual([4096, 8192, 16384]);
    // --prune: @developers hard nofile is not in the policy
    const p = await runMain(['apply', policy, '--root', root, '--prune', '--dry-run']);
    expect(p.stdout).toMatch(/^-@developers\s+hard\s+nofile\s+16384$/m);
    expect(p.stdout).toMatch(/^-\*\s+hard\s+nproc\s+8192$/m);
  });

  it('a policy with a bad key or value exits 2 naming it', async () => {
    const root = demoCopy();
    const policy = path.join(root, 'p.ini');
    writeFileSync(policy, '[admin]\nnproc.medium = 5\n');
    const r = await runMain(['apply', policy, '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nproc\.medium/);
    writeFileSync(policy, '[admin]\nnproc = lots\n');
    expect((await runMain(['apply', policy, '--root', root])).code).toBe(2);
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

  it('SIGKILL at seeded moments of the write: the file is always the old or the new content', async () => {
    const seed = testSeed('edit.test.ts SIGKILL moments');
    const random = rng(seed);
    const root = demoCopy();
    const file = path.join(root, 'etc/security/limits.conf');
    // a big file (256 KiB of long lines: cheap to plan, slow to write) makes the write window real
    writeFileSync(file, `${`# filler ${'x'.repeat(4086)}\n`.repeat(64)}admin - nofile 1\n`);
    const until = async (p: ChildProcess, cond: () => boolean, what: string) => {
      while (!cond()) {
        if (p.exitCode !== null || p.signalCode !== null) throw new Error(`set ended (${p.exitCode ?? p.signalCode}) before ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const ended = (p: ChildProcess) => new Promise((r) => p.exitCode !== null || p.signalCode !== null ? r(null) : p.on('exit', r));
    /** A set stopped at the write's pause point (planned, nothing written yet), then let go. */
    const setAtWrite = async (value: string, pause: string) => {
      const p = spawn(process.execPath, [BIN, 'set', 'nofile', value, '--user', 'admin', '--root', root], {
        stdio: 'ignore', env: { ...process.env, LIMITSCTL_TEST_PAUSE_AFTER_PLAN: pause },
      });
      await until(p, () => existsSync(pause), 'its write began (LIMITSCTL_TEST_PAUSE_AFTER_PLAN)');
      writeFileSync(`${pause}.go`, '');
      return p;
    };
    // How long it takes here from the start of the write to the rename (median of 3 uninterrupted
    // runs, seen as the file's inode changing): kill moments are drawn from [0, 2 × that] after the
    // write begins, so about half land before the rename and half after, wherever the test runs.
    // The measure only places the kills; nothing asserts on it.
    const phases: number[] = [];
    for (const [k, v] of ['5', '6', '1'].entries()) {
      const ino = statSync(file).ino;
      const p = await setAtWrite(v, path.join(root, `calibrate${k}`));
      const t0 = performance.now();
      while (statSync(file).ino === ino && p.exitCode === null) await new Promise((r) => setTimeout(r, 1));
      phases.push(performance.now() - t0);
      await ended(p);
      expect(p.exitCode).toBe(0);
    }
    const span = 2 * phases.sort((a, b) => a - b)[1]!;
    const outcomes = { killed: 0, old: 0, new: 0 };
    for (let i = 0; i < 30; i++) {
      const where = `${seedNote(seed)}, iteration ${i}`;
      const value = String(10 + i); // never the value already there: every run has a write to make
      const before = readFileSync(file, 'latin1');
      const next = before.replace(/admin - nofile \d+\n$/, `admin - nofile ${value}\n`);
      const p = await setAtWrite(value, path.join(root, `pause${i}`));
      await new Promise((r) => setTimeout(r, random() * span));
      p.kill('SIGKILL');
      await ended(p);
      if (p.signalCode === 'SIGKILL') outcomes.killed++;
      else expect(p.exitCode, where).toBe(0);
      const now = readFileSync(file, 'latin1');
      expect(now === before || now === next, `${where}: the file is neither old nor new content`).toBe(true);
      outcomes[now === before ? 'old' : 'new']++;
    }
    console.log(`[kill] ${JSON.stringify(outcomes)} (write to rename ~${Math.round(span / 2)} ms)`);
    // kills interrupted writes; some left the old content, some came after the new one landed
    expect(outcomes.killed, seedNote(seed)).toBeGreaterThan(0);
    expect(outcomes.old, seedNote(seed)).toBeGreaterThan(0);
    expect(outcomes.new, seedNote(seed)).toBeGreaterThan(0);
    // a later run recovers: stale temp files are cleaned, the lock is not stuck
    expect((await runMain(['set', 'nofile', '7', '--user', 'admin', '--root', root])).code).toBe(0);
    expect(readdirSync(path.join(root, 'etc/security')).filter((f) => !/^limits\.(conf|d)$/.test(f))).toEqual([]);
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
