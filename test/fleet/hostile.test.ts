/**
 * The host's answer is untrusted: a compromised managed host can print any "snapshot" in reply to
 * the read command. The planner must refuse names with `..`, absolute names, NUL, listed names
 * with a `/`, names the read command never reads, and anything written through a symlink it made
 * itself — the task fails with a plain msg and nothing appears outside the planner's scratch
 * directory on the controller (and no write command goes to the host).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { taskIntent } from '../../src/core/fleet/params.js';
import { parseSnapshot, SNAPSHOT_MAGIC } from '../../src/core/fleet/remote.js';
import { removeScratch } from '../../src/fleet/plan-host.js';
import { handle } from '../../src/fleet/server.js';

const out = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-hostile-'));
afterAll(() => { rmSync(out, { recursive: true, force: true }); removeScratch(); });

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const fileRec = (rel: string, content: string) => `F x:${hex(rel)} -rw-r--r-- 1 0 0\n${hex(content).match(/../g)!.join(' ')}\n.`;
const ups = '../'.repeat(12);
const base = ['D r:etc/security', fileRec('etc/security/limits.conf', '* soft core 0\n')];
const snap = (...recs: string[]) => [SNAPSHOT_MAGIC, ...base, ...recs, 'E', ''].join('\n');

const cases: Array<[string, string, RegExp]> = [
  ['a file name with ..', snap(fileRec(`etc/${ups}${out.slice(1)}/PWNED-file`, 'written by the host\n')), /not a plain path inside the root/],
  ['a listed name with ..', snap('D r:etc/security/limits.d', `N r:etc/security/limits.d f x:${hex(`${ups}${out.slice(1)}/PWNED-listing`)}`), /not a single file name/],
  ['a file through a symlink it lays out', snap(`L r:etc/evil x:${hex(out)}`, fileRec('etc/evil/PWNED-via-link', 'x\n')), /does not read/],
  ['an absolute name', snap(fileRec(`${out}/PWNED-abs`, 'x\n')), /not a plain path/],
  ['a NUL in a name', snap(fileRec('etc/security/limits.d/a\0b.conf', 'x\n')), /not a plain path/],
  ['a name the read command does not read', snap(fileRec('root/.ssh/authorized_keys', 'ssh-ed25519 AAAA\n')), /does not read/],
  ['a symlinked limits.d, then a file under the link name', snap(`L r:etc/security/limits.d x:${hex(out)}`, fileRec('etc/security/limits.d/PWNED.conf', 'x\n')), /does not read/],
  ['a line after the end marker', `${snap()}F r:etc/passwd - 1 - -\n.\n`, /after its end marker/],
  ['a record with extra fields', snap('D r:etc/security/limits.d r:x'), /unexpected line/],
  ['an unknown kind', snap('S r:etc/security/limits.d/x.conf z'), /unexpected line/],
];

describe('a hostile snapshot', () => {
  it.each(cases)('%s: the task fails with a plain msg, nothing is written outside the scratch directory, no write command', async (_what, text, msg) => {
    const args = { user: 'admin', item: 'nproc', value: '5', root: '/' };
    const r = await handle({ op: 'plan', args, snapshot: text, check: false, diff: false });
    expect(r.failed).toBe(true);
    expect(String(r.msg)).toMatch(msg);
    expect(String(r.msg)).not.toMatch(/planner error|\n\s+at /);
    expect(r.write).toBeUndefined();
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync('/PWNED-abs')).toBe(false);
  });

  it('a well-formed snapshot still plans (the checks refuse only what the read command cannot print)', async () => {
    const r = await handle({ op: 'plan', args: { user: 'admin', item: 'nproc', value: '5', root: '/' }, snapshot: snap(), check: true, diff: false });
    expect(r.failed).toBeUndefined();
    expect((r.result as Record<string, unknown>).changed).toBe(true);
    // links met on the way, chroot-style targets under the root, a listed directory and its *.conf entries
    const s = parseSnapshot([SNAPSHOT_MAGIC, 'L r:etc/security r:/srv/img/srv/sec', 'D r:srv/sec', 'L r:srv/sec/limits.conf r:../lc', fileRec('srv/lc', 'a\n'),
      'D r:srv/sec/limits.d', 'N r:srv/sec/limits.d f r:1.conf', 'N r:srv/sec/limits.d f r:notes.txt', fileRec('srv/sec/limits.d/1.conf', 'b\n'), 'E'].join('\n'), '/srv/img');
    expect([...s!.entries.keys()].sort()).toEqual(['etc/security', 'srv/lc', 'srv/sec', 'srv/sec/limits.conf', 'srv/sec/limits.d', 'srv/sec/limits.d/1.conf']);
    taskIntent({ user: 'a', item: 'nproc', value: 1 });
  });
});
