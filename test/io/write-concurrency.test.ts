/**
 * The per-tree lock: many processes doing read → modify → write on the same file never lose an
 * update while they hold it (and do without it — the control case, showing the test can fail);
 * stale locks of dead processes are recovered; live ones are waited for, with a timeout.
 */
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCK_RELATIVE_PATH,
  LockTimeoutError,
  withTreeLock,
  writeFileAtomic,
} from '../../src/io/write.js';
import { type IoModule, prepareIoModule } from './helpers/module.js';

let mod: IoModule;
const roots: string[] = [];
const children: Array<{ kill: (s: NodeJS.Signals) => boolean; exitCode: number | null; signalCode: string | null }> = [];

beforeAll(async () => {
  mod = await prepareIoModule();
});
afterAll(async () => {
  await mod?.cleanup();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

async function makeRoot(): Promise<{ root: string; sec: string; lock: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'limitsctl-lock-'));
  roots.push(root);
  const sec = path.join(root, 'etc', 'security');
  await mkdir(path.join(sec, 'limits.d'), { recursive: true });
  return { root, sec, lock: path.join(root, LOCK_RELATIVE_PATH) };
}

interface Child {
  proc: ChildProcessByStdio<Writable, Readable, Readable>;
  /** resolves when stdout has shown `line` */
  saw(line: string): Promise<void>;
  /** resolves with the exit code when the process ends */
  done: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

function start(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, [mod.helper(script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  const waiters: Array<[string, () => void]> = [];
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (out.split('\n').includes(w[0])) w[1]();
      else waiters.push(w);
    }
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {
    proc,
    saw: (line) =>
      out.split('\n').includes(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push([line, resolve]);
            void done.then((code) => reject(new Error(`${script} exited (${code}) before "${line}": ${err}`)));
          }),
    done,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Run `n` append workers on one file; returns the lines of the file afterwards. */
async function appendRace(n: number, rounds: number, mode: 'lock' | 'nolock', holdMs: number, staleLock = false) {
  const { root, sec, lock } = await makeRoot();
  const file = path.join(sec, 'limits.d', '50-shared.conf');
  await writeFile(file, '# shared\n');
  if (staleLock) {
    // left behind by a process that was killed: every worker finds it at once and races to break it
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const info = { tool: 'limitsctl', pid: Number(dead.stdout), host: hostname(), bootId: null, start: null, token: 'dead', created: new Date().toISOString() };
    await writeFile(lock, JSON.stringify(info));
  }
  const barrier = path.join(root, 'go');
  const workers = Array.from({ length: n }, (_, i) =>
    start('append-worker.mjs', [root, file, `w${i}`, String(rounds), mode, barrier, String(holdMs)]),
  );
  await Promise.all(workers.map((w) => w.saw('waiting')));
  const t0 = Date.now();
  await writeFile(barrier, '');
  const codes = await Promise.all(workers.map((w) => w.done));
  const ms = Date.now() - t0;
  for (const [i, c] of codes.entries()) expect(c, `worker ${i}: ${workers[i]?.stderr()}`).toBe(0);
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const leftovers = (await readdir(path.join(sec, 'limits.d'))).filter((x) => x !== '50-shared.conf');
  const lockLeft = await stat(lock).then(
    () => true,
    () => false,
  );
  const conflicts = workers.filter((w) => /^conflict$/m.test(w.stdout())).length;
  return { lines, leftovers, lockLeft, ms, conflicts };
}

describe('concurrent limitsctl processes on one tree', () => {
  it('24 processes × 3 read-modify-write rounds under the lock lose no update', async () => {
    const N = 24;
    const ROUNDS = 3;
    const r = await appendRace(N, ROUNDS, 'lock', 2);
    console.info(`[lock] ${N}×${ROUNDS} locked appends in ${r.ms} ms`);
    const expected = [];
    for (let i = 0; i < N; i++) for (let k = 0; k < ROUNDS; k++) expected.push(`w${i}-${k}`);
    expect([...r.lines].sort()).toEqual(expected.sort()); // every line, each exactly once
    // each worker's own lines are in its order
    for (let i = 0; i < N; i++) {
      const mine = r.lines.filter((l) => l.startsWith(`w${i}-`));
      expect(mine).toEqual(Array.from({ length: ROUNDS }, (_, k) => `w${i}-${k}`));
    }
    expect(r.leftovers).toEqual([]);
    expect(r.lockLeft).toBe(false);
  }, 60_000);

  it('a stale lock found by all 20 at once is broken exactly once (no update lost)', async () => {
    const N = 20;
    const r = await appendRace(N, 2, 'lock', 0, true);
    expect([...r.lines].sort()).toEqual(
      Array.from({ length: N }, (_, i) => [`w${i}-0`, `w${i}-1`]).flat().sort(),
    );
    expect(r.leftovers).toEqual([]);
    expect(r.lockLeft).toBe(false);
  }, 60_000);

  it('control: without the lock the same race loses updates (so the test above can fail)', async () => {
    const N = 20;
    const r = await appendRace(N, 1, 'nolock', 30);
    console.info(`[nolock] ${N} unlocked appends kept ${r.lines.length} of ${N} lines (${r.conflicts} refused as conflicts)`);
    expect(r.lines.length).toBeLessThan(N);
    // every update the writer did not refuse either landed or was overwritten: none is counted twice
    expect(r.lines.length + r.conflicts).toBeLessThanOrEqual(N);
    expect(r.leftovers).toEqual([]); // still atomic: no partial files, no temps
  }, 60_000);
});

describe('withTreeLock', () => {
  it('holds a hidden lock file in etc/security and removes it afterwards, also on error', async () => {
    const { root, sec, lock } = await makeRoot();
    expect(path.basename(lock)).toBe('.limitsctl.lock');
    const seen = await withTreeLock(root, async () => {
      const info = JSON.parse(await readFile(lock, 'utf8'));
      expect(info).toMatchObject({ tool: 'limitsctl', pid: process.pid, host: hostname() });
      return 'result';
    });
    expect(seen).toBe('result');
    expect(await readdir(sec)).toEqual(['limits.d']);
    await expect(withTreeLock(root, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(sec)).toEqual(['limits.d']);
  });

  it('creates a missing etc/security for the lock', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'limitsctl-lock-'));
    roots.push(root);
    await withTreeLock(root, async () => {
      expect((await stat(path.join(root, 'etc', 'security'))).isDirectory()).toBe(true);
    });
    expect(await readdir(path.join(root, 'etc', 'security'))).toEqual([]);
  });

  it('is re-entrant within one call chain and serialises independent calls of one process', async () => {
    const { root } = await makeRoot();
    expect(await withTreeLock(root, () => withTreeLock(root, () => 42))).toBe(42);
    const events: string[] = [];
    const job = (id: string) =>
      withTreeLock(root, async () => {
        events.push(`${id}+`);
        await new Promise((r) => setTimeout(r, 20));
        events.push(`${id}-`);
      });
    await Promise.all([job('a'), job('b'), job('c')]);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.[0]).toBe(events[i + 1]?.[0]); // enter and leave of the same job are adjacent
    }
  });

