/**
 * The V8 setting bin/limitsctl.js makes for a long lint (tuneLint): --heap-growing-percent=100,
 * through node:v8, once a lint process has grown past 512 MiB — on Node 20's V8 (11.3) only, never
 * for a lint that stays smaller nor for another command, and not when node's own command line gives
 * the flag. Observed by a preload that records each call of v8.setFlagsFromString (and passes it
 * on); the process's size is the real one, or one the preload reports (process.memoryUsage.rss),
 * so that the threshold is tested without a tree of a million lines. The setting changes no output
 * (test/cli/bundle.test.ts compares the bin with the bundle).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DEMO } from './helpers.js';

/** What bin/limitsctl.js sets on this V8 for a large lint: nothing on a V8 it was not measured with. */
const WANT = process.versions.v8.startsWith('11.3.') ? ['--heap-growing-percent=100'] : [];
const MIB = 1024 * 1024;

let tmp = '';
let tree = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-bin-v8-'));
  // 150,000 invalid lines: a lint of about a second that turns the event loop at each block of output
  tree = path.join(tmp, 'tree');
  mkdirSync(path.join(tree, 'etc/security'), { recursive: true });
  writeFileSync(path.join(tree, 'etc/security/limits.conf'), 'bad\n'.repeat(150_000));
  writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\n');
  writeFileSync(path.join(tmp, 'record.cjs'), [
    "const v8 = require('node:v8');",
    'const set = v8.setFlagsFromString;',
    'const calls = [];',
    'v8.setFlagsFromString = (flags) => { calls.push(flags); return set.call(v8, flags); };',
    'if (process.env.FAKE_RSS) process.memoryUsage.rss = () => Number(process.env.FAKE_RSS);',
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.V8_CALLS, JSON.stringify(calls)));",
  ].join('\n'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The V8 flags a run of BIN `args` set, after node's own `nodeArgs`, with the process's size
 * reported as `rss` bytes (undefined: the real size); and its exit status.
 */
function flagsSet(args: string[], rss?: number, nodeArgs: string[] = []): { calls: string[]; status: number | null; stderr: string } {
  const out = path.join(tmp, `calls-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [...nodeArgs, '--require', path.join(tmp, 'record.cjs'), BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', V8_CALLS: out, LIMITSCTL_NO_CODE_CACHE: '1', FAKE_RSS: rss === undefined ? '' : String(rss) },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { calls: JSON.parse(readFileSync(out, 'utf8')) as string[], status: r.status, stderr: r.stderr };
}

describe('bin/limitsctl.js and V8', () => {
  it(`a lint grown to 512 MiB sets ${WANT.join(' ') || 'nothing (this V8 is not 11.3)'}; one a byte smaller sets nothing`, () => {
    const big = flagsSet(['lint', '--root', tree], 512 * MIB);
    expect(big.stderr).toBe('');
    expect(big.status).toBe(1);
    expect(big.calls).toEqual(WANT);
    const below = flagsSet(['lint', '--root', tree], 512 * MIB - 1);
    expect(below.status).toBe(1);
    expect(below.calls).toEqual([]);
  });

  it('a lint of its real size (well below 512 MiB) sets nothing, nor does a small one; nor get, however large', () => {
    expect(flagsSet(['lint', '--root', tree]).calls).toEqual([]);
    expect(flagsSet(['lint', '--root', DEMO]).calls).toEqual([]);
    const get = flagsSet(['get', 'nproc', '--user', 'root', '--root', tree], 1024 * MIB);
    expect(get.status).toBe(0);
    expect(get.calls).toEqual([]);
  });

  it("node's own --heap-growing-percent is left as given, in either spelling V8 reads", () => {
    const r = flagsSet(['lint', '--root', tree], 1024 * MIB, ['--heap_growing_percent=50']);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([]);
  });
});
