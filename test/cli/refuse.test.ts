/**
 * "Never write by surprise" on the command line: each fault from its minimal input, run as the
 * installed program (bin/limitsctl.js over dist/), on a copy of the demo tree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/main.js';
import { BIN, cli, DEMO, REPO, type RunResult } from './helpers.js';
import { differences, snapshot } from './snapshot.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tmp(prefix = 'limitsctl-refuse-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
function demoCopy(): string {
  const d = tmp();
  cpSync(DEMO, d, { recursive: true });
  return d;
}
const LIMITS = 'etc/security/limits.conf';

/** One clear line on stderr (a hint line may follow), exit 2, never a trace. */
function expectRefused(r: RunResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.split('\n')[0]).toMatch(/^limitsctl: /);
  expect(r.stderr.split('\n')[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}

/** Run with the tree unchanged afterwards (every byte, mode and mtime). */
function refusedUnchanged(root: string, args: string[], message: RegExp, cwd?: string): RunResult {
  const before = snapshot(root);
  const r = cli(args, cwd ? { cwd } : {});
  expectRefused(r, message);
  expect(differences(before, snapshot(root))).toEqual([]);
  return r;
}

describe('a command line that refuses before it touches anything', () => {
  it('a misspelled option (--dryrun) leaves the file untouched and exits 2 with a did-you-mean', () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--dryrun'], /unknown option --dryrun.*did you mean --dry-run\?/);
    refusedUnchanged(root, ['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--chek'], /did you mean --check\?/);
    refusedUnchanged(root, ['unset', 'nproc', '--all', '--root', root, '--dryrun'], /did you mean --dry-run\?/);
  });

  it('an extra positional exits 2 and writes nothing', () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '4096', 'now', '--user', 'admin', '--root', root], /unexpected argument 'now'/);
  });

  it('lint --fix --dryrun PATH fixes neither PATH nor --root', () => {
    const target = demoCopy();
    const other = demoCopy();
    const both = [snapshot(target), snapshot(other)];
    const r = cli(['lint', '--fix', '--dryrun', target, '--root', other]);
    expectRefused(r, /did you mean --dry-run\?/);
    expect(differences(both[0]!, snapshot(target))).toEqual([]);
    expect(differences(both[1]!, snapshot(other))).toEqual([]);
  });

  it('apply with a misspelled option leaves tree and policy untouched', () => {
    const root = demoCopy();
    const policy = path.join(root, 'policy.ini');
    writeFileSync(policy, '[admin]\nnproc = 77\n');
    refusedUnchanged(root, ['apply', policy, '--root', root, '--prnue'], /did you mean --prune\?/);
  });

  it('--root without a value exits 2 and writes nothing (run with /etc/security on a private tmpfs)', (ctx) => {
    const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /etc/security'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip(); // needs root and mount namespaces: the old bug wrote the live /etc/security/limits.conf
    const r = spawnSync('unshare', ['-m', 'sh', '-c',
      'mount -t tmpfs none /etc/security || exit 99; "$0" "$@" 2>&1; rc=$?; echo "entries:$(ls -A /etc/security | tr "\\n" " ")"; exit $rc',
      process.execPath, BIN, 'set', 'nproc', '5', '--user', 'admin', '--root'], { encoding: 'utf8', cwd: demoCopy() });
    expect(r.status, r.stdout).toBe(2);
    expect(r.stdout).toMatch(/^limitsctl: --root needs a value$/m);
    expect(r.stdout).toMatch(/^entries:$/m);
  });

  it("--root '' exits 2 instead of meaning the current directory", () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '5', '--user', 'admin', '--root', ''], /--root needs a value, got an empty one/, root);
    refusedUnchanged(root, ['set', 'nproc', '5', '--user', 'admin', '--root='], /--root needs a value/, root);
    refusedUnchanged(root, ['set', 'nproc', '5', '--user', 'admin', '--root', root, '--file', ''], /--file needs a value/);
    refusedUnchanged(root, ['lint', '--fix', '--root', root, '--config', ''], /--config needs a value/);
  });

  it('an option without its value (--user --dry-run) exits 2 and writes nothing', () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '5', '--root', root, '--user', '--dry-run'], /--user needs a value \(found --dry-run\)/);
  });

  it('a single-valued option given twice exits 2 without a trace', () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '5', '--root', root, '--user', 'a', '--user', 'b'], /--user is given twice/);
    refusedUnchanged(root, ['set', 'nproc', '5', '--root', root, '--user', 'admin', '--comment', 'a', '--comment', 'b'], /--comment is given twice/);
    for (const [opt, v] of [['group', 'g'], ['domain', 'd'], ['type', 'soft'], ['file', 'etc/security/limits.conf']]) {
      refusedUnchanged(root, ['set', 'nproc', '5', '--root', root, '--user', 'admin', `--${opt}`, v!, `--${opt}`, v!], new RegExp(`--${opt} is given twice`));
    }
    expectRefused(cli(['get', 'nproc', '--root', root, '--user', 'admin', '--groups', 'a', '--groups', 'b']), /--groups is given twice/);
    expectRefused(cli(['files', '--root', root, '--conf', 'a', '--conf', 'b']), /--conf is given twice/);
    expectRefused(cli(['files', '--root', root, '--root', root]), /--root is given twice/);
  });

  it('input refused by the edit plan (a domain with a space) leaves even the directory untouched: no lock file comes and goes', () => {
    const root = demoCopy();
    refusedUnchanged(root, ['set', 'nproc', '5', '--domain', 'a b', '--root', root], /contains a space/);
    refusedUnchanged(root, ['set', 'nproc', 'lots', '--user', 'admin', '--root', root], /nproc/);
  });

  it("'-' (pam_limits' unlimited) is a value: set nofile - --user admin", () => {
    const root = demoCopy();
    const r = cli(['set', 'nofile', '-', '--user', 'admin', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(root, LIMITS), 'latin1')).toMatch(/^admin\s+-\s+nofile\s+-$/m);
    expect(cli(['set', 'nofile', '-', '--user', 'admin', '--root', root]).stdout).toMatch(/^unchanged: /m);
  });

  it('--json: a usage error is also JSON on stdout, exit 2', () => {
    const root = demoCopy();
    const r = refusedUnchanged(root, ['set', 'nproc', '5', '--user', 'admin', '--root', root, '--json', '--dryrun'], /did you mean/);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, error: { code: 'usage', message: expect.stringMatching(/unknown option --dryrun/), hint: expect.any(String) } });
    const input = cli(['get', 'nproc', '--user', 'ghost', '--root', root, '--json']);
    expect(input.code).toBe(2);
    expect(JSON.parse(input.stdout).error.code).toBe('input');
  });

  it('an absolute --file inside --root names that file; one outside the root is refused', () => {
    const root = demoCopy();
    const inside = path.join(root, 'etc/security/limits.d/50-new.conf');
    const r = cli(['set', 'nproc', '4096', '--user', 'admin', '--root', root, '--file', inside, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(inside, 'latin1')).toMatch(/^admin\s+-\s+nproc\s+4096$/m);
    const elsewhere = path.join(tmp(), 'x.conf');
    refusedUnchanged(root, ['set', 'nproc', '1', '--user', 'admin', '--root', root, '--file', elsewhere], /--file .* is outside --root/);
    expect(existsSync(elsewhere)).toBe(false);
  });
});

