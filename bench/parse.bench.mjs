// Parse throughput (in this process, through the library) on a deterministic 1,000,000-line tree
// (BENCH_LINES), beside the time this process needs merely to read the same bytes (readFileSync of
// every file), measured in the same run. Wall time of this process: no target of its own (the
// lint bench holds the figures, for the CLI as a process).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLimits } from '../dist/core/parse.js';
import { loadTree } from '../dist/io/tree.js';
import { writeTree } from './gen.mjs';
import { median, peakRssMb, row, runs } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = runs(5);
const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-bench-parse-'));
try {
  const bytes = writeTree(root, LINES, 100, 42);
  const sec = path.join(root, 'etc/security');
  const files = [path.join(sec, 'limits.conf'), ...readdirSync(path.join(sec, 'limits.d')).sort().map((f) => path.join(sec, 'limits.d', f))];
  const time = (fn) => { const t = process.hrtime.bigint(); const v = fn(); return [Number(process.hrtime.bigint() - t) / 1e6, v]; };

  const read = [];
  const parse = [];
  const classify = [];
  const tree = [];
  for (let i = 0; i < RUNS; i++) {
    read.push(time(() => files.map((f) => readFileSync(f)).length)[0]);
    parse.push(time(() => files.map((f) => parseLimits(readFileSync(f), { profile: 'debian' })))[0]);
    classify.push(time(() => {
      let n = 0;
      for (const f of files) for (const l of parseLimits(readFileSync(f), { profile: 'debian' }).lines) n += l.readings.length;
      return n;
    })[0]);
    tree.push(time(() => loadTree(root, { profile: 'debian' }))[0]);
    globalThis.gc?.();
  }
  const mb = bytes / 1e6;
  const r = median(read);
  const show = (name, ms) => row([name, `${ms.toFixed(1)} ms`, `${(mb / (ms / 1000)).toFixed(0)} MB/s`, `${((LINES / ms) * 1000 / 1e6).toFixed(2)} M lines/s`, `${(ms / r).toFixed(2)}x read`], [46, 12, 12, 18, 12]);
  console.log(`${LINES.toLocaleString('en')} lines, ${files.length} files, ${mb.toFixed(1)} MB; medians of ${RUNS} runs (BENCH_RUNS)`);
  show('read the bytes (readFileSync, baseline)', r);
  show('parse: read + parseLimits (lines indexed)', median(parse));
  show('loadTree (read, order, parse)', median(tree));
  show('parse + classify every line (all readings)', median(classify));
  console.log(`peak RSS ${peakRssMb()} MB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
