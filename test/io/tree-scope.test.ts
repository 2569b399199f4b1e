/**
 * A tree scope (src/io/paths.ts withTreeScope) opens a tree's directories once for a run of
 * reads. Inside one, readFileInRoot and listDirInRoot must say exactly what they say outside it —
 * for plain files and directories and for every hazard the general way reports (links out of the
 * tree, dangling links, FIFOs, devices, directories, files above the cap, files where directories
 * must be, names that are not UTF-8).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayIn } from '../../src/io/lint-targets.js';
import { withTreeScope } from '../../src/io/paths.js';
import { type ListResult, listDirInRoot, type ReadResult, readFileInRoot } from '../../src/io/read.js';
import { loadTree } from '../../src/io/tree.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

const isRoot = process.geteuid?.() === 0;

/** A tree with one of each thing the reader must refuse or follow, beside plain files. */
function hazardTree(): string {
  const top = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-scope-'));
  chmodSync(top, 0o755);
  dirs.push(top);
  const root = path.join(top, 'root');
  const put = (rel: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  };
  put('etc/security/limits.conf', 'admin soft nproc 5\n');
  put('etc/security/limits.d/a.conf', 'admin hard nproc 9\n');
  put('etc/security/limits.d/big.conf', 'x'.repeat(300));
  put('etc/security/limits.d/notes.txt', 'not read\n');
  put('etc/os-release', 'ID=debian\n');
  put('run', 'a file where a directory is looked for\n');
  put('lib/sysctl.d/10-x.conf', 'fs.nr_open = 2048\n');
  put('secret', 'outside the tree\n');
  writeFileSync(path.join(top, 'outside.conf'), 'outside\n');
  const d = path.join(root, 'etc/security/limits.d');
  symlinkSync('../limits.conf', path.join(d, 'rel-link.conf'));
  symlinkSync('/etc/security/limits.conf', path.join(d, 'abs-link.conf'));
  symlinkSync('../../../../outside.conf', path.join(d, 'out-link.conf'));
  symlinkSync('gone.conf', path.join(d, 'dangling.conf'));
  mkdirSync(path.join(d, 'dir.conf'));
  expect(spawnSync('mkfifo', [path.join(d, 'fifo.conf')]).status).toBe(0);
  if (isRoot) spawnSync('mknod', [path.join(d, 'zero.conf'), 'c', '1', '5']);
  writeFileSync(Buffer.concat([Buffer.from(`${d}/`), Buffer.from([0x61, 0xff]), Buffer.from('.conf')]), 'latin1 name\n');
  symlinkSync('/opt/share', path.join(root, 'usr')); // chroot-style: <root>/opt/share, which is not there
  symlinkSync('/var/x', path.join(root, 'var')); // chroot-style: <root>/var/x, through itself again: ELOOP
  symlinkSync('../..', path.join(root, 'proc')); // out of the root
  symlinkSync('security', path.join(root, 'etc/sec')); // a link inside the tree to a directory
  return root;
}

const FILES = [
  'etc/security/limits.conf', '/etc/security/limits.conf', 'etc//security/./limits.conf',
  'etc/security/limits.d/a.conf', 'etc/security/limits.d/big.conf', 'etc/security/limits.d/notes.txt',
  'etc/security/limits.d/rel-link.conf', 'etc/security/limits.d/abs-link.conf', 'etc/security/limits.d/out-link.conf',
  'etc/security/limits.d/dangling.conf', 'etc/security/limits.d/dir.conf', 'etc/security/limits.d/fifo.conf',
  'etc/security/limits.d/zero.conf', 'etc/security/limits.d/a\ufffd.conf', 'etc/security/limits.d', 'etc/security/limits.d/../limits.conf',
  'etc/sec/limits.conf', 'etc/passwd', 'etc/os-release', 'usr/lib/os-release', 'proc/1/status', 'proc/sys/fs/nr_open',
  'run/sysctl.d/x.conf', 'run', 'var/lib/x', 'lib/sysctl.d/10-x.conf', 'missing/deeper/file', 'etc/security/limits.conf/x', '', '..',
];

const DIRS = [
  'etc/security/limits.d', '/etc/security/limits.d/', 'etc/sec/limits.d', 'etc/security/limits.d/dir.conf', 'etc/security/limits.conf',
  'etc/sysctl.d', 'run/sysctl.d', 'usr/lib/sysctl.d', 'var/lib', 'lib/sysctl.d', 'proc', 'proc/1', 'missing', 'etc/security/limits.d/..', '',
];

/** A read's result with its bytes as text (a Buffer's pool offset is no part of the answer). */
function readShape(r: ReadResult): unknown {
  return r.ok ? { ...r, bytes: r.bytes.toString('latin1') } : r;
}

