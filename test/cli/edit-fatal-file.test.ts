/**
 * An edit of a tree that holds a file making pam_limits fail or hang before applying anything (a
 * FIFO drop-in, a missing limits.conf on Debian) says so: the change is written, but no session
 * gets it until that path is fixed.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';
import { demoCopies } from './trees.js';

const demoCopy = demoCopies('limitsctl-edit-fatal-');

function demoWithFifo(): string {
  const d = demoCopy();
  execFileSync('mkfifo', [path.join(d, 'etc/security/limits.d/x.conf')]);
  return d;
}

const WARNING = /etc\/security\/limits\.d\/x\.conf is not a regular file but a FIFO.*until that path is fixed, every session through pam_limits fails or hangs/;

describe('an edit on a tree pam_limits cannot read', () => {
  it('unset --all with a FIFO drop-in warns on stderr that sessions hang', async () => {
    for (const extra of [['--dry-run'], []]) {
      const r = await runMain(['unset', 'nproc', '--all', '--root', demoWithFifo(), ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/change.*removed/);
      expect(r.stderr).toMatch(WARNING);
    }
  });

  it('and in the JSON warnings', async () => {
    const r = await runMain(['unset', 'nproc', '--all', '--root', demoWithFifo(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { changed: boolean; warnings: string[] };
    expect(out.changed).toBe(true);
    expect(out.warnings.some((w) => WARNING.test(w))).toBe(true);
  });

  it('no such warning on a tree pam_limits reads', async () => {
    const d = demoCopy();
    const r = await runMain(['unset', 'nproc', '--all', '--root', d, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/until that path is fixed/);
  });
});
