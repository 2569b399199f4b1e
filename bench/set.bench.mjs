// `limitsctl set` on a 100,000-line limits.conf, cold (a new process each time), beside a bare
// `node -e 0` in the same run: samples alternate, medians of each, the ratio of medians (CPU time,
// user + system, which a shared machine stretches less than wall time; wall time shown too).
// GNU time counts CPU in 10 ms steps, and `node -e 0` takes a few tens of ms: each sample is one
// loop of BENCH_SET_LOOP runs (default 5) under one GNU time (lib.mjs loopCpu), per run = total / loop.
// Target (issue 14): set on a 100,000-line file <= 3x node -e 0.
// Two set commands with different values take turns, so each of them really plans, writes
// (atomically, fsync) and re-resolves; then the same value again (unchanged, nothing written), a
// --dry-run that prints its diff, and an unset of a few hundred lines (a diff of many hunks).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { line, rng } from './gen.mjs';
import { dur, figure, figureHeader, loopCpu, median, runs } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/limitsctl.js');
const n = runs(11);
const LOOP = Math.max(1, Math.floor(Number(process.env.BENCH_SET_LOOP ?? 5)) || 5);
const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-bench-set-'));
try {
  cpSync(path.join(repo, 'fixtures/demo'), root, { recursive: true });
  const r = rng(7);
  const lines = [];
  for (let i = 0; i < 100_000; i++) lines.push(line(r));
  writeFileSync(path.join(root, 'etc/security/limits.conf'), `${lines.join('\n')}\n`);
  const node = process.execPath;
  const cli = (...args) => [node, bin, ...args, '--root', root];
  // each spec: its commands, taken in turn within a sample (set A and set B: each run writes)
  const specs = {
    'node -e 0': [[node, '-e', '0']],
    writes: [cli('set', 'nofile', '1000', '--user', 'benchuser'), cli('set', 'nofile', '1001', '--user', 'benchuser')],
    unchanged: [cli('set', 'nofile', '1001', '--user', 'benchuser')],
    'dry-run': [cli('set', 'nofile', '1002', '--user', 'benchuser', '--dry-run')],
    'unset dry-run': [cli('unset', 'nofile', '--user', 'admin', '--dry-run')],
  };
  // 'unchanged' follows 'writes', whose last run may have left 1000: one run before its sample, not
  // counted, sets 1001, so every counted run of it writes nothing
  const samples = Object.fromEntries(Object.keys(specs).map((k) => [k, []]));
  for (let i = 0; i < n; i++) {
    for (const [name, cmds] of Object.entries(specs)) {
      if (name === 'unchanged') loopCpu(cmds, 1);
      samples[name].push(loopCpu(cmds, LOOP));
    }
  }
  const m = Object.fromEntries(Object.entries(samples).map(([name, xs]) => {
    const bad = xs.find((x) => x.error);
    return [name, bad ? { error: bad.error } : { cpu: median(xs.map((x) => x.cpu)), wall: median(xs.map((x) => x.wall)) }];
  }));
  const base = m['node -e 0'];
  const writes = m.writes;
  console.log(`set on a 100,000-line limits.conf, cold; per run, medians of ${n} alternating samples of ${LOOP} runs each (BENCH_SET_LOOP); baseline node -e 0 (cpu ${dur(base.cpu)}, wall ${dur(base.wall)})`);
  figureHeader();
  const show = (name, s, target) => {
    // a row with a target whose run failed is a MISS; a row without a target has no verdict
    if (s.error || base.error) {
      if (target) figure({ name, subject: `failed: ${s.error ?? base.error}`, value: '—', target: '<= 3x', pass: false });
      else figure({ name, skip: s.error ?? base.error });
      return;
    }
    const ratio = s.cpu / base.cpu;
    figure({
      name, subject: `cpu ${dur(s.cpu)}, wall ${dur(s.wall)}`, baseline: `cpu ${dur(base.cpu)}, wall ${dur(base.wall)}`,
      value: `${ratio.toFixed(2)}x cpu, ${(s.wall / base.wall).toFixed(2)}x wall`, target: target ? '<= 3x' : '(shown)', pass: target ? ratio <= 3 : undefined,
    });
  };
  show('set nofile N --user benchuser (writes)', writes, true);
  show('same value again (unchanged, no write)', m.unchanged, true);
  show('set --dry-run (prints the diff)', m['dry-run'], false);
  show('unset nofile --user admin --dry-run (many hunks)', m['unset dry-run'], false);
} finally {
  rmSync(root, { recursive: true, force: true });
}