/** A listing's result with each entry as its name and kind (a Dirent also names the directory it was listed through). */
function listShape(r: ListResult): unknown {
  if (!r.ok) return r;
  const kind = (e: (typeof r.entries)[number]) => (e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'link' : 'other');
  return { ...r, entries: r.entries.map((e) => [e.name, kind(e)]).sort(), undecodable: r.undecodable.map((b) => b.toString('hex')) };
}

describe('reads in a tree scope', () => {
  it('say what the general way says, for plain files and every hazard', () => {
    const root = hazardTree();
    for (const maxBytes of [100, 16 * 1024 * 1024]) {
      const outside = FILES.map((rel) => readShape(readFileInRoot(root, rel, { maxBytes })));
      // twice in one scope: the second read of each starts from directories the first opened
      const inside = withTreeScope(root, () => {
        const first = FILES.map((rel) => readShape(readFileInRoot(root, rel, { maxBytes })));
        const again = FILES.map((rel) => readShape(readFileInRoot(root, rel, { maxBytes })));
        expect(again).toEqual(first);
        return first;
      });
      expect(inside).toEqual(outside);
    }
    // the results are the ones the reader gives these hazards
    const said = (rel: string) => readFileInRoot(root, rel, { maxBytes: 100 });
    expect(withTreeScope(root, () => said('etc/security/limits.d/big.conf'))).toMatchObject({ ok: false, failure: { kind: 'too-large' } });
    expect(withTreeScope(root, () => said('etc/security/limits.d/out-link.conf'))).toMatchObject({ ok: false, failure: { kind: 'outside-root' } });
    expect(withTreeScope(root, () => said('etc/security/limits.d/dangling.conf'))).toMatchObject({ ok: false, failure: { kind: 'missing', dangling: true } });
    expect(withTreeScope(root, () => said('etc/security/limits.d/fifo.conf'))).toMatchObject({ ok: false, failure: { kind: 'not-regular', fileKind: 'FIFO' } });
    expect(withTreeScope(root, () => said('etc/security/limits.d/abs-link.conf'))).toMatchObject({ ok: true, resolved: { rel: 'etc/security/limits.conf', viaSymlink: true } });
    expect(withTreeScope(root, () => said('usr/lib/os-release'))).toMatchObject({ ok: false, failure: { kind: 'missing', dangling: true } });
    expect(withTreeScope(root, () => said('var/lib/x'))).toMatchObject({ ok: false, failure: { kind: 'error', code: 'ELOOP' } });
    expect(withTreeScope(root, () => said('etc/passwd'))).toMatchObject({ ok: false, failure: { kind: 'missing', dangling: false, message: 'etc/passwd: no such file' } });
  });

  it('list directories as the general way lists them', () => {
    const root = hazardTree();
    const outside = DIRS.map((rel) => listShape(listDirInRoot(root, rel)));
    const inside = withTreeScope(root, () => DIRS.map((rel) => listShape(listDirInRoot(root, rel))));
    expect(inside).toEqual(outside);
    const limitsD = withTreeScope(root, () => listDirInRoot(root, 'etc/security/limits.d'));
    expect(limitsD.ok && limitsD.undecodable.map((b) => b.toString('latin1'))).toEqual(['a\xff.conf']);
  });

  it('load a tree the same inside another scope, and close every directory they opened', () => {
    const root = hazardTree();
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const plain = loadTree(root, { profile: 'debian' });
    const nested = withTreeScope(root, () => loadTree(root, { profile: 'debian' }));
    expect(fds()).toBe(before);
    const shape = (t: typeof plain) => t.files.map((f) => ({ ...f, doc: f.doc?.text ?? null }));
    expect(shape(nested)).toEqual(shape(plain));
    expect(plain.failure).toEqual(nested.failure);
    expect(plain.files.find((f) => f.path.endsWith('fifo.conf'))).toMatchObject({ status: 'special' });
    expect(plain.files.find((f) => f.path.endsWith('out-link.conf'))).toMatchObject({ status: 'outside-root' });
  });

  it('check the root as checkRoot does: a missing root, a file, a root named through a link', () => {
    const root = hazardTree();
    const top = path.dirname(root);
    expect(() => loadTree(path.join(top, 'nothing'), { profile: 'debian' })).toThrow(/the tree root .*nothing does not exist/);
    expect(() => loadTree(path.join(top, 'outside.conf'), { profile: 'debian' })).toThrow(/outside\.conf is not a directory/);
    symlinkSync('root', path.join(top, 'alias'));
    const viaLink = loadTree(path.join(top, 'alias'), { profile: 'debian' });
    expect(viaLink.root).toBe(path.join(top, 'alias'));
    expect(viaLink.files.map((f) => [f.path, f.status])).toEqual(loadTree(root, { profile: 'debian' }).files.map((f) => [f.path, f.status]));
  });

  it('read from the directories it opened: one open per directory for the whole scope', () => {
    const root = hazardTree();
    const text = withTreeScope(root, () => {
      expect(readFileInRoot(root, 'etc/security/limits.conf').ok).toBe(true);
      // the directory is moved away after the scope opened it: the scope still reads through it,
      // where a read outside a scope resolves the path again and finds nothing
      renameSync(path.join(root, 'etc'), path.join(root, 'etc.moved'));
      const r = readFileInRoot(root, 'etc/security/limits.conf');
      return r.ok ? r.bytes.toString() : r.failure.kind;
    });
    expect(text).toBe('admin soft nproc 5\n');
    expect(readFileInRoot(root, 'etc/security/limits.conf')).toMatchObject({ ok: false, failure: { kind: 'missing' } });
  });
});

