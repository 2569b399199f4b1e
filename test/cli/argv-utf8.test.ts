/**
 * A command-line word that is not UTF-8 reaches Node as U+FFFD: the user's bytes are lost, so the
 * word is refused (exit 2, nothing written) instead of being written as EF BF BD.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, DEMO } from './helpers.js';
import { differences, snapshot } from './snapshot.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** Run the CLI with one raw byte (\351 = latin1 é) as the value of `flag`, through the shell. */
function withRawByte(root: string, words: string): { code: number; stderr: string } {
  const r = spawnSync('sh', ['-c', `exec "$0" "$1" ${words}`, process.execPath, BIN], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ROOT: root, RAW: '\u00e9' }, timeout: 30_000,
  });
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe('argv that is not UTF-8', () => {
  it.each([
    ['set --user', `set nproc 77 --user "$(printf '\\351')" --root "$ROOT"`],
    ['unset --domain', `unset nofile --domain "$(printf '\\351t\\351')" --root "$ROOT"`],
    ['set --comment', `set nproc 77 --user admin --comment "caf$(printf '\\351')" --root "$ROOT"`],
  ])('%s: exit 2, nothing written', (_name, words) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-argv-utf8-'));
    dirs.push(root);
    cpSync(DEMO, root, { recursive: true });
    const before = snapshot(root);
    const r = withRawByte(root, words);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/not valid UTF-8/);
    expect(differences(before, snapshot(root))).toEqual([]);
  });
});
