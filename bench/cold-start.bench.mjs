// Cold start of the installed command (bin/limitsctl.js: the core bundle dist/limitsctl-core.cjs
// for files/get/effective/explain, the lint bundle dist/limitsctl-lint.cjs for lint, the whole
// dist/limitsctl.cjs otherwise, through the V8 code cache) against a bare `node -e 0`. The figure is CPU time (user + system, GNU time), which a
// shared machine stretches less than wall time: GNU time counts in 10 ms steps, so each sample is
// one loop of LOOP runs of the same command under one GNU time (CPU per run = total / LOOP);
// samples of the baseline and of the command alternate, and the figure is the median of the
// per-pair ratios. Budgets (issue 14): get <= 1.2x, lint of the demo tree <= 1.5x.
// The code cache lives in a fresh directory of this run (LIMITSCTL_CACHE_DIR), filled by a warm-up
// run of each command; the rows without a budget show what each part saves: the whole bundle
// instead of a partial one (a copy of bin/ beside a dist/ that has only dist/limitsctl.cjs), no
// code cache (LIMITSCTL_NO_CODE_CACHE=1), and the ES modules tsc built (the start-up before the
// bundle). Without GNU time (bench/setup.sh installs it) the rows are skipped.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureHeader, hasGnuTime, loopCpu, median, runs } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/limitsctl.js');
const demo = path.join(repo, 'fixtures/demo');
const node = process.execPath;
const n = runs(9);
const LOOP = Number(process.env.BENCH_COLD_LOOP ?? 10);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cold-'));
const cache = { ...process.env, LIMITSCTL_CACHE_DIR: path.join(tmp, 'cache') };
delete cache.LIMITSCTL_NO_CODE_CACHE;
const noCache = { ...process.env, LIMITSCTL_NO_CODE_CACHE: '1' };
// the ES-module build as bin/limitsctl.js ran it before the bundle
const esm = path.join(tmp, 'esm.mjs');
writeFileSync(esm, `const { main } = await import(${JSON.stringify(path.join(repo, 'dist/cli/main.js'))});\nprocess.exitCode = await main(process.argv.slice(2));\n`);
// the bin with the whole bundle only (no partial bundle beside it)
mkdirSync(path.join(tmp, 'whole/bin'), { recursive: true });
mkdirSync(path.join(tmp, 'whole/dist'));
copyFileSync(bin, path.join(tmp, 'whole/bin/limitsctl.js'));
copyFileSync(path.join(repo, 'bin/package.json'), path.join(tmp, 'whole/bin/package.json'));
symlinkSync(path.join(repo, 'dist/limitsctl.cjs'), path.join(tmp, 'whole/dist/limitsctl.cjs'));
const wholeBin = path.join(tmp, 'whole/bin/limitsctl.js');

/** Alternate node -e 0 and the command `count` times; medians and the median per-pair ratio. */
function compare(count, argv, env = process.env, allowFail = false) {
  const b = [];
  const s = [];
  const ratios = [];
  for (let i = 0; i < count; i++) {
    const x = loopCpu([[node, '-e', '0']], LOOP).cpu ?? NaN;
    const y = loopCpu([[node, ...argv]], LOOP, { env, allowFail }).cpu ?? NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return { error: `a run of ${argv.slice(1).join(' ')} failed` };
    b.push(x);
    s.push(y);
    ratios.push(y / x);
  }
  return { baseline: median(b), subject: median(s), ratio: median(ratios) };
}

const get = ['get', 'nproc', '--user', 'admin', '--root', demo];
const eff = ['effective', '--user', 'admin', '--root', demo, '--json'];
const lint = ['lint', '--root', demo];

try {
  if (!hasGnuTime()) {
    console.log('cold start: not measured (no GNU time at /usr/bin/time; bench/setup.sh installs it)');
    figure({ name: 'cold get nproc --user admin (demo)', target: '<= 1.2x', skip: 'no GNU time' });
    figure({ name: 'cold lint --root demo', target: '<= 1.5x', skip: 'no GNU time' });
  } else {
    // fill the code caches and the page cache
    for (const args of [get, eff, lint, ['--help']]) {
      spawnSync(node, [bin, ...args], { env: cache, stdio: 'ignore' });
      spawnSync(node, [wholeBin, ...args], { env: cache, stdio: 'ignore' });
    }
    const half = Math.max(1, Math.ceil(n / 2));
    const rows = [
      ['cold get nproc --user admin (demo)', compare(n, [bin, ...get], cache), 1.2],
      ['cold lint --root demo', compare(n, [bin, ...lint], cache, true), 1.5],
      ['cold effective --user admin --json (demo)', compare(half, [bin, ...eff], cache)],
      ['cold --help (the whole bundle, yargs)', compare(half, [bin, '--help'], cache)],
      ['get through the whole bundle (no core bundle)', compare(half, [wholeBin, ...get], cache)],
      ['lint through the whole bundle (no lint bundle)', compare(half, [wholeBin, ...lint], cache, true)],
      ['get, no code cache', compare(half, [bin, ...get], noCache)],
      ['lint, no code cache', compare(half, [bin, ...lint], noCache, true)],
      ['get, ES modules (no bundle)', compare(half, [esm, ...get])],
      ['lint, ES modules (no bundle)', compare(half, [esm, ...lint], process.env, true)],
    ];
    console.log(`cold start, CPU time per run (user + system; ${LOOP} runs per sample); median of ${n} alternating samples (${half} for rows without a target); baseline node -e 0, same run`);
    figureHeader();
    for (const [name, r, budget] of rows) {
      const target = budget ? `<= ${budget}x` : '(shown)';
      // a row with a target whose run failed is a MISS (not measured is not met); a row without
      // a target has no verdict
      if (r.error) {
        if (budget) figure({ name, subject: `failed: ${r.error}`, value: '—', target, pass: false });
        else figure({ name, target, skip: r.error });
        continue;
      }
      figure({ name, subject: `cpu ${r.subject.toFixed(1)} ms`, baseline: `cpu ${r.baseline.toFixed(1)} ms`, value: `${r.ratio.toFixed(2)}x cpu`, target, pass: budget ? r.ratio <= budget : undefined });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
