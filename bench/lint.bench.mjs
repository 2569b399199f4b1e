#!/usr/bin/env node
// lint on a 1,000,000-line tree and on a 10,000-file config repository (1,000 host trees of 10
// files), each beside the time to merely read the same bytes in the same run; then hostile
// input through the CLI (bin/limitsctl.js): one 4 MB line beside the same bytes in ordinary
// lines, and 150,000 findings (text, json, sarif) beside 150,000 clean lines, each as a ratio
// of medians measured in the same run. Deterministic (seeded generators), uses the built
// library (../dist/), cleans up its temp directory.
// Run: npm run bench -- lint   (or: node bench/lint.bench.mjs)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lintTarget } from '../dist/core/lint/engine.js';
import { loadLintTargets, loadRootTarget } from '../dist/io/lint-targets.js';
import { fileURLToPath } from 'node:url';
import { line, rng, writeTree } from './gen.mjs';
import { alternate, fmt, peakRssMb, row, timeProcess } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/limitsctl.js', import.meta.url));

function readAll(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) bytes += readAll(p);
    else if (e.isFile()) bytes += readFileSync(p).length;
  }
  return bytes;
}

function time(fn) {
  const t = process.hrtime.bigint();
  const v = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, v };
}

async function timeAsync(fn) {
  const t = process.hrtime.bigint();
  const v = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, v };
}

function writeRepo(dir, hosts, filesPerHost, linesPerFile, seed) {
  const r = rng(seed);
  for (let h = 0; h < hosts; h++) {
    const sec = path.join(dir, 'hosts', `host${String(h).padStart(4, '0')}`, 'etc/security');
    mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
    for (let f = 0; f < filesPerHost; f++) {
      const out = [];
      for (let i = 0; i < linesPerFile; i++) out.push(line(r));
      const name = f === 0 ? path.join(sec, 'limits.conf') : path.join(sec, 'limits.d', `${10 + f}-x.conf`);
      writeFileSync(name, `${out.join('\n')}\n`);
    }
  }
}

const profile = () => 'debian';
const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-bench-'));
try {
  // 1. one tree of 1,000,000 lines (limits.conf + 19 drop-ins)
  const big = path.join(tmp, 'big');
  writeTree(big, 1_000_000, 20, 7);
  const read1 = time(() => readAll(path.join(big, 'etc/security')));
  const lint1 = await timeAsync(async () => {
    const t = await loadRootTarget(big, { cwd: tmp, profile });
    return lintTarget(t.target).diagnostics.length;
  });
  console.log(`1,000,000-line tree (${(read1.v / 1e6).toFixed(1)} MB in 20 files): read ${fmt(read1.ms)}, lint ${fmt(lint1.ms)} (${lint1.v} findings), ratio ${(lint1.ms / read1.ms).toFixed(0)}x; peak RSS ${peakRssMb()} MB`);

  // 2. a config repository of 10,000 files: 1,000 host trees × 10 files × 20 lines
  const repo = path.join(tmp, 'repo');
  writeRepo(repo, 1000, 10, 20, 11);
  const read2 = time(() => readAll(path.join(repo, 'hosts')));
  const lint2 = await timeAsync(async () => {
    const targets = await loadLintTargets(['hosts/*'], { cwd: repo, profile });
    let n = 0;
    const trees = targets.length;
    // as the CLI does: each tree is dropped once linted
    for (let t = targets.shift(); t !== undefined; t = targets.shift()) n += lintTarget(t.target).diagnostics.length;
    return { n, trees };
  });
  console.log(`10,000-file repository (${lint2.v.trees} trees, ${(read2.v / 1e6).toFixed(1)} MB): read ${fmt(read2.ms)}, lint ${fmt(lint2.ms)} (${lint2.v.n} findings), ratio ${(lint2.ms / read2.ms).toFixed(0)}x; peak RSS ${peakRssMb()} MB`);

  // 3. hostile input through the CLI, stdout discarded (lint exits 1 on these: errors)
  const limitsTree = (name, text) => {
    const root = path.join(tmp, name);
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), text);
    return root;
  };
  const cli = (...args) => () => timeProcess(process.execPath, [BIN, ...args], { allowFail: true });
  const RUNS = 3;
  const MB = 1 << 20;
  // the same bytes as ordinary 80-byte lines: the work of reading and checking them
  const asLines = (text) => text.replace(/(.{79})/g, '$1\n');
  console.log(`\nhostile input via the CLI (median of ${RUNS} alternating runs; ratio = subject / baseline, per pair)`);
  const W = [72, 14, 14, 10];
  row(['case', 'baseline', 'subject', 'ratio'], W);
  const shapes = [
    ['words in 1.5.2 chunks', 'debian', (n) => 'ab cd ef '.repeat(Math.ceil(n / 9)).slice(0, n)],
    ['template syntax (one field)', 'upstream-1.7', (n) => '${'.repeat(n / 2)],
    ['a 4 MB number', 'upstream', (n) => `* soft nproc ${'9'.repeat(n)}`],
  ];
  for (const [name, profile, make] of shapes) {
    const long4 = limitsTree(`long4-${profile}`, `${make(4 * MB)}\n`);
    const lines4 = limitsTree(`lines4-${profile}`, `${asLines(make(4 * MB))}\n`);
    const r = alternate(RUNS, cli('lint', '--root', lines4, '--profile', profile), cli('lint', '--root', long4, '--profile', profile));
    row([`4 MB line, ${name} vs same bytes in 80-byte lines`, fmt(r.baseline), fmt(r.subject), `${r.ratio.toFixed(2)}x`], W);
  }
  // linear in the line's length: a 4 MB line costs about 4 times a 1 MB line (quadratic: 16)
  const long1 = limitsTree('long1', `${shapes[0][2](MB)}\n`);
  const long4 = path.join(tmp, 'long4-debian');
  const scale = alternate(RUNS, cli('lint', '--root', long1, '--profile', 'debian'), cli('lint', '--root', long4, '--profile', 'debian'));
  row(['4 MB line vs 1 MB line (linear ~4x, quadratic ~16x)', fmt(scale.baseline), fmt(scale.subject), `${scale.ratio.toFixed(2)}x`], W);

  const N = 150_000;
  const bad = limitsTree('findings', 'bad\n'.repeat(N));
  const clean = limitsTree('clean', '#ok\n'.repeat(N));
  for (const format of ['text', 'json', 'sarif']) {
    const r = alternate(RUNS, cli('lint', '--root', clean, '--format', format), cli('lint', '--root', bad, '--format', format));
    row([`${N.toLocaleString('en')} findings, --format ${format} vs ${N.toLocaleString('en')} clean lines`, fmt(r.baseline), fmt(r.subject), `${r.ratio.toFixed(2)}x`], W);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

