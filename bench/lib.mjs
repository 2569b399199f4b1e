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
import { availableParallelism, tmpdir } from 'node:os';
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
 * Can this process run others under SCHED_FIFO pinned to one CPU (`taskset -c N chrt -f 1`: root
 * or CAP_SYS_NICE, util-linux)? BENCH_RT=0 says no; BENCH_RT=all asks for it on every process
 * measured, not only on those whose spec asks (`rt: true`). Checked once.
 */
let rtChecked;
export function rtMode() {
  if (rtChecked === undefined) {
    const env = process.env.BENCH_RT ?? 'auto';
    if (env === '0' || env === 'none') rtChecked = { use: false, why: 'BENCH_RT=0' };
    else {
      const r = spawnSync('taskset', ['-c', String(availableParallelism() - 1), 'chrt', '-f', '1', 'true'], { stdio: 'ignore' });
      rtChecked = r.status === 0
        ? { use: true, all: env === 'all', cpu: availableParallelism() - 1 }
        : { use: false, why: 'taskset/chrt -f cannot run a process under SCHED_FIFO here (needs root or CAP_SYS_NICE)' };
    }
  }
  return rtChecked;
}

/**
 * One run of `cmd args` under GNU time. Resolves to
 *   { wall: ms, cpu: ms (user + system), rss: MiB (peak resident set), preempted: involuntary
 *     context switches, status, signal, timedOut, rt: whether it ran under SCHED_FIFO,
 *     tail: the last 4 KiB of stdout (only with keepTail, else stdout goes to /dev/null),
 *     stderr: the last 4 KiB of its standard error }.
 * With `rt` (and rtMode().use) the process runs under SCHED_FIFO priority 1 pinned to the last
 * CPU: no other process of normal priority preempts it, so its CPU time is not inflated by others
 * taking the CPU's caches between its time slices (see lint.bench.mjs figure 1).
 * Without GNU time, cpu and rss are NaN and wall is measured here. A run over cpuLimit() CPU
 * seconds (`limit`) gets SIGXCPU (signal: 'the CPU limit'); one over 20 times that in wall-clock seconds is
 * killed with its process group (timedOut: true). Processes still running when this one exits are
 * killed.
 */
export function measure(cmd, args, { cwd, keepTail = false, limit = cpuLimit(), rt = false } = {}) {
  const out = path.join(scratch, `t${seq++}`);
  const gnu = hasGnuTime();
  const mode = rtMode();
  const fifo = mode.use && (rt || mode.all);
  const wrap = fifo ? ['taskset', '-c', String(mode.cpu), 'chrt', '-f', '1'] : [];
  const limited = ['/bin/sh', '-c', `ulimit -S -t ${limit} && exec "$0" "$@"`, ...wrap, cmd, ...args];
  const argv = gnu ? [GNU_TIME, '-o', out, '-f', '%e %U %S %M %c', ...limited] : limited;
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, detached: true, stdio: ['ignore', keepTail ? 'pipe' : 'ignore', 'pipe'] });
    let tail = '';
    let stderr = '';
    child.stdout?.on('data', (b) => { tail = (tail + b.toString('utf8')).slice(-4096); });
    child.stderr.on('data', (b) => { stderr = (stderr + b.toString('utf8')).slice(-4096); });
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
      let preempted = NaN;
      let wall = wallHere;
      let status = code;
      if (gnu && !timedOut) {
        const text = readFileSync(out, 'utf8').trim().split('\n');
        // "Command exited with non-zero status N" / "Command terminated by signal N" come first
        const last = text[text.length - 1].split(' ').map(Number);
        [wall, cpu, rss, preempted] = [last[0] * 1000, (last[1] + last[2]) * 1000, last[3] / 1024, last[4]];
        const sig = /terminated by signal (\d+)/.exec(text.join('\n'));
        if (sig) { status = null; signal = sig[1] === '24' ? 'the CPU limit' : `signal ${sig[1]}`; }
      }
      rmSync(out, { force: true });
      resolve({ wall, cpu, rss, preempted, status, signal, timedOut, rt: fifo, tail, stderr });
    });
  });
}