describe('displayIn', () => {
  it('shows a file of a tree as displayPath(cwd, join(root, rel)) does', () => {
    const reference = (root: string, cwd: string, rel: string) => {
      const abs = path.join(root, rel);
      const r = path.relative(cwd, abs);
      return { shown: r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? abs : r, abs };
    };
    const roots = ['/w/repo/hosts/a', '/w/repo/hosts/a/', '/w/repo', '/w', '/', '/w/other/b', '/w/repo/..x/t', '/w/re'];
    const cwds = ['/w/repo', '/w/repo/hosts', '/w/repo/hosts/a', '/w/repo/hosts/a/etc', '/', '/w/rep', '/elsewhere'];
    const rels = ['etc/security/limits.conf', 'limits.d/x.conf', '..x.conf', 'etc/../x', 'a//b', './a', 'a/.', '', '.', '/etc/x', 'a\\b', 'a/\n/b'];
    for (const root of roots) {
      for (const cwd of cwds) {
        const display = displayIn(root, cwd);
        for (const rel of rels) expect([root, cwd, rel, display(rel)]).toEqual([root, cwd, rel, reference(root, cwd, rel)]);
      }
    }
  });
});

describe('a tree scope near the descriptor limit', () => {
  // A scope keeps a tree's directories open for the whole load; a read that takes the general way
  // beside it needs descriptors of its own. Near RLIMIT_NOFILE (`ulimit -n 22`) that made a
  // limits.d readable without a scope unreadable (EMFILE) with one: `get` printed "inherited"
  // values and exited 0. At every limit the CLI must print what it prints with descriptors to
  // spare, or refuse (exit 2, EMFILE named): never other values with success.
  it('gives the same values at every RLIMIT_NOFILE from 16 to 120, or refuses', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-scope-fds-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'etc/security/limits.d'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), '* soft nofile 1\n');
    writeFileSync(path.join(root, 'etc/security/limits.d/a.conf'), '* soft core 0\n* soft core 0\n');
    writeFileSync(path.join(root, 'etc/security/limits.d/b.conf'), 'root hard core 5\n');
    writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const bin = path.join(__dirname, '../../bin/limitsctl.js');
    const run = (n: number | null) => spawnSync('/bin/sh', ['-c', `${n === null ? '' : `ulimit -n ${n} && `}exec "$0" "$@"`, process.execPath, bin, 'get', 'core', '--user', 'root', '--root', root], { encoding: 'utf8' });
    const want = run(null);
    expect(want.status).toBe(0);
    expect(want.stdout).toMatch(/soft 0 KiB \(limits\.d\/a\.conf:2 \*\)\s+hard 5 KiB \(limits\.d\/b\.conf:1 root\)/);
    let same = 0;
    let started = false;
    for (let n = 16; n <= 120; n++) {
      const r = run(n);
      // the lowest limits leave too few for node itself: it crashes, or cannot open the program
      // file, before any of limitsctl runs (and with more, it always starts)
      const nodeFailed = r.status === null || (r.status === 1 && r.stderr.includes(`open '${bin}'`));
      if (!started && nodeFailed) continue;
      started = true;
      if (r.status === 0) {
        expect({ n, stdout: r.stdout, stderr: r.stderr }).toEqual({ n, stdout: want.stdout, stderr: want.stderr });
        same++;
      } else {
        // too few to read the tree at all: a refusal naming the cause, never a finding
        expect({ n, status: r.status, emfile: /EMFILE|too many open files/i.test(r.stderr) }).toEqual({ n, status: 2, emfile: true });
      }
    }
    // most limits of the range read the tree (the check above is not vacuous)
    expect(same).toBeGreaterThan(80);
  }, 120_000);
});
