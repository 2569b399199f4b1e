/**
 * bench/floor.cjs, the no-analysis floor `npm run bench -- lint` prints under its figures, does the
 * work it is said to do: it counts the entries (lines of four fields once '#…' is left out), and
 * prints as many findings per entry as it is given, of about the length it is given, each naming
 * an entry's file and line. A floor that printed less than lint would read lower than it is.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const FLOOR = path.join(__dirname, '../../bench/floor.cjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-floor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const floor = (...args: string[]) => spawnSync(process.execPath, [FLOOR, ...args], { cwd: tmp, encoding: 'utf8' });

describe('bench/floor.cjs', () => {
  const sec = path.join(tmp, 'tree/etc/security');
  mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
  writeFileSync(path.join(sec, 'limits.conf'), [
    '# a comment with four words here',
    '*  soft  nofile  1024',
    '',
    'admin hard nproc 10 # why',
    '@ops - core # 0 1',
    'root soft stack',
  ].join('\n'));
  writeFileSync(path.join(sec, 'limits.d/10-x.conf'), 'alice - nofile 4096\n\t@dev\tsoft\tas\t100\n');

  it('counts the lines of four fields or more, comments left out, in every file under a path', () => {
    const r = floor('entries', 'tree');
    expect(r.status).toBe(0);
    // limits.conf lines 2 and 4; 10-x.conf lines 1 and 2 ('@ops - core # 0 1' has three before '#')
    expect(Number(r.stdout)).toBe(4);
  });

  it('prints the findings per entry it is given, of about the length it is given, naming entry lines', () => {
    const r = floor('print', '2.5', '200', 'tree');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').slice(0, -1);
    // 4 entries × 2.5, spread: 10 findings
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(l.length + 1).toBe(200);
    const named = new Set(lines.map((l) => l.split(':1 warning')[0]));
    expect([...named].sort()).toEqual([
      'tree/etc/security/limits.conf:2', 'tree/etc/security/limits.conf:4',
      'tree/etc/security/limits.d/10-x.conf:1', 'tree/etc/security/limits.d/10-x.conf:2',
    ]);
    expect(lines[0]).toContain("('* soft nofile 1024')");
  });

  it('refuses a call it does not know (exit 2, usage on stderr)', () => {
    const r = floor('io', 'tree');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: floor\.cjs print/);
    expect(r.stdout).toBe('');
  });
});
