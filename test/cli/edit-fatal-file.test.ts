/**
 * An edit of a tree holding a file pam_limits reads but limitsctl could not (a FIFO drop-in) is
 * refused — set, unset and apply alike, dry run or not: which line wins is unknown, so neither a
 * change nor "unchanged" can be promised. A tree pam_limits reads gets no such refusal.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';
import { differences, snapshot } from './snapshot.js';
import { demoCopies } from './trees.js';

const demoCopy = demoCopies('limitsctl-edit-fatal-');

function demoWithFifo(): string {
  const d = demoCopy();
  execFileSync('mkfifo', [path.join(d, 'etc/security/limits.d/x.conf')]);
  return d;
}

const REFUSAL = /cannot edit etc\/security\/limits\.d\/x\.conf: not a regular file but a FIFO.*which line wins is unknown/;

describe('an edit on a tree pam_limits cannot read', () => {
  it('unset --all with a FIFO drop-in is refused (exit 2), and nothing changes', async () => {
    for (const extra of [['--dry-run'], ['--check'], []]) {
      const d = demoWithFifo();
      const before = snapshot(d);
      const r = await runMain(['unset', 'nproc', '--all', '--root', d, ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).not.toMatch(/change/);
      expect(r.stderr).toMatch(REFUSAL);
      expect(differences(before, snapshot(d))).toEqual([]);
    }
  });

  it('and as a JSON error with --json', async () => {
    const r = await runMain(['unset', 'nproc', '--all', '--root', demoWithFifo(), '--json']);
    expect(r.code, r.stderr).toBe(2);
    const out = JSON.parse(r.stdout) as { error: { message: string } };
    expect(out.error.message).toMatch(REFUSAL);
  });

  it('no such warning on a tree pam_limits reads', async () => {
    const d = demoCopy();
    const r = await runMain(['unset', 'nproc', '--all', '--root', d, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/until that path is fixed/);
  });
});