describe('output and errors', () => {
  it('lint | head: a reader that goes away is not an error (no EPIPE trace, the exit code of the run)', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    writeFileSync(path.join(root, LIMITS), Array.from({ length: 3000 }, (_, i) => `admin - nproc ${i + 1}\n`).join(''));
    const full = cli(['lint', '--root', root]);
    expect(full.stdout.length).toBeGreaterThan(256 * 1024); // more than a pipe holds
    const child = spawn(process.execPath, [BIN, 'lint', '--root', root], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', () => child.stdout.destroy()); // like head: read a little, then close
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(code).toBe(full.code);
  });

  it('an OS error is shown once with its code; anything else is an internal error without a stack', () => {
    const doubled = Object.assign(new Error('EACCES: EACCES: permission denied, open /x'), { code: 'EACCES' });
    expect(describeError(doubled)).toEqual({ code: 'io', message: 'EACCES: permission denied, open /x', errno: 'EACCES' });
    const bug = describeError(new RangeError('Maximum call stack size exceeded'));
    expect(bug.code).toBe('internal');
    expect(bug.message).toBe('internal error: RangeError: Maximum call stack size exceeded');
    expect(JSON.stringify(bug)).not.toMatch(/\n\s+at /);
    // Node's own ERR_* codes are bugs, not I/O errors
    expect(describeError(Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' })).code).toBe('internal');
  });
});

describe('signals', () => {
  /** Spawn the CLI; resolve with its exit code (or signal) once it ends. */
  function start(args: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, out }));
    });
    return { child, ended };
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const lockOf = (root: string) => path.join(root, 'etc/security/.limitsctl.lock');
  async function until(cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (cond()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('SIGTERM ends a run that waits for another process\'s lock (by the signal: 143 in a shell), and that lock is left alone', async () => {
    const root = demoCopy();
    // another process holds the tree lock
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `const { withTreeLock } = await import(${JSON.stringify(path.join(REPO, 'dist/io/tree-lock.js'))});
       setInterval(() => {}, 1000); // keep running
       await withTreeLock(process.argv[1], () => { console.log('held'); return new Promise(() => {}); });`, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((r) => holder.stdout.once('data', r));
      const theirs = readFileSync(lockOf(root), 'utf8');
      const run = start(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
      await sleep(1500); // let it reach the lock wait (a signal before that is handled the same way)
      const before = readFileSync(path.join(root, LIMITS));
      run.child.kill('SIGTERM');
      const r = await run.ended;
      // ended by the signal itself (a shell shows 143), nothing caught
      expect({ code: r.code, signal: r.signal }, r.out).toEqual({ code: null, signal: 'SIGTERM' });
      expect(readFileSync(lockOf(root), 'utf8')).toBe(theirs);
      expect(readFileSync(path.join(root, LIMITS))).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  it('SIGTERM, Ctrl-C and SIGHUP end a run stuck while it holds the lock, by the signal, and the lock is released', async () => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const root = demoCopy();
      const before = readFileSync(path.join(root, LIMITS));
      // a file system that never finishes a rename: the run takes the lock and then hangs
      const hook = path.join(tmp(), 'stall-rename.mjs');
      writeFileSync(hook, `import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
fs.rename = () => new Promise(() => { setInterval(() => {}, 1000); });
syncBuiltinESMExports();
`);
      const run = start(['set', 'nproc', '5', '--user', 'admin', '--root', root], { NODE_OPTIONS: `--import=${hook}` });
      await until(() => existsSync(lockOf(root)), 'the run to take the lock');
      await sleep(500);
      run.child.kill(signal);
      const r = await run.ended;
      // the lock is removed, then the same signal ends the process (src/io/signal-cleanup.ts)
      expect({ code: r.code, signal: r.signal }, r.out).toEqual({ code: null, signal });
      expect(existsSync(lockOf(root)), 'lock released').toBe(false);
      expect(readFileSync(path.join(root, LIMITS))).toEqual(before);
    }
  }, 60_000);
});
