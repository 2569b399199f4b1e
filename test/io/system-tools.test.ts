/**
 * The live account lookup (root "/": getent passwd/group, id -G) runs the system's own programs
 * by path, not the first getent/id on the caller's PATH (src/io/system-tools.ts).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadIdentity } from '../../src/io/accounts.js';
import { systemTool } from '../../src/io/system-tools.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-system-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const has = (name: string) => existsSync(`/usr/bin/${name}`) || existsSync(`/bin/${name}`);

it.skipIf(!has('getent') || !has('id'))('the live lookup of an account runs /usr/bin getent and id, not those first on PATH', () => {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  const marker = path.join(tmp, 'planted-ran');
  for (const name of ['getent', 'id']) {
    // a planted program that would answer with a forged root account
    writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${marker}'\necho 'root:x:4242:4242::/:/bin/sh'\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved ?? '/usr/bin:/bin'}`;
  let id;
  try {
    id = loadIdentity('/', 'root');
  } finally {
    process.env.PATH = saved;
  }
  expect(existsSync(marker), 'a getent or id planted first on PATH ran').toBe(false);
  expect(id.uid).toBe(0);
  expect(systemTool('getent')).toMatch(/^\/(usr\/)?bin\/getent$/);
});

it('a program in neither /usr/bin nor /bin is looked up on PATH by its name', () => {
  expect(systemTool('limitsctl-no-such-program')).toBe('limitsctl-no-such-program');
});
