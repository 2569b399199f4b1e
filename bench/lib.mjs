// Shared helpers for the benchmarks: timing, medians, and side-by-side printing.
import { spawnSync } from 'node:child_process';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time of one process run, in ms. */
export function timeProcess(cmd, args, options = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...options });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && !options.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** Alternate a baseline and a subject n times; returns medians and the median of per-pair ratios. */
export function alternate(n, baseline, subject) {
  const b = [];
  const s = [];
  const ratios = [];
  for (let i = 0; i < n; i++) {
    const x = baseline();
    const y = subject();
    b.push(x);
    s.push(y);
    ratios.push(y / x);
  }
  return { baseline: median(b), subject: median(s), ratio: median(ratios) };
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}

export function row(cells, widths = [44, 14, 14, 10]) {
  console.log(cells.map((c, i) => String(c).padEnd(widths[i] ?? 12)).join(''));
}

export function peakRssMb() {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

// ---------------------------------------------------------------------------------------------
// Process measurements with CPU time and peak RSS, and figures printed beside their target.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** GNU time, which reports a child's CPU time and peak RSS from wait4(2); bench/setup.sh installs it. */
export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = () => existsSync(GNU_TIME);

/** Is `cmd` on PATH? */
export function onPath(cmd) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, cmd)));
}

/** Runs per measured row: BENCH_RUNS (default `dflt`), at least 1. */
export function runs(dflt = 3) {
  const n = Number(process.env.BENCH_RUNS ?? dflt);
  return Number.isInteger(n) && n >= 1 ? n : dflt;
}

/**
 * Per-process limit of CPU seconds: BENCH_CPU_LIMIT (default 30), enforced with RLIMIT_CPU (the
 * process gets SIGXCPU), so that a loaded machine, which stretches wall time, does not cut a run
 * short; a run also stops after 20 times as many wall-clock seconds.
 */
export function cpuLimit() {
  const s = Number(process.env.BENCH_CPU_LIMIT ?? 30);
  return Number.isInteger(s) && s > 0 ? s : 30;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'limitsctl-bench-time-'));
const live = new Set();
process.on('exit', () => {
  for (const pid of live) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(scratch, { recursive: true, force: true });
});
let seq = 0;

/**
 * One run of `cmd args` under GNU time. Resolves to
 *   { wall: ms, cpu: ms (user + system), rss: MiB (peak resident set), status, signal, timedOut,
 *     tail: the last 4 KiB of stdout (only with keepTail, else stdout goes to /dev/null) }.
 * Without GNU time, cpu and rss are NaN and wall is measured here. A run over cpuLimit() CPU
 * seconds (`limit`) gets SIGXCPU (signal: 'the CPU limit'); one over 20 times that in wall-clock seconds is
 * killed with its process group (timedOut: true). Processes still running when this one exits are
 * killed.
 */
export function measure(cmd, args, { cwd, keepTail = false, limit = cpuLimit() } = {}) {
  const out = path.join(scratch, `t${seq++}`);
  const gnu = hasGnuTime();
  const limited = ['/bin/sh', '-c', `ulimit -S -t ${limit} && exec "$0" "$@"`, cmd, ...args];
  const argv = gnu ? [GNU_TIME, '-o', out, '-f', '%e %U %S %M', ...limited] : limited;
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, detached: true, stdio: ['ignore', keepTail ? 'pipe' : 'ignore', 'ignore'] });
    let tail = '';
    child.stdout?.on('data', (b) => { tail = (tail + b.toString('utf8')).slice(-4096); });
    live.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, limit * 20_000);
    child.on('close', (code, signal) => {
      live.delete(child.pid);
      clearTimeout(timer);
      if (signal === 'SIGXCPU') signal = 'the CPU limit';
      const wallHere = Number(process.hrtime.bigint() - t) / 1e6;
      let cpu = NaN;
      let rss = NaN;
      let wall = wallHere;
      let status = code;
      if (gnu && !timedOut) {
        const text = readFileSync(out, 'utf8').trim().split('\n');
        // "Command exited with non-zero status N" / "Command terminated by signal N" come first
        const last = text[text.length - 1].split(' ').map(Number);
        [wall, cpu, rss] = [last[0] * 1000, (last[1] + last[2]) * 1000, last[3] / 1024];
        const sig = /terminated by signal (\d+)/.exec(text.join('\n'));
        if (sig) { status = null; signal = sig[1] === '24' ? 'the CPU limit' : `signal ${sig[1]}`; }
      }
      rmSync(out, { force: true });
      resolve({ wall, cpu, rss, status, signal, timedOut, tail });
    });
  });
}

