#!/usr/bin/env node
// The lint figures of issue 14, each beside a baseline measured in the same run and printed with
// its target and PASS/MISS (or SKIP with the reason when a tool is missing):
//   1. lint of one 16,000-line limits.conf vs `augtool print` of the same file (Augeas 1.14 with
//      only its Limits lens loaded);
//   2. lint of a 10,000-file / 500,000-line tree vs a Node process that only reads the same bytes,
//      and its peak RSS;
//   3. lint of a 1,000,000-line tree: CPU per MB and per finding, peak RSS;
//   4. time linear in the number of lines (250,000 vs 1,000,000) and in line length (the same
//      50,000 lines at 1× and 4× the length);
//   5. lint of a 1,000-tree repository (`lint 'hosts/*'`) vs the bare read;
//   6. hostile input (one 4 MB line, 150,000 findings in every format) vs ordinary input.
// Every subject is the CLI as users run it (node bin/limitsctl.js lint …, built dist/), a process of
// its own, so CPU time (user + system) and peak RSS are that process's, read by GNU time from
// wait4(2). Runs alternate subject and baseline (BENCH_RUNS, default 3); figures are ratios of the
// medians. CPU time, not wall time, is compared: the machine is shared, and a loaded machine
// stretches wall time more than the CPU a process uses — but it does stretch CPU time too, most of
// all a memory-bound process's (augtool's print, figure 1), as other processes take the CPU's
// caches. So a run whose CPU time is impossible for its wall time is not counted, a series whose
// runs disagree gets a note under its figure, and figure 1 takes its lower ratio (lib.mjs series,
// spreadNote). Wall medians are printed too.
// Inputs are deterministic (seeded generators in gen.mjs; seeds printed) in a temp directory that is
// removed at the end. Each process is stopped after BENCH_CPU_LIMIT CPU seconds (default 30; 120 at
// least for the 1,000,000-line lint, whose peak RSS is a figure; a
// figure whose run was stopped is a MISS with the bound the limit gives), and a series stops at
// its first failed run, so a slow tree costs a bounded time.
// Run: npm run bench -- lint   (or: node bench/lint.bench.mjs after npm run build). Setup: bench/setup.sh
// BENCH_LINT_ONLY=1,3 measures only figures 1 and 3 (numbers as above; 3 includes 4a, 4b is its own).
// Under figures 1, 2 and 5 a floor is printed, not a target: the CPU of a Node process that reads
// the same files, splits their lines into fields and prints as many findings as lint, with no
// analysis (bench/floor.cjs), measured in a series of its own beside the bare read. A target near
// the floor leaves a lint in Node almost nothing for its analysis.
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRepo, writeStretchedTree, writeTree } from './gen.mjs';
import { cpuLimit, dur, figure, figureHeader, hasGnuTime, onPath, rtMode, runs, series, spreadNote } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/limitsctl.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor.cjs', import.meta.url));
const NODE = process.execPath;
const RUNS = runs(3);
const MIB_LIMIT = 600;
const SEEDS = { file16k: 3, files10k: 11, lines1m: 7, lines250k: 8, stretch: 5, repo: 13 };

// The baseline process of "a Node process that only reads the same bytes": walks the directories
// given and reads every file (readFileSync), printing the byte count.
const READ_ALL = `const fs=require('fs'),p=require('path');let n=0;
const walk=(d)=>{for(const e of fs.readdirSync(d,{withFileTypes:true})){const q=p.join(d,e.name);
if(e.isDirectory())walk(q);else if(e.isFile())n+=fs.readFileSync(q).length;}};
for(const d of process.argv.slice(1))walk(d);console.log(n);`;
const readSpec = (...dirs) => ({ name: 'read', cmd: NODE, args: ['-e', READ_ALL, ...dirs], quiet: true });
// lint exits 1 when it reports errors: that is a finished run, not a failure — unless it wrote to
// stderr, as a crash does (exit 1 too) and lint of these trees does not
const lintSpec = (name, args, extra = {}) => ({ name, cmd: NODE, args: [BIN, 'lint', '--profile', 'debian', ...args], ok: [0, 1], quiet: true, ...extra });

