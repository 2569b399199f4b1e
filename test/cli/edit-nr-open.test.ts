/**
 * "It takes effect" (docs/editing.md): nofile above the tree's fs.nr_open is refused by the kernel
 * (setrlimit EPERM), so pam_limits keeps the previous limits (Debian 1.5.2) or denies the session
 * (upstream). set refuses it, dry run and real run alike; --force writes it anyway.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { demoCopies } from './trees.js';
import { differences, snapshot } from './snapshot.js';

const demoCopy = demoCopies('limitsctl-nr-open-');

describe('set nofile above fs.nr_open', () => {
  it.each([['--dry-run'], ['--check'], [null]])('%s: exit 2 naming nr_open, nothing written', (flag) => {
    const root = demoCopy();
    expect(readFileSync(path.join(root, 'proc/sys/fs/nr_open'), 'utf8').trim()).toBe('1048576');
    const before = snapshot(root);
    for (const profile of ['debian-12', 'linux-pam-1.5.2']) {
      const r = cli(['set', 'nofile', '99999999999', '--user', 'admin', '--root', root, '--profile', profile, ...(flag ? [flag] : [])]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refuses nofile above fs\.nr_open 1048576/);
      expect(r.stderr).toMatch(profile === 'debian-12' ? /keeps the previous limits/ : /denies the session/);
    }
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('the largest value the kernel takes is written; --force writes a larger one', () => {
    const root = demoCopy();
    expect(cli(['set', 'nofile', '1048576', '--user', 'admin', '--root', root]).code).toBe(0);
    const forced = cli(['set', 'nofile', '2000000', '--user', 'admin', '--root', root, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path.join(root, 'etc/security/limits.conf'), 'utf8')).toMatch(/^admin\s+-\s+nofile\s+2000000$/m);
  });
});