/**
 * Alternates the given process specs `n` times ({ name, cmd, args, cwd, ok: statuses accepted,
 * default [0], keepTail, cpuLimit: seconds, default cpuLimit() }) so that load on the machine falls on all of them alike. The series
 * stops at the first failed run (status not accepted, a signal, the time limit): its figure is a
 * miss whatever the others give. Returns, per name, { wall, cpu, rss: medians (rss: the highest),
 * runs, error?: why it failed, overLimit?: the CPU ms it was stopped at, rssAtStop?: its peak RSS
 * until then, tail: of the last run }.
 */
export async function series(n, specs) {
  const acc = Object.fromEntries(specs.map((s) => [s.name, { walls: [], cpus: [], rsss: [], error: undefined, overLimit: undefined, tail: '' }]));
  for (let i = 0; i < n; i++) {
    for (const s of specs) {
      const a = acc[s.name];
      if (Object.values(acc).some((o) => o.error)) break;
      const limit = s.cpuLimit ?? cpuLimit();
      const r = await measure(s.cmd, s.args, { cwd: s.cwd, keepTail: s.keepTail, limit });
      const ok = s.ok ?? [0];
      if (r.timedOut) a.error = `killed after ${limit * 20} s wall`;
      else if (r.signal === 'the CPU limit') { a.error = `over ${limit} s CPU${s.cpuLimit ? '' : ' (BENCH_CPU_LIMIT)'}`; a.overLimit = limit * 1000; a.rssAtStop = r.rss; }
      else if (r.signal || !ok.includes(r.status)) a.error = `${r.signal ? `killed by ${r.signal}` : `exited ${r.status}`}${r.rss ? ` at ${r.rss.toFixed(0)} MiB` : ''}`;
      else { a.walls.push(r.wall); a.cpus.push(r.cpu); a.rsss.push(r.rss); a.tail = r.tail; }
    }
  }
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, {
    wall: a.walls.length ? median(a.walls) : NaN,
    cpu: a.cpus.length ? median(a.cpus) : NaN,
    rss: a.rsss.length ? Math.max(...a.rsss) : NaN,
    runs: a.walls.length,
    error: a.error,
    overLimit: a.overLimit,
    rssAtStop: a.rssAtStop,
    tail: a.tail,
  }]));
}

/** A duration for a table: ms below 10 s, else s. NaN prints as "—". */
export function dur(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const FIG_W = [58, 26, 26, 22, 14];
/** Pads a cell to its column; a longer cell keeps two blanks after it. */
const pad = (c, w) => (String(c).length >= w - 1 ? `${c}  ` : String(c).padEnd(w));
/** Header of a figures table. */
export function figureHeader() {
  console.log(['figure', 'limitsctl', 'baseline (same run)', 'measured', 'target', ''].map((c, i) => pad(c, FIG_W[i] ?? 0)).join('').trimEnd());
}

/**
 * One figure: name, the subject's and the baseline's medians, the measured figure, its target and
 * PASS/MISS (pass: true/false), or `skip: reason` in place of the figures when it was not measured.
 * run.mjs collects every line that ends in PASS, MISS or SKIP into its summary.
 */
export function figure({ name, subject = '', baseline = '', value = '', target = '', pass, skip }) {
  if (skip) {
    console.log(`${pad(name, FIG_W[0])}${pad(`not measured: ${skip}`, FIG_W[1] + FIG_W[2] + FIG_W[3])}${pad(target, FIG_W[4])}SKIP`);
    return;
  }
  const cells = [name, subject, baseline, value, target];
  console.log(`${cells.map((c, i) => pad(c, FIG_W[i])).join('')}${pass ? 'PASS' : 'MISS'}`);
}
