// Cold start of the installed command (bin/limitsctl.js: the bundle dist/limitsctl.cjs through the
// V8 code cache) against a bare `node -e 0`, alternating runs in the same process; the median
// per-pair ratio is the figure. Budgets (issue 14): get <= 1.2x, lint of the demo tree <= 1.5x.
// The code cache lives in a fresh directory of this run (LIMITSCTL_CACHE_DIR), filled by the
// warm-up run of each command; the rows "no code cache" (LIMITSCTL_NO_CODE_CACHE=1) and "ES
// modules" (dist/cli/main.js as tsc built it, the start-up before the bundle) show what each saves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, fmt, row, timeProcess } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/limitsctl.js');
const demo = path.join(repo, 'fixtures/demo');
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cold-'));
const cache = { ...process.env, LIMITSCTL_CACHE_DIR: path.join(tmp, 'cache') };
delete cache.LIMITSCTL_NO_CODE_CACHE;
const noCache = { ...process.env, LIMITSCTL_NO_CODE_CACHE: '1' };
// the ES-module build as bin/limitsctl.js ran it before the bundle
const esm = path.join(tmp, 'esm.mjs');
writeFileSync(esm, `const { main } = await import(${JSON.stringify(path.join(repo, 'dist/cli/main.js'))});\nprocess.exitCode = await main(process.argv.slice(2));\n`);

const bare = () => timeProcess(node, ['-e', '0']);
const cli = (env, ...args) => () => timeProcess(node, [bin, ...args], { env, allowFail: args[0] === 'lint' });
const viaEsm = (...args) => () => timeProcess(node, [esm, ...args], { allowFail: args[0] === 'lint' });

const get = ['get', 'nproc', '--user', 'admin', '--root', demo];
const eff = ['effective', '--user', 'admin', '--root', demo, '--json'];
const lint = ['lint', '--root', demo];
for (const args of [get, eff, lint, ['--help']]) cli(cache, ...args)(); // fill the cache and the page cache

try {
  const rows = [
    ['get nproc --user admin (demo)', alternate(runs, bare, cli(cache, ...get))],
    ['effective --user admin --json (demo)', alternate(runs, bare, cli(cache, ...eff))],
    ['lint --root demo', alternate(runs, bare, cli(cache, ...lint))],
    ['--help (through yargs)', alternate(Math.ceil(runs / 2), bare, cli(cache, '--help'))],
    ['get, no code cache', alternate(Math.ceil(runs / 2), bare, cli(noCache, ...get))],
    ['lint, no code cache', alternate(Math.ceil(runs / 2), bare, cli(noCache, ...lint))],
    ['get, ES modules (no bundle)', alternate(Math.ceil(runs / 2), bare, viaEsm(...get))],
    ['lint, ES modules (no bundle)', alternate(Math.ceil(runs / 2), bare, viaEsm(...lint))],
  ];
  console.log(`cold start: median of ${runs} alternating runs (baseline: node -e 0, same run); budgets get <= 1.2x, lint <= 1.5x`);
  row(['command', 'node -e 0', 'limitsctl', 'ratio']);
  for (const [name, r] of rows) row([name, fmt(r.baseline), fmt(r.subject), `${r.ratio.toFixed(2)}x`]);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