/** `s` quoted for /bin/sh. */
const shQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/**
 * CPU and wall ms per run of a loop of commands under one GNU time: the argv arrays of `cmds` run
 * `loop` times in all, taking turns (cmds[i % cmds.length]), their output discarded, in `env`.
 * GNU time prints CPU time in 10 ms steps, so one run of a command of a few tens of ms reads
 * ±25 %; a loop of ten reads it to 1 ms. Resolves to { cpu, wall } (ms per run), or { error } when
 * a run ends with a status other than 0 (unless `allowFail`) or there is no GNU time.
 */
export function loopCpu(cmds, loop, { env = process.env, allowFail = false } = {}) {
  if (!hasGnuTime()) return { error: 'no GNU time at /usr/bin/time (bench/setup.sh installs it)' };
  const out = path.join(scratch, `t${seq++}`);
  const lines = [];
  for (let i = 0; i < loop; i++) {
    const argv = cmds[i % cmds.length].map(shQuote).join(' ');
    lines.push(allowFail ? `${argv} >/dev/null 2>&1` : `${argv} >/dev/null 2>&1 || exit $?`);
  }
  const r = spawnSync(GNU_TIME, ['-o', out, '-f', '%e %U %S', '/bin/sh', '-c', lines.join('\n')], { env, stdio: 'ignore' });
  const text = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [];
  rmSync(out, { force: true });
  if (r.status !== 0 || text.length === 0) return { error: `a run of ${cmds[0].slice(1).join(' ')} failed (status ${r.status})` };
  const [e, u, sys] = text[text.length - 1].split(' ').map(Number);
  return { cpu: ((u + sys) * 1000) / loop, wall: (e * 1000) / loop };
}

/**
 * CPU time a process cannot have used in `wall` ms: more than its threads could run in that time
 * (`threads`, default the machine's CPUs), with 5 % + 50 ms for GNU time's 10 ms steps. Such a
 * figure is the kernel's accounting going wrong (seen on virtual machines), not work done.
 */
export function impossibleCpu(cpu, wall, threads = availableParallelism()) {
  return cpu > wall * Math.min(threads, availableParallelism()) * 1.05 + 50;
}

/**
 * Alternates the given process specs `n` times ({ name, cmd, args, cwd, ok: statuses accepted,
 * default [0], keepTail, cpuLimit: seconds, default cpuLimit(), threads: how many threads the
 * process runs on at most, default the machine's CPUs — 1 for augtool, rt: run it under
 * SCHED_FIFO where rtMode() allows, see measure; quiet: a run that writes to standard error has
 * failed) so that load on the
 * machine falls on all of them alike. A run whose CPU time exceeds what its threads could use in
 * its wall time (impossibleCpu) is not counted: it is listed in `dropped` and run once more. The
 * series stops at the first failed run (status not accepted, a signal, the time limit): its figure
 * is a miss whatever the others give. Returns, per name, { wall, cpu, rss: medians (rss: the
 * highest), runs, cpus: every counted run's CPU ms in order, min, max: of those, spread: max / min,
 * preempted: median involuntary context switches, rt: ran under SCHED_FIFO,
 * dropped: [{ cpu, wall }] of the runs not counted, error?: why it failed, overLimit?: the CPU ms it
 * was stopped at, rssAtStop?: its peak RSS until then, tail: of the last run }.
 */