  it('waits for a live holder, times out with who holds it, then gets the lock once released', async () => {
    const { root, lock } = await makeRoot();
    const holder = start('lock-holder.mjs', [root, 'hold']);
    await holder.saw('locked');
    let ran = false;
    let err: unknown;
    try {
      await withTreeLock(root, () => { ran = true; }, { timeoutMs: 400 });
    } catch (e) {
      err = e;
    }
    // gave up without running, and without touching the live holder's lock
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(LockTimeoutError);
    const lte = err as LockTimeoutError;
    expect(lte.code).toBe('ELOCKTIMEOUT');
    expect(lte.path).toBe(lock);
    expect(lte.owner?.pid).toBe(holder.proc.pid);
    expect(lte.message).toContain(String(holder.proc.pid));
    expect(lte.message).toContain(lock);
    expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(holder.proc.pid);
    expect(holder.proc.exitCode).toBeNull();
    // a waiter is still waiting while the holder holds; it runs only after the release
    const events: string[] = [];
    const waiting = withTreeLock(root, async () => {
      events.push('ran');
      expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(process.pid);
      return 'got it';
    }, { timeoutMs: 30_000 });
    void waiting.then(() => events.push('settled'), () => events.push('settled'));
    await new Promise((r) => setTimeout(r, 100)); // let it poll a few times
    expect(events).toEqual([]);
    expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(holder.proc.pid);
    events.push('released');
    holder.proc.stdin.end();
    expect(await waiting).toBe('got it');
    expect(events.slice(0, 2)).toEqual(['released', 'ran']);
    expect(await holder.done).toBe(0);
  });

