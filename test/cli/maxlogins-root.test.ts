/**
 * maxlogins / maxsyslogins for root (issue 13, item 7): pam_limits.c setup_limits skips the login
 * count when the uid is 0 (Linux-PAM 1.5.2 and 1.7.2, Debian's patches keep it), so `set maxlogins
 * 3 --user root` never takes effect: refused (exit 2) saying so, never "use --user root"; for
 * `--all` root is a note with the same reason on every profile; unlimited for root is fine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tree(withPasswd: boolean): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-maxlogins-root-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), '* - maxlogins 4\n');
  if (withPasswd) writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  return root;
}
const UID0 = /pam_limits never checks maxlogins or maxsyslogins for uid 0/;

describe('maxlogins for root', () => {
  it.each([['debian-12', true], ['linux-pam-1.5.2', true], ['linux-pam-1.7.2', false]])('%s (passwd %s): --user root is refused with the uid-0 reason', async (profile, withPasswd) => {
    const root = tree(withPasswd);
    for (const item of ['maxlogins', 'maxsyslogins']) {
      const r = await runMain(['set', item, '3', '--user', 'root', '--root', root, '--profile', profile, '--dry-run']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(UID0);
      expect(r.stderr).not.toMatch(/--user root|for the user root/);
      expect(r.stderr).toMatch(/No line limits the logins of root; pass --force/);
    }
    const ok = await runMain(['set', 'maxlogins', 'unlimited', '--user', 'root', '--root', root, '--profile', profile, '--dry-run']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it.each(['debian-12', 'linux-pam-1.5.2'])('%s: --all notes root once with the uid-0 reason, not "use --user root"', async (profile) => {
    const r = await runMain(['set', 'maxlogins', '3', '--all', '--root', tree(true), '--profile', profile, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: root'));
    expect(notes).toEqual([expect.stringMatching(/^note: root keeps maxlogins unlimited \(wanted 3\): pam_limits never checks/)]);
    expect(r.stderr).not.toMatch(/--user root/);
  });
});
