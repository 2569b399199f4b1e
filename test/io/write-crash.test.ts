/**
 * Crash safety: a child process rewrites a 1 MB file over and over (alternating two contents,
 * through the tree lock), and is SIGKILLed at random moments. After every kill the file must hold
 * exactly one of the two contents — the one after the writes the child reported as done, or the
 * one after the write it was in the middle of — never a mix, never a truncated or missing file.
 * Leftovers may only be temp files named by TEMP_FILE_PATTERN (or a stale lock), and the next
 * write must clean them up and recover the lock.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCK_RELATIVE_PATH, TEMP_FILE_PATTERN, withTreeLock, writeFileAtomic } from '../../src/io/write.js';
import { rng, seedNote, testSeed } from '../seed.js';
import { type IoModule, prepareIoModule } from './helpers/module.js';

const KILLS = 200;
const LANES = 4;
const SIZE = 1 << 20;
const A = Buffer.alloc(SIZE, 'A\n');
const B = Buffer.alloc(SIZE, 'B\n');
const LOCK_NAME = path.basename(LOCK_RELATIVE_PATH);
/** the kill delays are seeded: LIMITSCTL_SEED reruns the same ones (each lane draws from seed + lane) */
const SEED = testSeed('write-crash kill delays');

let mod: IoModule;
let root: string;

beforeAll(async () => {
  mod = await prepareIoModule();
  root = await mkdtemp(path.join(tmpdir(), 'limitsctl-crash-'));
});
afterAll(async () => {
  await mod?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

/**
 * Spawn the writer, wait for "ready" (module loaded, first round starting) or for its first
 * completed write, let it run `ms` more milliseconds, SIGKILL it.
 */
async function runAndKill(treeRoot: string, file: string, ms: number, from: 'ready' | 'first-write'): Promise<{ writes: number; signal: NodeJS.Signals | null }> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [mod.helper('crash-writer.mjs'), treeRoot, file, String(SIZE)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith(from === 'ready' ? 'ready\n' : 'ready\nw\n')) resolve();
    });
    void closed.then(({ code }) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  const { signal } = await closed;
  if (err !== '') throw new Error(`writer wrote to stderr: ${err}`);
  const writes = out.split('\n').filter((l) => l === 'w').length;
  return { writes, signal };
}

interface LaneStats {
  kills: number;
  writes: number;
  midWrite: number;
  afterRename: number;
  staleLocks: number;
}

/** One independent tree: kill its writer `kills` times, checking the file after every kill. */
async function lane(n: number, kills: number): Promise<LaneStats> {
  const treeRoot = path.join(root, `lane${n}`);
  const sec = path.join(treeRoot, 'etc', 'security');
  const dir = path.join(sec, 'limits.d');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, '90-big.conf');
  await writeFile(file, A);
  await chmod(file, 0o640);

  const random = rng(SEED + n);
  let current = A; // what the file holds after all writes reported so far
  const stats: LaneStats = { kills: 0, writes: 0, midWrite: 0, afterRename: 0, staleLocks: 0 };
  for (let i = 0; i < kills; i++) {
    // Half of the kills count from the start (they hit lock recovery and the first write), half
    // from the first completed write (so that they also hit renames and later writes: with
    // ~20 ms per fsync'ed 1 MB write, few kills counted from the start come after a rename).
    const { writes, signal } = await runAndKill(treeRoot, file, random() * 30, i % 2 === 0 ? 'ready' : 'first-write');
    expect(signal).toBe('SIGKILL');
    stats.kills++;
    stats.writes += writes;
    for (let k = 0; k < writes; k++) current = flip(current);

    const where = `${seedNote(SEED)}, lane ${n}, kill ${i}`;
    const st = await stat(file); // never missing
    const data = await readFile(file);
    expect(data.length, `${where}: size`).toBe(SIZE);
    // Either the state after the reported writes, or after the one in progress (renamed, not yet reported).
    const ok = data.equals(current) || data.equals(flip(current));
    expect(ok, `${where}: content is neither the old nor the new one`).toBe(true);
    if (!data.equals(current)) {
      stats.afterRename++;
      current = flip(current);
    }
    expect(st.mode & 0o7777, `${where}: mode`).toBe(0o640);

    const left = (await readdir(dir)).filter((x) => x !== '90-big.conf');
    for (const x of left) expect(x, `${where}: unexpected leftover`).toMatch(TEMP_FILE_PATTERN);
    if (left.length > 0) stats.midWrite++;
    const secLeft = (await readdir(sec)).filter((x) => x !== 'limits.d');
    for (const x of secLeft) expect([LOCK_NAME, `${LOCK_NAME}.break`], `${where}: unexpected leftover`).toContain(x);
    if (secLeft.includes(LOCK_NAME)) stats.staleLocks++;
  }

  // A later run recovers: stale lock taken over, leftover temp files removed.
  await withTreeLock(
    treeRoot,
    async () => {
      await writeFileAtomic(file, flip(current), { root: treeRoot, expected: current });
    },
    { timeoutMs: 5_000 },
  );
  expect((await readFile(file)).equals(flip(current))).toBe(true);
  expect(await readdir(dir)).toEqual(['90-big.conf']);
  expect(await readdir(sec)).toEqual(['limits.d']);
  return stats;
}

const flip = (x: Buffer) => (x.equals(A) ? B : A);

// Node takes ~0.1-0.3 s to start here, so the kills run in parallel lanes (independent trees) to
// keep the test well under a minute.
it(`survives ${KILLS} SIGKILLs at random moments with the file always complete`, async () => {
  const started = Date.now();
  const lanes = await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n, KILLS / LANES)));
  const sum = (k: keyof LaneStats) => lanes.reduce((t, l) => t + l[k], 0);
  console.info(
    `[crash] ${sum('kills')} kills in ${Date.now() - started} ms (${LANES} lanes): ${sum('writes')} completed writes, ` +
      `${sum('midWrite')} kills left a temp file, ${sum('afterRename')} landed between rename and report, ` +
      `${sum('staleLocks')} left a stale lock`,
  );
  expect(sum('kills')).toBeGreaterThanOrEqual(200);
  // The kills must really have hit writes in progress, or this test proved nothing.
  expect(sum('midWrite')).toBeGreaterThan(0);
  expect(sum('writes')).toBeGreaterThan(0);
}, 120_000);
