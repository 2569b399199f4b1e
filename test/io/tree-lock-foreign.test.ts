/**
 * What is at the lock path (etc/security/.limitsctl.lock) when limitsctl did not put it there
 * (src/io/tree-lock.ts): a symlink — dangling or not, old or young — is never followed nor
 * removed, and a regular file limitsctl did not write is never removed either; both are refused
 * (exit 2 from the CLI, nothing written, the tree exactly as it was). Only a lock file limitsctl
 * was killed while writing (empty, or the cut-off start of its record) is taken over once old.
 */
import { cpSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lutimes, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_RELATIVE_PATH, LockTimeoutError, withTreeLock } from '../../src/io/write.js';
import { DEMO, runMain } from '../cli/helpers.js';
import { differences, snapshot } from '../cli/snapshot.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function demoTree(): { root: string; lock: string; conf: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-lockpath-'));
  dirs.push(root);
  cpSync(DEMO, root, { recursive: true });
  return { root, lock: path.join(root, LOCK_RELATIVE_PATH), conf: path.join(root, 'etc/security/limits.conf') };
}

const OLD = new Date(Date.now() - 3_600_000);

describe('a symlink at the lock path', () => {
  for (const target of ['nonexistent', '../passwd']) {
    it(`(-> ${target}, old) is neither followed nor removed: set exits 2 and changes nothing`, async () => {
      const { root, lock } = demoTree();
      symlinkSync(target, lock);
      await lutimes(lock, OLD, OLD);
      const before = snapshot(root);
      const r = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/etc\/security\/\.limitsctl\.lock is a symlink; limitsctl will not use or remove it/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(differences(before, snapshot(root))).toEqual([]);
      expect(lstatSync(lock).isSymbolicLink()).toBe(true);
      expect(readlinkSync(lock)).toBe(target);
    });
  }

  it('withTreeLock refuses it at once (ENOTREG), without running the work', async () => {
    const { root, lock } = demoTree();
    symlinkSync('nowhere', lock);
    let ran = false;
    const e = await withTreeLock(root, () => { ran = true; }, { timeoutMs: 10_000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ENOTREG' });
    expect(e).not.toBeInstanceOf(LockTimeoutError);
    expect(ran).toBe(false);
    expect(readlinkSync(lock)).toBe('nowhere');
  });
});

describe('a regular file at the lock path', () => {
  for (const [label, content] of [
    ['text', 'hello\n'],
    ['JSON of something else', '{"tool":"other","pid":1}\n'],
    ['a huge file that starts like ours', `{"tool":"limitsctl"${' '.repeat(10_000)}}`],
  ] as const) {
    it(`holding ${label}, old, is refused (exit 2) and kept`, async () => {
      const { root, lock } = demoTree();
      writeFileSync(lock, content);
      await utimes(lock, OLD, OLD);
      const before = snapshot(root);
      const r = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/cannot take the lock \S*etc\/security\/\.limitsctl\.lock: .*limitsctl did not write; limitsctl will not use or remove it/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(differences(before, snapshot(root))).toEqual([]);
      expect(readFileSync(lock, 'utf8')).toBe(content);
    });
  }

  it('a young foreign file is refused at once too, not waited for', async () => {
    const { root, lock } = demoTree();
    writeFileSync(lock, 'mine\n');
    const e = await withTreeLock(root, () => 'ran', { timeoutMs: 30_000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(lock, 'utf8')).toBe('mine\n');
  });

  it('the cut-off start of our own record is waited for while young and taken over once old', async () => {
    const { root, lock, conf } = demoTree();
    writeFileSync(lock, '{"tool":"limits');
    await expect(withTreeLock(root, () => 'ok', { timeoutMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    await utimes(lock, OLD, OLD);
    const r = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(conf, 'latin1')).toMatch(/^admin\s+-\s+nproc\s+5$/m);
    expect(() => lstatSync(lock)).toThrow(/ENOENT/);
  });
});
