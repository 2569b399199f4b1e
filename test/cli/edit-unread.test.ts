/**
 * An edit never plans over a file it did not read: a FIFO where limits.conf should be, or a
 * limits.conf above the read cap, is refused the same way by --dry-run and by a real run (exit 2,
 * nothing changed) — before, the dry run showed it as a new file and an over-size file would
 * have been replaced by the few lines of the change.
 */
import { execFileSync } from 'node:child_process';
import { truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { demoCopies } from './trees.js';
import { differences, snapshot } from './snapshot.js';

const demoCopy = demoCopies('limitsctl-edit-unread-');

describe('edits refuse files they could not read', () => {
  it('a FIFO limits.conf: --dry-run and a real run both exit 2 and change nothing', () => {
    const root = demoCopy();
    const conf = path.join(root, 'etc/security/limits.conf');
    unlinkSync(conf);
    execFileSync('mkfifo', [conf]);
    const before = snapshot(root);
    for (const extra of [['--dry-run'], ['--check'], []]) {
      const r = cli(['set', 'nproc', '5', '--user', 'admin', '--root', root, ...extra], { timeout: 20_000 });
      expect(r.code, `${extra.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/cannot edit etc\/security\/limits\.conf: .*FIFO/);
      expect(r.stdout).not.toMatch(/would change/);
    }
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('a limits.conf above the read cap is not replaced by the change', () => {
    const root = demoCopy();
    const conf = path.join(root, 'etc/security/limits.conf');
    writeFileSync(conf, '# big\n');
    truncateSync(conf, 17 * 1024 * 1024); // sparse: above the 16 MiB cap for limits files
    const before = snapshot(root);
    const r = cli(['set', 'nproc', '5', '--user', 'admin', '--root', root], { timeout: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot edit etc\/security\/limits\.conf/);
    expect(differences(before, snapshot(root))).toEqual([]);
  }, 90_000);
});