  it('recovers the lock of a SIGKILLed holder at once', async () => {
    const { root, lock } = await makeRoot();
    const holder = start('lock-holder.mjs', [root, 'hold']);
    await holder.saw('locked');
    holder.proc.kill('SIGKILL');
    await holder.done;
    expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(holder.proc.pid); // left behind
    // "at once": with no time to wait at all (timeoutMs 0) the dead holder's lock is taken over on
    // the first attempt — its staleness is read from the pid, not waited out
    await withTreeLock(root, async () => {
      expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(process.pid);
    }, { timeoutMs: 0 });
    await expect(stat(lock)).rejects.toThrow();
    // control: a live holder's lock is not taken with timeoutMs 0 (so the assertion above can fail)
    const live = start('lock-holder.mjs', [root, 'hold']);
    await live.saw('locked');
    await expect(withTreeLock(root, () => 'never', { timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    live.proc.stdin.end();
    expect(await live.done).toBe(0);
  });

  it('removes the lock when the holder exits normally while holding it', async () => {
    const { root, sec } = await makeRoot();
    const holder = start('lock-holder.mjs', [root, 'exit']);
    expect(await holder.done).toBe(0);
    expect(await readdir(sec)).toEqual(['limits.d']);
  });

  it('treats reused pids, other boots and malformed old lock files as stale, other hosts not', async () => {
    const { root, lock } = await makeRoot();
    const base = {
      tool: 'limitsctl',
      pid: 0, // set below
      host: hostname(),
      bootId: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'x')).trim(),
      start: null,
      token: 'feedface',
      created: new Date().toISOString(),
    };
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    const pid = sleeper.pid as number;
    const stale = [
      { ...base, pid, start: '12345' }, // live pid, other start time: pid reused
      { ...base, pid, bootId: 'another-boot' }, // rebooted since
    ];
    for (const info of stale) {
      await writeFile(lock, JSON.stringify(info));
      expect(await withTreeLock(root, () => 'ok', { timeoutMs: 2_000 })).toBe('ok');
    }
    // malformed: young → waited for; old → stale
    await writeFile(lock, '');
    await expect(withTreeLock(root, () => 'ok', { timeoutMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await withTreeLock(root, () => 'ok', { timeoutMs: 2_000 })).toBe('ok');
    // another host: never broken automatically
    await writeFile(lock, JSON.stringify({ ...base, pid: 4_000_000, host: 'elsewhere.example' }));
    const e = await withTreeLock(root, () => 'ok', { timeoutMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LockTimeoutError);
    expect((e as LockTimeoutError).message).toContain('elsewhere.example');
    await rm(lock);
  });

  it('lets a write made under the lock go through while another process waits', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await withTreeLock(root, async () => {
      await writeFileAtomic(f, Buffer.from('x\n'), { root });
    });
    expect(await readFile(f, 'utf8')).toBe('x\n');
  });
});
