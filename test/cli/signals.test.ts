/**
 * SIGINT, SIGTERM and SIGHUP end a run at once, by the signal (a shell shows 128 + its number),
 * also in the middle of a long lint: the CLI installs no handler of its own, and `lint
 * --output-file` removes its temporary file and leaves FILE as it was (src/io/signal-cleanup.ts).
 * The lock cases of `set` are in test/cli/refuse.test.ts. End to end through the built binary
 * (`npm run build` first). Signals are sent by pid once the run is seen at work (its first output,
 * or its temporary file), never after a fixed delay.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(__dirname, '../../bin/limitsctl.js');
const built = existsSync(path.resolve(__dirname, '../../dist/limitsctl.cjs'));
if (!built) console.warn('signal tests skipped: dist/ is not built (run npm run build)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// four files of 40,000 lines with a finding each: the first block of the report is written
// while three files are still to be linted (seconds of CPU)
const FILES = ['m1.conf', 'm2.conf', 'm3.conf', 'm4.conf'];
let body = '';
for (let i = 0; i < 40_000; i++) body += `u${i} soft nofile 10k\n`;
for (const f of FILES) writeFileSync(path.join(tmp, f), body);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'lint', '--profile', 'linux-pam-1.5.2', ...args], {
    cwd: tmp, env: { ...process.env, NO_COLOR: '1', LIMITSCTL_DOCS_URL: '' },
  });
  let stdout = 0;
  let stderr = '';
  const firstOutput = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.on('data', (d: Buffer) => { stdout += d.length; });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, ended, firstOutput, out: () => ({ stdout, stderr }) };
}

describe.skipIf(!built)('signals during lint', () => {
  it('SIGINT in the middle of a report on stdout ends the run by the signal, not with exit 0 after it', async () => {
    const run = start(['-f', 'json', ...FILES]);
    await run.firstOutput;
    run.child.kill('SIGINT');
    const r = await run.ended;
    expect(r, run.out().stderr).toEqual({ code: null, signal: 'SIGINT' });
    expect(run.out().stderr).toBe('');
  }, 120_000);

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} during lint --output-file leaves FILE as it was and no temporary file`, async () => {
      const dir = mkdtempSync(path.join(tmp, 'out-'));
      const report = path.join(dir, 'report.json');
      writeFileSync(report, 'old\n');
      const before = statSync(report);
      const run = start(['-f', 'json', '-o', report, ...FILES]);
      // at work: the temporary file beside FILE has had report blocks written to it
      const temp = () => readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      for (let i = 0; i < 2400; i++) {
        const t = temp();
        if (t.length > 0 && statSync(path.join(dir, t[0]!)).size > 0) break;
        await sleep(25);
      }
      expect(temp().length, 'the run wrote to its temporary file').toBe(1);
      run.child.kill(signal);
      const r = await run.ended;
      expect(r, run.out().stderr).toEqual({ code: null, signal });
      expect(readdirSync(dir)).toEqual(['report.json']);
      expect(readFileSync(report, 'utf8')).toBe('old\n');
      expect(statSync(report).mtimeMs).toBe(before.mtimeMs);
    }, 120_000);
  }
});
