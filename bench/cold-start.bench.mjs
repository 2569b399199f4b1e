// Cold start of `limitsctl get nproc --user admin --root fixtures/demo` against a bare `node -e 0`,
// alternating runs in the same process; the median per-pair ratio is the figure (budget: <= 1.5x).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, fmt, row, timeProcess } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/limitsctl.js');
const demo = path.join(repo, 'fixtures/demo');
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 15);

const bare = () => timeProcess(node, ['-e', '0']);
const cli = (...args) => () => timeProcess(node, [bin, ...args]);

cli('get', 'nproc', '--user', 'admin', '--root', demo)(); // warm the page cache
const get = alternate(runs, bare, cli('get', 'nproc', '--user', 'admin', '--root', demo));
const eff = alternate(runs, bare, cli('effective', '--user', 'admin', '--root', demo, '--json'));
const help = alternate(Math.ceil(runs / 2), bare, cli('--help'));

console.log(`cold start: median of ${runs} alternating runs (baseline: node -e 0, same run)`);
row(['command', 'node -e 0', 'limitsctl', 'ratio']);
row(['get nproc --user admin (demo)', fmt(get.baseline), fmt(get.subject), `${get.ratio.toFixed(2)}x`]);
row(['effective --user admin --json (demo)', fmt(eff.baseline), fmt(eff.subject), `${eff.ratio.toFixed(2)}x`]);
row(['--help (through yargs)', fmt(help.baseline), fmt(help.subject), `${help.ratio.toFixed(2)}x`]);
