#!/usr/bin/env node
// doctor's cost, beside baselines measured in the same run:
//   1. this machine's /proc: reading the processes, and all the facts + the analysis, against a
//      bare loop doing only the unavoidable reads (every status; cmdline, limits, cgroup of the
//      user's processes); the CLI against `node -e 0`;
//   2. a synthetic /proc of 20,000 tasks (generated in a temp dir, removed afterwards), the same
//      two comparisons.
// Standalone: imports the built code from ../dist (run `npm run build` first, or `npm run bench`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose } from '../dist/core/doctor.js';
import { readLiveFacts, readProcesses } from '../dist/io/live.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/limitsctl.js');
const SYNTH_TASKS = 20_000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

/**
 * The I/O doctor cannot avoid, and nothing else: list /proc, read every status file, and read
 * cmdline, limits and cgroup of the processes whose real uid is `uid`.
 */
function bareRead(proc, uid) {
  let n = 0;
  const re = new RegExp(`\nUid:\t${uid}\t`);
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = readFileSync(`${proc}/${name}/status`, 'latin1');
      n += st.length;
      if (re.test(st)) for (const f of ['cmdline', 'limits', 'cgroup']) n += readFileSync(`${proc}/${name}/${f}`, 'latin1').length;
    } catch { /* vanished */ }
  }
  return n;
}

function doctorInProcess(src, uid) {
  const facts = readLiveFacts(src, uid);
  return diagnose({
    identity: { name: 'bench', uid, gid: uid, groups: [] }, resolution: null, confResolutions: [],
    ...facts, sources: { ...src, live: false },
  });
}

function spawnMs(args, runs) {
  return time(() => {
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }, runs);
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const rows = [];
const row = (what, ms, baseName, baseMs) => rows.push([what, fmt(ms), `${baseName} ${fmt(baseMs)}`, `${(ms / baseMs).toFixed(1)}×`]);

// --- 1. this machine -------------------------------------------------------------------------
const me = os.userInfo();
const live = { root: '/', proc: '/proc', sys: '/sys' };
const liveReport = doctorInProcess(live, me.uid);
const liveBare = time(() => bareRead('/proc', me.uid), 30);
row(`live /proc (${liveReport.system.processes} processes, ${liveReport.system.tasks} tasks, ${liveReport.nproc.processes} of uid ${me.uid}): readProcesses`,
  time(() => readProcesses('/proc', me.uid), 30), 'bare reads', liveBare);
row('live: every fact (+ pam.d, systemd, sshd, /sys) + diagnose', time(() => doctorInProcess(live, me.uid), 30), 'bare reads', liveBare);
row('live: CLI `limitsctl doctor --json`', spawnMs([BIN, 'doctor', '--user', me.username, '--json'], 10), 'node -e 0', spawnMs(['-e', '0'], 10));

// --- 2. a synthetic /proc of 20,000 tasks ----------------------------------------------------
const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-doctor-bench-'));
try {
  const proc = path.join(dir, 'proc');
  const t0 = performance.now();
  // the kernel's layout, with nproc 30000:30000
  const limits = readFileSync(path.join(REPO, 'fixtures/demo/proc/1/limits'), 'utf8').replace(/^(Max processes\s+)\d+(\s+)\d+/m, '$130000$230000');
  const cmds = [['ssh: /home/bench/.ssh/cm-bench@hostN:22 [mux]'], ['/usr/bin/python3', '/opt/worker.py'], ['-bash'], ['sleep', '3600']];
  // 12,000 processes of the user (one with 2,000 threads), 6,000 others: 20,000 tasks in all
  let tasks = 0;
  let pid = 100;
  const write = (uid, threads, argv) => {
    const d = path.join(proc, String(pid));
    mkdirSync(d);
    writeFileSync(path.join(d, 'status'), `Name:\t${path.basename(argv[0] ?? 'x').slice(0, 15)}\nState:\tS (sleeping)\nPid:\t${pid}\nPPid:\t1\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\nThreads:\t${threads}\n`);
    writeFileSync(path.join(d, 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(path.join(d, 'limits'), limits);
    writeFileSync(path.join(d, 'cgroup'), `0::/user.slice/user-${uid}.slice/session-${pid % 7}.scope\n`);
    pid++;
    tasks += threads;
  };
  mkdirSync(proc, { recursive: true });
  write(4242, 2001, ['/usr/bin/java', '-jar', '/opt/app.jar']);
  for (let i = 0; tasks < 14_000; i++) write(4242, 1, cmds[i % cmds.length].map((a) => a.replace('hostN', `host${i}`)));
  while (tasks < SYNTH_TASKS) write(pid % 50, 1, ['/usr/sbin/daemon', '--worker']);
  for (const [rel, v] of [['sys/kernel/pid_max', 4194304], ['sys/kernel/threads-max', 250000], ['sys/vm/overcommit_memory', 0], ['loadavg', `0.1 0.1 0.1 1/${tasks} 1`]]) {
    mkdirSync(path.dirname(path.join(proc, rel)), { recursive: true });
    writeFileSync(path.join(proc, rel), `${v}\n`);
  }
  writeFileSync(path.join(proc, 'meminfo'), 'MemTotal: 16000000 kB\nMemAvailable: 8000000 kB\nCommitLimit: 8000000 kB\nCommitted_AS: 100000 kB\n');
  mkdirSync(path.join(dir, 'sys/fs/cgroup'), { recursive: true });
  mkdirSync(path.join(dir, 'etc'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nbench:x:4242:4242::/home/bench:/bin/bash\n');
  writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nbench:x:4242:\n');
  const genMs = performance.now() - t0;
  const src = { root: dir, proc, sys: path.join(dir, 'sys') };
  const r = doctorInProcess(src, 4242);
  if (r.system.tasks !== tasks) throw new Error(`synthetic /proc: doctor counted ${r.system.tasks} tasks, expected ${tasks}`);
  const synthBare = time(() => bareRead(proc, 4242), 7);
  row(`synthetic /proc (${pid - 100} processes, ${tasks} tasks, ${r.nproc.processes} processes of the user): readProcesses`,
    time(() => readProcesses(proc, 4242), 7), 'bare reads', synthBare);
  row('synthetic: every fact + diagnose', time(() => doctorInProcess(src, 4242), 7), 'bare reads', synthBare);
  row('synthetic: CLI `limitsctl doctor --root … --json`', spawnMs([BIN, 'doctor', '--root', dir, '--user', 'bench', '--json'], 5), 'node -e 0', spawnMs(['-e', '0'], 5));
  console.log(`(synthetic /proc generated in ${fmt(genMs)}; doctor's verdict there: ${r.verdict})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(`doctor benchmark — node ${process.version}, ${os.cpus().length} CPUs, medians`);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('   '));
