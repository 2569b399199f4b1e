#!/usr/bin/env node
// Runs every benchmark in bench/*.bench.mjs one after another (each a standalone script that
// prints its figures beside a baseline measured in the same run), so `npm run bench` shows all.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`(${f} exited with ${r.status})`); }
}
process.exitCode = failed ? 1 : 0;
