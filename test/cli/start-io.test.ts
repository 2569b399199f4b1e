/**
 * What a cold start of bin/limitsctl.js loads, and its output path (processIO in src/cli/main.ts):
 * output goes to descriptors 1 and 2 with fs.writeSync, so a command that prints a few lines
 * loads none of Node's stream modules (process.stdout would), and the code cache is checked
 * without node:zlib. When descriptor 1 is non-blocking and full, the rest goes through
 * process.stdout, in order. Asserted on the modules Node reports loaded and on bytes, not on time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DEMO, REPO } from './helpers.js';

let tmp = '';
beforeAll(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-start-io-')); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Node's built-in modules that a run of BIN `args` loaded beyond `node -e 0`, and its result. */
function loaded(args: string[], env: NodeJS.ProcessEnv): { extra: string[]; stdout: string; status: number | null } {
  const list = path.join(tmp, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const preload = path.join(tmp, 'modules.cjs');
  // the preload itself loads nothing: fs is loaded before any user code
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));\n`);
  const base = spawnSync(process.execPath, ['--require', preload, '-e', '0'], { env: { ...process.env, MODULE_LIST: list } });
  expect(base.status).toBe(0);
  const before = new Set(readFileSync(list, 'utf8').split('\n'));
  const r = spawnSync(process.execPath, ['--require', preload, BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env, MODULE_LIST: list }, encoding: 'utf8' });
  const extra = readFileSync(list, 'utf8').split('\n').filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  return { extra, stdout: r.stdout, status: r.status };
}

const HEAVY = /^(stream|zlib|tty|net|internal\/streams\/|internal\/fs\/sync_write_stream)/;

describe('a cold start', () => {
  const get = ['get', 'nproc', '--user', 'admin', '--root', DEMO];

  it('of get loads no stream, zlib, tty or net module: without, with a cold and with a warm code cache', () => {
    const dir = path.join(tmp, 'cache');
    for (const [what, env] of [['no cache', { LIMITSCTL_NO_CODE_CACHE: '1' }], ['cold cache', { LIMITSCTL_CACHE_DIR: dir }], ['warm cache', { LIMITSCTL_CACHE_DIR: dir }]] as const) {
      const r = loaded(get, env);
      expect(r.status, what).toBe(0);
      expect(r.stdout, what).toMatch(/^nproc {2}soft 1024 /);
      expect(r.extra.filter((m) => HEAVY.test(m)), what).toEqual([]);
    }
  });

  it('of lint and effective --json loads none of them either', () => {
    for (const args of [['lint', '--root', DEMO], ['effective', '--user', 'admin', '--root', DEMO, '--json']]) {
      const r = loaded(args, { LIMITSCTL_CACHE_DIR: path.join(tmp, 'cache2') });
      expect(r.stdout.length, args[0]).toBeGreaterThan(0);
      expect(r.extra.filter((m) => HEAVY.test(m)), args[0]).toEqual([]);
    }
  });
});

describe('output to a non-blocking descriptor that fills up', () => {
  it('lint with a slow reader: the same bytes, in order, as lint to a file', async () => {
    const root = path.join(tmp, 'tree');
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    // 5,000 findings, about a megabyte of text: far more than a pipe holds
    writeFileSync(path.join(root, 'etc/security/limits.conf'), 'bad\n'.repeat(5000));
    const file = path.join(tmp, 'report.txt');
    const want = spawnSync(process.execPath, [BIN, 'lint', '--root', root], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    expect(want.status).toBe(1);
    expect(want.stdout.length).toBeGreaterThan(500_000);
    writeFileSync(file, want.stdout);
    // making process.stdout for a pipe sets O_NONBLOCK on it (libuv), before the CLI writes
    const preload = path.join(tmp, 'nonblock.cjs');
    writeFileSync(preload, 'void process.stdout;\n');
    const child = spawn(process.execPath, ['--require', preload, BIN, 'lint', '--root', root], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    // read nothing for a while, so that the pipe is full and a write would block
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (b: Buffer) => chunks.push(b)).resume(), 300);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(Buffer.concat(chunks).equals(readFileSync(file))).toBe(true);
  }, 60_000);
});