export async function series(n, specs) {
  const acc = Object.fromEntries(specs.map((s) => [s.name, { walls: [], cpus: [], rsss: [], preempted: [], rt: false, dropped: [], error: undefined, overLimit: undefined, tail: '' }]));
  for (let i = 0; i < n; i++) {
    for (const s of specs) {
      const a = acc[s.name];
      for (let attempt = 0; attempt < 2; attempt++) {
        if (Object.values(acc).some((o) => o.error)) break;
        const limit = s.cpuLimit ?? cpuLimit();
        const r = await measure(s.cmd, s.args, { cwd: s.cwd, keepTail: s.keepTail, limit, rt: s.rt });
        a.rt = r.rt;
        const ok = s.ok ?? [0];
        if (r.timedOut) a.error = `killed after ${limit * 20} s wall`;
        else if (r.signal === 'the CPU limit') { a.error = `over ${limit} s CPU${s.cpuLimit ? '' : ' (BENCH_CPU_LIMIT)'}`; a.overLimit = limit * 1000; a.rssAtStop = r.rss; }
        else if (r.signal || !ok.includes(r.status)) a.error = `${r.signal ? `killed by ${r.signal}` : `exited ${r.status}`}${r.rss ? ` at ${r.rss.toFixed(0)} MiB` : ''}`;
        // a process that should print nothing there and did (a crash exits 1, as lint with errors does)
        else if (s.quiet && r.stderr.trim()) a.error = `wrote to stderr: ${r.stderr.trim().split('\n')[0].slice(0, 160)}`;
        else if (impossibleCpu(r.cpu, r.wall, s.threads)) { a.dropped.push({ cpu: r.cpu, wall: r.wall }); continue; }
        else { a.walls.push(r.wall); a.cpus.push(r.cpu); a.rsss.push(r.rss); a.preempted.push(r.preempted); a.tail = r.tail; }
        break;
      }
    }
  }
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => {
    const min = a.cpus.length ? Math.min(...a.cpus) : NaN;
    const max = a.cpus.length ? Math.max(...a.cpus) : NaN;
    return [k, {
      wall: a.walls.length ? median(a.walls) : NaN,
      cpu: a.cpus.length ? median(a.cpus) : NaN,
      rss: a.rsss.length ? Math.max(...a.rsss) : NaN,
      runs: a.walls.length,
      cpus: a.cpus,
      min,
      max,
      spread: max / min,
      dropped: a.dropped,
      preempted: a.preempted.length ? median(a.preempted) : NaN,
      rt: a.rt,
      error: a.error ?? (a.cpus.length === 0 && a.dropped.length ? `every run's CPU time exceeded its wall time (${a.dropped.map((d) => `${dur(d.cpu)} in ${dur(d.wall)}`).join(', ')})` : undefined),
      overLimit: a.overLimit,
      rssAtStop: a.rssAtStop,
      tail: a.tail,
    }];
  }));
}

/**
 * A note on how far a series' CPU times spread, for the line under its figure: '' when its runs
 * agree (max / min ≤ `within`), else "name's CPU a–b over N runs" and any runs not counted.
 */
export function spreadNote(name, r, within = 1.3) {
  const parts = [];
  if (r.runs > 1 && r.spread > within) parts.push(`${name}'s CPU ${dur(r.min)}–${dur(r.max)} over ${r.runs} runs (${r.spread.toFixed(1)}×)`);
  if (r.dropped?.length) parts.push(`${r.dropped.length} run(s) of ${name} not counted: CPU above what its threads can use in its wall time (${r.dropped.map((d) => `${dur(d.cpu)} CPU in ${dur(d.wall)} wall`).join(', ')})`);
  return parts.join('; ');
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
 * A row with no target (pass left out) is shown without a verdict. run.mjs collects every line
 * that ends in PASS, MISS or SKIP into its summary.
 */
export function figure({ name, subject = '', baseline = '', value = '', target = '', pass, skip }) {
  if (skip) {
    console.log(`${pad(name, FIG_W[0])}${pad(`not measured: ${skip}`, FIG_W[1] + FIG_W[2] + FIG_W[3])}${pad(target, FIG_W[4])}SKIP`);
    return;
  }
  const cells = [name, subject, baseline, value, target];
  console.log(`${cells.map((c, i) => pad(c, FIG_W[i])).join('')}${pass === undefined ? '' : pass ? 'PASS' : 'MISS'}`.trimEnd());
}
