/**
 * A limits.d name that is not UTF-8 (`\xffz.conf`, written by a Latin-1 tool): glob() finds it and
 * pam_limits reads it, but no JavaScript string names it. It used to be decoded lossily (U+FFFD),
 * then not found under that name and reported "missing: session fails" — a failure pam_limits
 * never has. It is now a 'not-evaluated' file in its byte-order place (src/io/tree.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadTree } from '../../src/io/tree.js';
import { cli } from '../cli/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-undecodable-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const root = path.join(tmp, 'tree');
const d = path.join(root, 'etc/security/limits.d');
mkdirSync(d, { recursive: true });
const conf = path.join(root, 'etc/security/limits.conf');
writeFileSync(conf, '* soft nofile 10\n');
writeFileSync(path.join(d, 'a.conf'), '* hard nofile 20\n');
writeFileSync(path.join(d, 'z.conf'), '* hard nproc 30\n');
const raw = (name: string) => Buffer.concat([Buffer.from(`${d}/`), Buffer.from(name, 'latin1')]);
writeFileSync(raw('\xffz.conf'), '* hard nofile 5\n');
writeFileSync(raw('m\xe9.conf'), '* soft nproc 7\n');
writeFileSync(raw('\xfe.txt'), 'x\n');
writeFileSync(raw('.\xfd.conf'), 'x\n');
// a real U+FFFD name beside them: read as it is
writeFileSync(path.join(d, 'q\ufffd.conf'), '* soft core 0\n');

it('names that are not UTF-8 are not-evaluated files in glob byte order, never "missing"', () => {
  const tree = loadTree(root, { profile: 'debian' });
  expect(tree.failure).toBeNull();
  expect(tree.files.map((f) => [f.path.replace('etc/security/', ''), f.status])).toEqual([
    ['limits.conf', 'ok'],
    ['limits.d/a.conf', 'ok'],
    ['limits.d/m\\xe9.conf', 'not-evaluated'],
    ['limits.d/q\ufffd.conf', 'ok'],
    ['limits.d/z.conf', 'ok'],
    ['limits.d/\\xffz.conf', 'not-evaluated'],
  ]);
  expect(tree.files[2]!.error).toMatch(/not UTF-8/);
  expect(tree.ignored.map((g) => [g.path.replace('etc/security/limits.d/', ''), g.reason]).sort()).toEqual([['.\\xfd.conf', 'hidden'], ['\\xfe.txt', 'suffix']]);
});

it('get says the result leaves them out; set refuses and changes nothing', () => {
  const g = cli(['get', 'nofile', '--user', 'x', '--uid', '5', '--gid', '5', '--root', root, '--profile', 'debian']);
  expect(g.code).toBe(0);
  expect(g.stdout).not.toMatch(/missing|no limits applied/);
  expect(g.stdout).toContain('limits.d/\\xffz.conf: its name is not UTF-8');
  const before = statSync(conf);
  const s = cli(['set', 'nofile', '4096', '--user', 'x', '--root', root, '--profile', 'debian']);
  expect(s.code).toBe(2);
  expect(s.stderr).toMatch(/not UTF-8[\s\S]*rename/);
  expect(readFileSync(conf, 'utf8')).toBe('* soft nofile 10\n');
  expect(statSync(conf).mtimeMs).toBe(before.mtimeMs);
});

it('their kind is found through the bytes of the name: FIFO and dangling symlink fatal, directory empty, a link followed inside the root', () => {
  const r2 = path.join(tmp, 'kinds');
  const d2 = path.join(r2, 'etc/security/limits.d');
  mkdirSync(d2, { recursive: true });
  writeFileSync(path.join(r2, 'etc/security/limits.conf'), '');
  writeFileSync(path.join(r2, 'etc/real.conf'), '* hard nofile 9\n');
  const at = (name: string) => Buffer.concat([Buffer.from(`${d2}/`), Buffer.from(name, 'latin1')]);
  // (argv strings are UTF-8: the shell's printf makes the byte 0xf1)
  execFileSync('sh', ['-c', 'mkfifo "$1/$(printf \'\\361\').conf"', 'sh', d2]);
  symlinkSync('/nonexistent', at('\xf2.conf'));
  mkdirSync(at('\xf3.conf'));
  symlinkSync('/etc/real.conf', at('\xf4.conf'));
  const tree = loadTree(r2, { profile: 'debian' });
  const byName = new Map(tree.files.map((f) => [f.path.replace('etc/security/limits.d/', ''), f]));
  expect(byName.get('\\xf1.conf')?.status).toBe('special');
  expect(byName.get('\\xf2.conf')?.status).toBe('dangling-symlink');
  expect(byName.get('\\xf3.conf')?.status).toBe('directory');
  expect(byName.get('\\xf4.conf')).toMatchObject({ status: 'not-evaluated', realPath: 'etc/real.conf' });
  // the FIFO comes first in byte order: pam_limits stops there
  expect(tree.failure?.file).toBe('etc/security/limits.d/\\xf1.conf');
});

it('a vendor drop-in with the same bytes as one in /etc/security/limits.d is shadowed', () => {
  const r3 = path.join(tmp, 'vendor');
  for (const dir of ['etc/security/limits.d', 'usr/share/pam/security/limits.d']) {
    mkdirSync(path.join(r3, dir), { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(path.join(r3, dir, '/')), Buffer.from('\xff.conf', 'latin1')]), '* hard nofile 5\n');
  }
  writeFileSync(path.join(r3, 'etc/security/limits.conf'), '');
  const tree = loadTree(r3, { profile: 'upstream-1.7' });
  expect(tree.files.map((f) => f.path)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/\\xff.conf']);
  expect(tree.ignored).toContainEqual(expect.objectContaining({ path: 'usr/share/pam/security/limits.d/\\xff.conf', reason: 'shadowed' }));
});

it('a real name that looks like the shown form of a raw one stays a file of its own; a raw-named directory is a subdirectory', () => {
  const r4 = path.join(tmp, 'twins');
  const d4 = path.join(r4, 'etc/security/limits.d');
  mkdirSync(d4, { recursive: true });
  writeFileSync(path.join(r4, 'etc/security/limits.conf'), '');
  writeFileSync(path.join(d4, 'a\\xff.conf'), '* soft nofile 2\n'); // a backslash, x, f, f
  writeFileSync(Buffer.concat([Buffer.from(`${d4}/`), Buffer.from('a\xff.conf', 'latin1')]), '* soft nofile 3\n');
  mkdirSync(Buffer.concat([Buffer.from(`${d4}/`), Buffer.from('z\xff', 'latin1')]));
  const tree = loadTree(r4, { profile: 'debian' });
  const paths = tree.files.map((f) => f.path);
  expect(new Set(paths).size).toBe(paths.length);
  expect(tree.files.map((f) => [f.path.replace('etc/security/limits.d/', ''), f.status])).toEqual([
    ['etc/security/limits.conf', 'ok'],
    ['a\\xff.conf', 'ok'],
    ['a\\xff.conf (not UTF-8)', 'not-evaluated'],
  ]);
  expect(tree.ignored).toContainEqual(expect.objectContaining({ path: 'etc/security/limits.d/z\\xff', reason: 'subdirectory' }));
});

it('a relative link of a not-UTF-8 name is followed from where limits.d really is, as a UTF-8 name is', () => {
  // limits.d is itself a link (into opt/ld); '../real.conf' from there is opt/real.conf, not
  // etc/security/real.conf (the link's path as shown)
  const r = path.join(tmp, 'linked');
  mkdirSync(path.join(r, 'etc/security'), { recursive: true });
  mkdirSync(path.join(r, 'opt/ld'), { recursive: true });
  writeFileSync(path.join(r, 'etc/security/limits.conf'), '');
  writeFileSync(path.join(r, 'opt/real.conf'), '* hard nofile 20\n');
  symlinkSync('../../opt/ld', path.join(r, 'etc/security/limits.d'));
  symlinkSync('../real.conf', path.join(r, 'opt/ld/a.conf'));
  symlinkSync('../real.conf', Buffer.concat([Buffer.from(path.join(r, 'opt/ld/')), Buffer.from('\xf1.conf', 'latin1')]));
  // a link climbing out of the root
  symlinkSync('../../../../../../outside.conf', Buffer.concat([Buffer.from(path.join(r, 'opt/ld/')), Buffer.from('\xf2.conf', 'latin1')]));
  const tree = loadTree(r, { profile: 'debian' });
  const got = Object.fromEntries(tree.files.map((f) => [f.path.replace('etc/security/limits.d/', ''), [f.status, f.realPath]]));
  expect(got['a.conf']).toEqual(['ok', 'opt/real.conf']);
  expect(got['\\xf1.conf']).toEqual(['not-evaluated', 'opt/real.conf']);
  expect(got['\\xf2.conf']![0]).toBe('outside-root');
});