const x = (r) => (Number.isFinite(r) ? `${r.toFixed(r < 10 ? 2 : 1)}×` : '—');
const mb = (bytes) => bytes / 1e6;
const cell = (r) => (r.error ? `failed: ${r.error}` : r.runs === 0 ? 'not run' : `${dur(r.cpu)} CPU (${dur(r.wall)} wall)`);
/** The number of findings from the text report's last line ("✖ 18373 problems (…)"). */
function findings(tail) {
  if (/no problems/.test(tail)) return 0;
  const m = /(\d[\d,]*) problems?\b/.exec(tail);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}
/**
 * Under a figure, the series whose runs disagree (CPU max / min above 1.3) or had runs not
 * counted (lib.mjs spreadNote): a figure from such runs is less certain than its digits say.
 */
function noteSpread(...named) {
  const notes = named.map(([label, r]) => spreadNote(label, r)).filter(Boolean);
  if (notes.length) console.log(`  (runs disagree: ${notes.join('; ')})`);
}
/**
 * A ratio figure: ratio(subject CPU ms, baseline CPU ms). MISS naming the run that failed; for a
 * subject stopped at the CPU limit, the bound that limit gives ("> 25×"). `labels` name the two
 * series in the note on their spread.
 */
function ratioFigure(name, subj, base, ratio, target, pass, labels = ['limitsctl', 'baseline']) {
  if (subj.error || base.error) {
    let value = '—';
    if (subj.overLimit && Number.isFinite(base.cpu)) {
      const at = ratio(subj.overLimit, base.cpu);
      value = `${ratio(2 * subj.overLimit, base.cpu) > at ? '>' : '<'} ${x(at)}`;
    }
    figure({ name, subject: cell(subj), baseline: cell(base), value, target, pass: false });
    return;
  }
  const v = ratio(subj.cpu, base.cpu);
  figure({ name, subject: cell(subj), baseline: cell(base), value: x(v), target, pass: pass(v) });
  noteSpread([labels[0], subj], [labels[1], base]);
}
function rssFigure(name, r) {
  const value = r.error ? (r.rssAtStop ? `≥ ${r.rssAtStop.toFixed(0)} MiB` : '—') : `${r.rss.toFixed(0)} MiB`;
  figure({ name, subject: r.error ? `failed: ${r.error}` : `${r.rss.toFixed(0)} MiB`, value, target: `≤ ${MIB_LIMIT} MiB`, pass: !r.error && r.rss <= MIB_LIMIT });
}

/**
 * The floor of a figure (bench/floor.cjs): a Node process that reads the same files, splits their
 * lines into fields and prints as many findings as lint does, of the same average length, from one
 * template, with no analysis. lint runs once first, not timed, its report in a file, for its count
 * of findings and the report's size; floor.cjs counts the entries. Returns { spec, findings, bytes }
 * or { why } when that lint gave no count. `paths` and `lintArgs` as lint takes them from `cwd`.
 */
function floorOf(lintArgs, paths, { cwd, rt = false } = {}) {
  const file = path.join(tmp, 'floor-report.txt');
  const fd = openSync(file, 'w');
  let r;
  try {
    r = spawnSync(NODE, [BIN, 'lint', '--profile', 'debian', ...lintArgs], { cwd, stdio: ['ignore', fd, 'pipe'] });
  } finally {
    closeSync(fd);
  }
  const bytes = statSync(file).size;
  const tail = Buffer.alloc(Math.min(bytes, 4096));
  const rd = openSync(file, 'r');
  try { readSync(rd, tail, 0, tail.length, bytes - tail.length); } finally { closeSync(rd); }
  rmSync(file, { force: true });
  const n = findings(tail.toString('utf8'));
  const entries = Number(spawnSync(NODE, [FLOOR, 'entries', ...paths], { cwd, encoding: 'utf8' }).stdout);
  if (r.status !== 0 && r.status !== 1) return { why: `lint exited ${r.status ?? r.signal}` };
  if (!(n > 0) || !(entries > 0)) return { why: `no finding count (${n}) or no entries (${entries})` };
  return { spec: { name: 'floor', cmd: NODE, args: [FLOOR, 'print', String(n / entries), String(bytes / n), ...paths], cwd, quiet: true, rt }, findings: n, bytes };
}
/** The line printed under a figure for its floor: its CPU, and `versus` ([label, ratio]) each. */
function floorNote(f, r, versus) {
  if (f.why) return `  (floor not measured: ${f.why})`;
  if (r.floor.error) return `  (floor failed: ${r.floor.error})`;
  return `  (floor, a Node process that reads the same files, splits their lines into fields and prints as many findings `
    + `(${f.findings.toLocaleString('en')}, ${mb(f.bytes).toFixed(1)} MB) from one template, with no analysis (bench/floor.cjs): `
    + `${cell(r.floor)}; ${versus.map(([label, v]) => `${label} ${x(v)}`).join(', ')})`;
}

