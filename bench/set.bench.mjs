// `limitsctl set` on a 100,000-line limits.conf, cold (a new process each time), beside a bare
// `node -e 0`; alternating runs in the same process, median ratio. Each run changes the value, so
// every run really plans, writes (atomically, fsync) and re-resolves.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { line, rng } from './gen.mjs';
import { alternate, fmt, row, timeProcess } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/limitsctl.js');
const runs = Number(process.env.BENCH_RUNS ?? 11);
const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-bench-set-'));
try {
  cpSync(path.join(repo, 'fixtures/demo'), root, { recursive: true });
  const r = rng(7);
  const lines = [];
  for (let i = 0; i < 100_000; i++) lines.push(line(r));
  writeFileSync(path.join(root, 'etc/security/limits.conf'), `${lines.join('\n')}\n`);
  let v = 1000;
  const set = () => timeProcess(process.execPath, [bin, 'set', 'nofile', String(v++), '--user', 'benchuser', '--root', root], { allowFail: false });
  const unchanged = () => timeProcess(process.execPath, [bin, 'set', 'nofile', String(v - 1), '--user', 'benchuser', '--root', root]);
  set();
  const bare = () => timeProcess(process.execPath, ['-e', '0']);
  const a = alternate(runs, bare, set);
  const b = alternate(runs, bare, unchanged);
  console.log(`set on a 100,000-line limits.conf, cold; median of ${runs} alternating runs`);
  row(['command', 'node -e 0', 'limitsctl', 'ratio']);
  row(['set nofile N --user benchuser (writes)', fmt(a.baseline), fmt(a.subject), `${a.ratio.toFixed(2)}x`]);
  row(['same again (unchanged, no write)', fmt(b.baseline), fmt(b.subject), `${b.ratio.toFixed(2)}x`]);
} finally {
  rmSync(root, { recursive: true, force: true });
}
