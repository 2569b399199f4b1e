/**
 * A write copies the old file's ACL and extended attributes with coreutils' cp (src/io/write.ts
 * copyAttributes). It must be coreutils' own: a `cp` found first on the caller's PATH (a user's
 * ~/bin, a language tool's shims — this machine's root PATH has several) is never what a run of
 * limitsctl executes while it replaces a file under /etc/security.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, cli } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-path-cp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it.skipIf(!existsSync('/usr/bin/cp') && !existsSync('/bin/cp'))('set runs coreutils cp, not the cp first on PATH', () => {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  const marker = path.join(tmp, 'planted-cp-ran');
  writeFileSync(path.join(bin, 'cp'), `#!/bin/sh\necho "$@" > '${marker}'\nexit 1\n`);
  chmodSync(path.join(bin, 'cp'), 0o755);
  const root = path.join(tmp, 'tree');
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  const conf = path.join(root, 'etc/security/limits.conf');
  writeFileSync(conf, '*  soft  nofile  1024\nadmin hard nofile 2048\n');
  const r = cli(['set', 'nofile', '4096', '--user', 'admin', '--type', 'hard', '--root', root], { env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(existsSync(marker), 'the cp planted first on PATH ran').toBe(false);
  expect(readFileSync(conf, 'utf8')).toBe('*  soft  nofile  1024\nadmin hard nofile 4096\n');
});

/**
 * A system without /dev (a minimal chroot or container): cp is started with pipes, never with an
 * "ignored" descriptor (/dev/null, opened in the child), so a write still works. Before, every
 * write there failed with "cp (GNU coreutils) could not be run (spawnSync /usr/bin/cp ENOENT)".
 * Needs a private mount namespace (root with CAP_SYS_ADMIN) to hide /dev: skipped elsewhere.
 */
const privateMounts = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
it.skipIf(!privateMounts)('set works on a system without /dev', () => {
  const root = path.join(tmp, 'no-dev');
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  const conf = path.join(root, 'etc/security/limits.conf');
  writeFileSync(conf, '*  soft  nofile  1024\nadmin hard nofile 2048\n');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('unshare', ['-m', 'sh', '-c',
    `mount -t tmpfs none /dev && test ! -e /dev/null && exec ${q(process.execPath)} ${q(BIN)} set nofile 4096 --user admin --type hard --root ${q(root)}`,
  ], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(readFileSync(conf, 'utf8')).toBe('*  soft  nofile  1024\nadmin hard nofile 4096\n');
});

/**
 * cp that cannot be started (here coreutils' own, covered by a file that is not executable):
 * `set` and its dry run refuse with EATTR, exit 2, before the tree lock is taken, so nothing in
 * etc/security changes — not its listing, not its mtime. Before, the refusal came from the writer,
 * after the lock file and the temporary files had been made and removed: a new mtime. Needs a
 * private mount namespace (root with CAP_SYS_ADMIN): skipped elsewhere.
 */
it.skipIf(!privateMounts || !existsSync('/usr/bin/cp'))('cp that cannot be started: set and --dry-run refuse, exit 2, and etc/security keeps its mtime', () => {
  const root = path.join(tmp, 'no-cp');
  const sec = path.join(root, 'etc/security');
  mkdirSync(sec, { recursive: true });
  const conf = path.join(sec, 'limits.conf');
  const before = '*  soft  nofile  1024\nadmin hard nofile 2048\n';
  writeFileSync(conf, before);
  const past = new Date('2020-01-01T00:00:00Z');
  utimesSync(sec, past, past);
  const blocker = path.join(tmp, 'cp-not-executable');
  writeFileSync(blocker, '', { mode: 0o644 });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  for (const extra of ['', ' --dry-run']) {
    const r = spawnSync('unshare', ['-m', 'sh', '-c',
      `mount --bind ${q(blocker)} /usr/bin/cp && exec ${q(process.execPath)} ${q(BIN)} set nofile 4096 --user admin --type hard --root ${q(root)}${extra}`,
    ], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    expect(r.stderr, extra).toContain(`cannot keep the ACL and extended attributes of ${conf}: cp (GNU coreutils) could not be run (/usr/bin/cp: EACCES (not executable)); nothing was written`);
    expect(r.status, extra).toBe(2);
    expect(r.stdout, extra).toBe('');
    expect(readdirSync(sec), extra).toEqual(['limits.conf']);
    expect(statSync(sec).mtimeMs, extra).toBe(past.getTime());
    expect(readFileSync(conf, 'utf8'), extra).toBe(before);
  }
});
