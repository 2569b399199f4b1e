#!/usr/bin/env node
// Runs every benchmark in bench/*.bench.mjs one after another (each a standalone script that
// prints its figures beside a baseline measured in the same run), so `npm run bench` shows all;
// `npm run bench -- lint cold` runs those whose file name contains one of the words. At the end it
// repeats every figure line that ends in PASS, MISS or SKIP (lib.mjs's figure()) as a summary.
// bench/setup.sh installs the tools the benches compare with (augtool, GNU time).
// Environment: BENCH_RUNS (runs per figure), BENCH_CPU_LIMIT (CPU seconds per measured process).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error(`no bench/*.bench.mjs matches ${only.join(', ')}`);
  process.exit(2);
}

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(dir, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const verdicts = [];
    let rest = '';
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      const lines = (rest + b.toString('utf8')).split('\n');
      rest = lines.pop();
      for (const l of lines) if (/(PASS|MISS|SKIP)\s*$/.test(l)) verdicts.push(l.trimEnd());
    });
    child.on('close', (code, signal) => {
      if (/(PASS|MISS|SKIP)\s*$/.test(rest)) verdicts.push(rest.trimEnd());
      resolve({ status: signal ?? code, verdicts });
    });
  });
}

let failed = 0;
const summary = [];
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = await runOne(f);
  if (r.status !== 0) { failed++; console.log(`(${f} exited with ${r.status})`); }
  if (r.verdicts.length) summary.push(`# ${f}`, ...r.verdicts);
}
if (summary.length) {
  const count = (w) => summary.filter((l) => l.endsWith(w)).length;
  console.log(`\n### summary: ${count('PASS')} PASS, ${count('MISS')} MISS, ${count('SKIP')} SKIP\n${summary.join('\n')}`);
}
process.exitCode = failed ? 1 : 0;
