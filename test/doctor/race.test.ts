/**
 * doctor on a real /proc while processes appear and vanish under it: a churner starts and ends
 * short-lived processes (and threads) all the time; the readers must skip what vanishes and never
 * throw. Runs everywhere (no root needed): the churned processes belong to whoever runs the tests,
 * so the deep reads (cmdline, limits, cgroup) hit them too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/doctor.js';
import { readLiveFacts, readProcesses } from '../../src/io/live.js';
import { testSeed } from '../seed.js';
import { BIN } from './helpers.js';

const linux = process.platform === 'linux';
const uid = process.getuid?.() ?? -1;
const me = os.userInfo().username;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!linux)('a live /proc that changes while it is read', () => {
  let churn: ChildProcess | undefined;
  beforeAll(async () => {
    // bursts of 40 short-lived processes, each with a child of its own; perl adds a thread-free
    // fork storm so PIDs die between readdir and the reads of their files
    // the churner's sleeps come from bash's $RANDOM, seeded (LIMITSCTL_SEED reruns them)
    const seed = testSeed('doctor race churner');
    churn = spawn('bash', ['-c', `
      RANDOM=${seed}
      while :; do
        for i in $(seq 1 40); do ( sleep 0.0$((RANDOM % 9 + 1)) & wait ) & done
        perl -e 'for (1..20) { my $p = fork(); exit 0 if defined $p && $p == 0 }; 1 while wait() > 0' 2>/dev/null
        wait
      done`], { detached: true, stdio: 'ignore' });
    await sleep(300);
  });
  afterAll(() => {
    // the churner leads its own process group (detached): end that group, by its id
    if (churn?.pid) try { process.kill(-churn.pid, 'SIGKILL'); } catch { /* already gone */ }
  });

  it('readProcesses and the whole fact gathering never throw; vanished PIDs are skipped and counted', async () => {
    // A fixed number of reads (not a time budget), and the reads must really have seen /proc
    // change under them: the set of PIDs differs between consecutive reads at least CHANGES times.
    const ROUNDS = 16;
    const CHANGES = 8;
    let rounds = 0;
    let vanished = 0;
    let mine = 0;
    let changes = 0;
    let last = '';
    while (rounds < ROUNDS || (changes < CHANGES && rounds < 20 * ROUNDS)) {
      const { processes, census } = readProcesses('/proc', uid);
      vanished += census.vanished;
      mine = Math.max(mine, processes.length);
      const pids = processes.map((p) => p.pid).sort((a, b) => a - b).join(',');
      if (rounds > 0 && pids !== last) changes++;
      last = pids;
      for (const p of processes) {
        expect(p.threads).toBeGreaterThan(0);
        expect(p.uid).toBe(uid);
      }
      if (rounds % 4 === 0) {
        const facts = readLiveFacts({ root: '/', proc: '/proc', sys: '/sys' }, uid);
        const report = diagnose({
          identity: { name: me, uid, gid: process.getgid?.() ?? 0, groups: [] }, resolution: null, confResolutions: [],
          ...facts, sources: { root: '/', proc: '/proc', sys: '/sys', live: true },
        });
        expect(report.nproc.processes).toBe(facts.processes.length);
      }
      rounds++;
      await sleep(5); // let the churner run
    }
    console.log(`[race] ${rounds} reads of /proc while it churned (${changes} saw another set of PIDs); ${vanished} PIDs vanished mid-read (skipped); up to ${mine} processes of uid ${uid} seen`);
    expect(changes, 'the churner changed /proc between reads (else this test read a still /proc)').toBeGreaterThanOrEqual(CHANGES);
  }, 120_000);

  it('the built CLI, several at once, exits 0 or 1 with valid JSON every time', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, () => runCli(['doctor', '--user', me, '--json'])));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.code);
      const j = JSON.parse(r.stdout);
      expect(j.user.uid).toBe(uid);
      expect(j.system.processes).toBeGreaterThan(0);
    }
    console.log(`[race] CLI runs saw ${runs.map((r) => JSON.parse(r.stdout).system.vanished).join(', ')} vanished PIDs`);
  });
});
