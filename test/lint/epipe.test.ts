/**
 * `lint … | head -1`: once the reader of stdout has gone (EPIPE), lint stops making output and
 * ends with the exit code of its findings (1), quietly — it does not format the rest of a large
 * report for nobody. Asserted on the bytes lint wrote, not on time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { pump } from '../../src/formatters/stream.js';
import { BIN } from '../cli/helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A tree whose limits.conf has `n` invalid lines: one finding (about 200 bytes of text) each. */
function tree(n: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-epipe-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), 'bad\n'.repeat(n));
  return root;
}

describe('lint output to a reader that goes away', () => {
  it('spawned: lint of 120,000 findings | a reader of one line: exit 1, no trace, a small part written', async () => {
    const root = tree(120_000);
    // counts the bytes lint writes to stdout (fs.writeSync on descriptor 1, or process.stdout.write
    // once that would block), written to a file at exit
    const count = path.join(root, 'count');
    const preload = path.join(root, 'count.mjs');
    writeFileSync(preload, [
      "import fs, { writeFileSync } from 'node:fs';",
      'let n = 0;',
      'const writeSync = fs.writeSync;',
      'fs.writeSync = (fd, chunk, ...rest) => { const w = writeSync(fd, chunk, ...rest); if (fd === 1) n += w; return w; };',
      'const write = process.stdout.write.bind(process.stdout);',
      'process.stdout.write = (chunk, ...rest) => { n += Buffer.byteLength(chunk); return write(chunk, ...rest); };',
      `process.on('exit', () => writeFileSync(${JSON.stringify(count)}, String(n)));`,
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, BIN, 'lint', '--root', root], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    let first = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      if (first.includes('\n')) return;
      first += t;
      if (first.includes('\n')) child.stdout.destroy(); // like head -1: read one line, close the pipe
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(first.split('\n')[0]).toMatch(/limits\.conf:1:1 error LC001/);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    // the whole text report is about 120,000 × 200 bytes = 24 MB
    const written = Number(readFileSync(count, 'utf8'));
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(2_000_000);
  }, 180_000);

  it('in process: every format stops at the first block once stdout is closed, with the findings\' exit code', async () => {
    const root = tree(20_000);
    for (const format of ['text', 'json', 'sarif', 'github', 'junit', 'checkstyle', 'codeclimate']) {
      let written = 0;
      let closed = false;
      const io: CliIO = {
        stdout: (t) => { written += t.length; closed = true; }, // the reader goes away after the first block
        stderr: () => {},
        isTTY: false,
        env: { NO_COLOR: '1' },
        cwd: root,
        stdoutClosed: () => closed,
        stdoutReady: () => undefined,
      };
      expect(await main(['lint', '--root', root, '--format', format], io), format).toBe(1);
      expect(written, format).toBeGreaterThan(0);
      expect(written, format).toBeLessThan(200_000); // the full report is several MB
    }
  }, 120_000);
});

describe('pump', () => {
  it('writes every piece in blocks, and waits on ready() between blocks', async () => {
    const blocks: string[] = [];
    let waits = 0;
    const done = await pump(['ab', 'cd', 'ef', 'g'], { write: (t) => blocks.push(t), ready: () => { waits++; return Promise.resolve(); } }, 4);
    expect(done).toBe(true);
    expect(blocks).toEqual(['abcd', 'efg']);
    expect(waits).toBe(2);
  });

  it('stops making pieces once the sink is closed', async () => {
    let made = 0;
    function* pieces() { for (let i = 0; i < 1000; i++) { made++; yield 'x'.repeat(10); } }
    const blocks: string[] = [];
    const done = await pump(pieces(), { write: (t) => blocks.push(t), closed: () => blocks.length >= 2 }, 100);
    expect(done).toBe(false);
    expect(blocks.length).toBe(2);
    expect(made).toBe(20);
  });
});
