/**
 * `set` says when it lowers a configured value (issue 13, item 5): replacing `admin - nproc
 * unlimited` by 4096 prints a note on stderr and a `note` in --json `changes`; what is written does
 * not change, --strict does not refuse it, and raising or --at-least says nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tree(limits: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-lowers-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), limits);
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nadmin:x:1000:\n');
  return root;
}
const limitsOf = (root: string) => readFileSync(path.join(root, 'etc/security/limits.conf'), 'utf8');
const P = ['--profile', 'linux-pam-1.5.2'];

describe('set lowering a configured value', () => {
  it('unlimited -> 4096: a note on stderr, the line written as asked, also under --strict', async () => {
    for (const strict of [false, true]) {
      const root = tree('admin - nproc unlimited\n');
      const r = await runMain(['set', 'nproc', '4096', '--user', 'admin', '--root', root, ...P, ...(strict ? ['--strict'] : [])]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('note: lowers admin nproc from unlimited to 4096; use --at-least to only raise');
      expect(r.stderr).not.toMatch(/warning/);
      expect(limitsOf(root)).toBe('admin - nproc 4096\n');
    }
  });

  it('--json: the note in changes[].note', async () => {
    const root = tree('admin - nproc unlimited\n');
    const r = await runMain(['set', 'nproc', '4096', '--user', 'admin', '--root', root, ...P, '--json', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { changes: Array<{ note?: string }>; warnings: string[] };
    expect(out.changes[0]!.note).toBe('lowers admin nproc from unlimited to 4096; use --at-least to only raise');
    expect(out.warnings).toEqual([]);
  });

  it('halves with different values are named each; only the lowered half is named', async () => {
    const root = tree('admin soft nofile 8192\nadmin hard nofile 65536\n');
    const r = await runMain(['set', 'nofile', '4096', '--user', 'admin', '--root', root, ...P, '--dry-run']);
    expect(r.stderr).toContain('note: lowers admin nofile soft from 8192 and hard from 65536 to 4096');
    const one = await runMain(['set', 'nofile', '16384', '--user', 'admin', '--root', root, ...P, '--dry-run']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain('note: lowers admin nofile hard from 65536 to 16384');
    expect(one.stderr).not.toMatch(/soft from/);
  });

  it('no note when raising, when nothing is configured for the domain, or with --at-least / --at-most', async () => {
    const root = tree('admin - nproc 4096\n* - nproc unlimited\n');
    for (const args of [['nproc', 'unlimited', '--user', 'admin'], ['nproc', '2048', '--user', 'root'], ['nproc', '2048', '--user', 'admin', '--at-most']]) {
      const r = await runMain(['set', ...args, '--root', root, ...P, '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, args.join(' ')).not.toMatch(/lowers/);
    }
    const least = await runMain(['set', 'nproc', '2048', '--user', 'admin', '--root', root, ...P, '--at-least']);
    expect(least.stdout).toMatch(/unchanged/);
    expect(least.stderr).not.toMatch(/lowers/);
  });
});
