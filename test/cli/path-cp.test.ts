/**
 * A write copies the old file's ACL and extended attributes with coreutils' cp (src/io/write.ts
 * copyAttributes). It must be coreutils' own: a `cp` found first on the caller's PATH (a user's
 * ~/bin, a language tool's shims — this machine's root PATH has several) is never what a run of
 * limitsctl executes while it replaces a file under /etc/security.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from './helpers.js';

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