// BENCH_LINT_ONLY=1,4b runs only those figures (the numbers of the comments below; 3 is 3 + 4a)
const ONLY = new Set((process.env.BENCH_LINT_ONLY ?? '').split(',').map((w) => w.trim()).filter(Boolean));
const want = (k) => ONLY.size === 0 || ONLY.has(k);
const started = Date.now();
const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

console.log(`lint: medians of ${RUNS} alternating runs (BENCH_RUNS); CPU = user + system time of the process; `
  + `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine at the start; seeds ${JSON.stringify(SEEDS)}`);
if (!hasGnuTime()) {
  console.log('GNU time (/usr/bin/time) is missing: no CPU time or peak RSS can be read, so every figure is skipped. bench/setup.sh installs it.');
  process.exit(0);
}
figureHeader();

// 1. one 16,000-line limits.conf vs augtool print of it --------------------------------------------
if (want('1')) {
  const name = 'lint, one 16,000-line file vs augtool print';
  const root = path.join(tmp, 'file16k');
  const bytes = writeTree(root, 16_000, 1, SEEDS.file16k);
  const aug = (...cmds) => ['-A', '-r', root, '-t', 'Limits incl /etc/security/limits.conf', ...cmds];
  if (!onPath('augtool')) {
    figure({ name, skip: 'augtool is not installed (bench/setup.sh installs augeas-tools)', target: '≥ 20× faster' });
  } else {
    // augtool must have parsed the file: no /augeas//error, and the file's tree is there
    const check = spawnSync('augtool', aug(), { encoding: 'utf8', input: 'print /augeas//error\nmatch /files/etc/security/limits.conf/domain[last()]\n' });
    if (check.status !== 0 || /error/.test(check.stdout) || !/domain\[\d+\]/.test(check.stdout)) {
      figure({ name, skip: `augtool did not load the file with its Limits lens: ${(check.stdout + check.stderr).trim().slice(0, 200)}`, target: '≥ 20× faster' });
    } else {
      const v = spawnSync('augtool', ['--version'], { encoding: 'utf8' });
      const version = `${v.stdout}${v.stderr}`.trim().split('\n')[0].replace(/ <.*/, '');
      // augtool's print walks, for each node it prints, the node's siblings to number its path
      // (domain[1234]): quadratic in the file's entries and bound by memory latency. Each time another
      // process preempts it, what it had in the CPU's caches is gone, so on a busy machine its CPU
      // time grows several times (it grew with its involuntary context switches, about 2 ms each,
      // on the machine this was written on), far more than lint's. The three processes of this
      // figure therefore run under SCHED_FIFO pinned to one CPU where that is allowed (root or
      // CAP_SYS_NICE; BENCH_RT=0 turns it off: lib.mjs rtMode), so no process of normal priority
      // preempts them; each runs BENCH_AUG_RUNS times (default 3, or BENCH_RUNS if more),
      // alternating, and the verdict takes the less favourable of two ratios: the medians' and the
      // fastest runs' (the least disturbed run of each).
      const augRuns = Math.max(1, Math.floor(Number(process.env.BENCH_AUG_RUNS ?? Math.max(3, RUNS))) || 3);
      const rt = rtMode();
      const r = await series(augRuns, [
        { name: 'print', cmd: 'augtool', args: aug('print /files/etc/security/limits.conf'), cpuLimit: rt.use ? 120 : 600, threads: 1, rt: true, quiet: true },
        lintSpec('lint', ['--root', root], { rt: true }),
        { name: 'load', cmd: 'augtool', args: aug('match /files/etc/security/limits.conf'), threads: 1, rt: true, quiet: true },
      ]);
      const fastest = r.print.min / r.lint.min;
      // preempted more than 100 times per CPU second (under SCHED_FIFO it is a few per run): its CPU
      // time holds the cost of refilling its caches after each, so a PASS cannot be trusted
      const busy = r.print.preempted > r.print.cpu / 10;
      ratioFigure(`${name} (${mb(bytes).toFixed(2)} MB)`, r.lint, r.print, (l, a) => Math.min(a / l, Number.isFinite(fastest) ? fastest : Infinity), '≥ 20× faster', (v) => v >= 20 && !busy, ['lint', 'augtool print']);
      console.log(`  (${version}, only the Limits lens: -A -t 'Limits incl …'; ${augRuns} alternating runs of each (BENCH_AUG_RUNS). `
        + `Ratio of the medians ${x(r.print.cpu / r.lint.cpu)}, of the fastest runs ${x(fastest)}: the figure is the lower. `
        + `Loading alone (augtool match of the file's node) takes ${cell(r.load)}, ${x(r.load.cpu / r.lint.cpu)} lint's CPU)`);
      noteSpread(['augtool load', r.load]);
      const switches = `involuntary context switches per run, medians: augtool print ${r.print.preempted}, lint ${r.lint.preempted}`;
      console.log(rt.use
        ? `  (each of these runs under SCHED_FIFO on CPU ${rt.cpu}, so no other process preempts it (BENCH_RT=0: normal scheduling); ${switches})`
        : `  (normal scheduling: ${rt.why}; ${switches}. Each preemption costs augtool's print CPU time, so on a busy machine its figure reads better than it is${busy ? ': preempted more than 100 times per CPU second here, so this figure cannot PASS' : ''})`);
      // what a lint in Node has left for its analysis under the target: augtool's CPU / 20, and
      // how much of that the floor (and the bare read of the file alone: Node's start and the
      // bytes) takes
      const f = floorOf(['--root', root], [root], { rt: true });
      const fr = await series(augRuns, [{ ...readSpec(root), rt: true }, ...(f.spec ? [f.spec] : [])]);
      console.log(floorNote(f, fr, [['faster than augtool print', r.print.cpu / fr.floor?.cpu]]));
      if (!fr.read.error) {
        console.log(`  (a Node process that only reads the file: ${cell(fr.read)}, ${x(r.print.cpu / fr.read.cpu)} faster than augtool print; `
          + `at 20× lint may take ${dur(r.print.cpu / 20)}${f.spec && !fr.floor.error ? `, of which the floor takes ${(fr.floor.cpu / (r.print.cpu / 20) * 100).toFixed(0)} %` : ''})`);
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}

// 2. a 10,000-file / 500,000-line tree vs a bare read ---------------------------------------------
if (want('2')) {
  const root = path.join(tmp, 'files10k');
  const bytes = writeTree(root, 500_000, 10_000, SEEDS.files10k);
  const r = await series(RUNS, [readSpec(root), lintSpec('lint', ['--root', root])]);
  ratioFigure(`lint, 10,000 files / 500,000 lines (${mb(bytes).toFixed(1)} MB) vs bare read`, r.lint, r.read, (l, b) => l / b, '≤ 5×', (v) => v <= 5);
  rssFigure('  peak RSS of that lint', r.lint);
  const f = floorOf(['--root', root], [root]);
  if (f.spec) {
    const fr = await series(RUNS, [readSpec(root), f.spec]);
    console.log(floorNote(f, fr, [['bare read', fr.floor.cpu / fr.read.cpu]]));
  } else console.log(floorNote(f));
  rmSync(root, { recursive: true, force: true });
}

// 3 + 4a. a 1,000,000-line tree: CPU per MB and per finding; 250,000 vs 1,000,000 lines -----------
if (want('3')) {
  const big = path.join(tmp, 'lines1m');
  const small = path.join(tmp, 'lines250k');
  const bytes = writeTree(big, 1_000_000, 20, SEEDS.lines1m);
  const bytesSmall = writeTree(small, 250_000, 20, SEEDS.lines250k);
  const r = await series(RUNS, [
    readSpec(big),
    // its own CPU limit: its runs take 20–30 s of CPU on a shared machine, and a run stopped at the
    // default limit would leave its peak RSS (a target of its own) unmeasured
    lintSpec('lint', ['--root', big], { keepTail: true, cpuLimit: Math.max(cpuLimit(), 120) }),
    // its output goes through a pipe as the big run's does (that one's tail gives the finding count)
    lintSpec('small', ['--root', small], { keepTail: true }),
  ]);
  const n = findings(r.lint.tail);
  const MB = mb(bytes);
  const name = `lint, 1,000,000 lines (${MB.toFixed(1)} MB, 20 files)`;
  if (r.lint.error || !Number.isFinite(n)) {
    figure({ name: `${name}: CPU`, subject: r.lint.error ? `failed: ${r.lint.error}` : 'no finding count in the report', value: '—', target: '≤ 80 ms/MB + 3 µs/finding', pass: false });
  } else {
    const budget = 80 * MB + 0.003 * n;
    figure({ name: `${name}: CPU vs 80 ms/MB + 3 µs/finding`, subject: cell(r.lint), baseline: `budget ${dur(budget)}`, value: `${(r.lint.cpu / budget * 100).toFixed(0)} % of budget`, target: '≤ 100 %', pass: r.lint.cpu <= budget });
    console.log(`  (${n.toLocaleString('en')} findings, ${(n / 1e6).toFixed(2)} per line; all CPU per MB: ${(r.lint.cpu / MB).toFixed(0)} ms/MB; `
      + `CPU left after 80 ms/MB, per finding: ${(((r.lint.cpu - 80 * MB) * 1000) / Math.max(n, 1)).toFixed(2)} µs; bare read ${cell(r.read)}, lint ${x(r.lint.cpu / r.read.cpu)} of it)`);
    noteSpread(['lint', r.lint], ['bare read', r.read]);
  }
  rssFigure('  peak RSS of that lint', r.lint);
  ratioFigure(`time linear in lines: 1,000,000 vs 250,000 (${x(bytes / bytesSmall)} bytes)`, r.lint, r.small, (l, b) => l / b, '≤ 5× (linear 4×)', (v) => v <= 5);
  rmSync(big, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
}

// 4b. the same 50,000 lines at 1× and 4× the line length ------------------------------------------
if (want('4b')) {
  const short = path.join(tmp, 'stretch1');
  const long = path.join(tmp, 'stretch4');
  const b1 = writeStretchedTree(short, 50_000, 1, SEEDS.stretch);
  const b4 = writeStretchedTree(long, 50_000, 4, SEEDS.stretch);
  const r = await series(RUNS, [lintSpec('short', ['--root', short], { keepTail: true }), lintSpec('long', ['--root', long], { keepTail: true })]);
  const [n1, n4] = [findings(r.short.tail), findings(r.long.tail)];
  // the same lines, longer: the findings must be the same, or the two runs did not do the same work
  if (!r.short.error && !r.long.error && n1 !== n4) r.long.error = `${n4} findings, not the ${n1} of the short lines`;
  ratioFigure(`time linear in line length: 50,000 lines of ${(b4 / 5e4).toFixed(0)} vs ${(b1 / 5e4).toFixed(0)} B`, r.long, r.short, (l, b) => l / b, '≤ 5× (linear 4×)', (v) => v <= 5);
  rmSync(short, { recursive: true, force: true });
  rmSync(long, { recursive: true, force: true });
}

// 5. a 1,000-tree repository: lint 'hosts/*' vs bare read --------------------------------------------
if (want('5')) {
  const repo = path.join(tmp, 'repo');
  const bytes = writeRepo(repo, 1000, 10, 25, SEEDS.repo);
  const r = await series(RUNS, [readSpec(path.join(repo, 'hosts')), lintSpec('lint', ['hosts/*'], { cwd: repo })]);
  ratioFigure(`lint 'hosts/*', 1,000 trees × 10 files (${mb(bytes).toFixed(1)} MB) vs bare read`, r.lint, r.read, (l, b) => l / b, '≤ 5× (as 10,000 files)', (v) => v <= 5);
  rssFigure('  peak RSS of that lint', r.lint);
  const f = floorOf(['hosts/*'], ['hosts'], { cwd: repo });
  if (f.spec) {
    const fr = await series(RUNS, [readSpec(path.join(repo, 'hosts')), f.spec]);
    console.log(floorNote(f, fr, [['bare read', fr.floor.cpu / fr.read.cpu]]));
  } else console.log(floorNote(f));
  rmSync(repo, { recursive: true, force: true });
}

// 6. hostile input (the trust issue): one 4 MB line vs the same bytes in 80-byte lines, a 4 MB vs a
// 1 MB line, and 150,000 findings in each format vs 150,000 clean lines. Bounded, not quadratic.
if (want('6')) {
  const limitsTree = (name, text) => {
    const root = path.join(tmp, name);
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), text);
    return root;
  };
  const MiB = 1 << 20;
  const asLines = (text) => text.replace(/(.{79})/g, '$1\n');
  const shapes = [
    ['words in 1.5.2 chunks', 'debian', (n) => 'ab cd ef '.repeat(Math.ceil(n / 9)).slice(0, n)],
    ['template syntax (one field)', 'upstream-1.7', (n) => '${'.repeat(n / 2)],
    ['a 4 MB number', 'upstream', (n) => `* soft nproc ${'9'.repeat(n)}`],
  ];
  const spec = (name, root, profile, ...more) => ({ name, cmd: NODE, args: [BIN, 'lint', '--root', root, '--profile', profile, ...more], ok: [0, 1] });
  for (const [label, profile, make] of shapes) {
    const long = limitsTree(`long4-${profile}`, `${make(4 * MiB)}\n`);
    const lines = limitsTree(`lines4-${profile}`, `${asLines(make(4 * MiB))}\n`);
    const r = await series(RUNS, [spec('lines', lines, profile), spec('long', long, profile)]);
    ratioFigure(`one 4 MB line (${label}) vs the bytes in 80-byte lines`, r.long, r.lines, (l, b) => l / b, '≤ 2×', (v) => v <= 2);
  }
  const long1 = limitsTree('long1', `${shapes[0][2](MiB)}\n`);
  const scale = await series(RUNS, [spec('one', long1, 'debian'), spec('four', path.join(tmp, 'long4-debian'), 'debian')]);
  ratioFigure('one 4 MB line vs one 1 MB line', scale.four, scale.one, (l, b) => l / b, '≤ 5× (linear 4×)', (v) => v <= 5);
  const N = 150_000;
  const bad = limitsTree('findings', 'bad\n'.repeat(N));
  const clean = limitsTree('clean', '#ok\n'.repeat(N));
  for (const format of ['text', 'json', 'sarif']) {
    const r = await series(RUNS, [spec('clean', clean, 'debian', '--format', format), spec('bad', bad, 'debian', '--format', format)]);
    // the findings are written and formatted (stdout to /dev/null): 150,000 × 3 µs = 0.45 s over the clean run at most
    figure({ name: `150,000 findings, --format ${format}, vs 150,000 clean lines`, subject: cell(r.bad), baseline: cell(r.clean),
      value: r.bad.error || r.clean.error ? '—' : `+${(((r.bad.cpu - r.clean.cpu) * 1000) / N).toFixed(2)} µs/finding`, target: '≤ 3 µs/finding',
      pass: !r.bad.error && !r.clean.error && r.bad.cpu - r.clean.cpu <= 0.003 * N });
    noteSpread(['findings', r.bad], ['clean', r.clean]);
  }
}
console.log(`lint bench: ${((Date.now() - started) / 1000).toFixed(0)} s (per-process limit ${cpuLimit()} s CPU)`);
