/**
 * Unit tests of the safe-write module (src/io/write.ts): atomic replacement, metadata, symlinks,
 * the root boundary, backups, error reporting and cleanup, optimistic concurrency, multi-file writes.
 *
 * Some tests need root or kernel features (chown to other ids, chattr +i, mount namespaces);
 * where those are missing they are skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import { watch, writeFileSync } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKUP_FILE_PATTERN,
  ConcurrentModificationError,
  LimitsIoError,
  OutsideRootError,
  SplicedBytes,
  TEMP_FILE_PATTERN,
  backupFileName,
  cleanStaleTempFiles,
  readFileSnapshot,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../src/io/write.js';
import { resolveInRoot } from '../../src/io/paths.js';
import { sha256 } from '../../src/io/write-journal.js';
import { useIoModule } from './helpers/module.js';

const isRoot = process.getuid?.() === 0;
const roots: string[] = [];
const mod = useIoModule();

afterEach(async () => {
  for (const r of roots.splice(0)) {
    spawnSync('chattr', ['-R', '-i', r], { stdio: 'ignore' });
    spawnSync('chmod', ['-R', 'u+w', r], { stdio: 'ignore' });
    await rm(r, { recursive: true, force: true });
  }
});

/** A fresh tree root with etc/security (and limits.d unless told otherwise). */
async function makeRoot(withDropins = true): Promise<{ root: string; sec: string; dropins: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'limitsctl-write-'));
  roots.push(root);
  await chmod(root, 0o755);
  const sec = path.join(root, 'etc', 'security');
  await mkdir(sec, { recursive: true });
  await chmod(path.join(root, 'etc'), 0o755);
  await chmod(sec, 0o755);
  const dropins = path.join(sec, 'limits.d');
  if (withDropins) await mkdir(dropins, { mode: 0o755 });
  return { root, sec, dropins };
}

const b = (s: string) => Buffer.from(s, 'utf8');

/** Names in `dir` that are temp files of the module. */
async function temps(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => TEMP_FILE_PATTERN.test(n));
}

async function expectIoError(p: Promise<unknown>): Promise<LimitsIoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LimitsIoError);
    return e as LimitsIoError;
  }
  throw new Error('expected the write to fail, but it succeeded');
}

/** Run a helper in a child process and parse its one JSON line. */
function runOp(args: string[], opts: { uid?: number; gid?: number } = {}): { ok: boolean; code?: string; path?: string; message?: string; result?: unknown } {
  const r = spawnSync(process.execPath, [mod.helper('io-op.mjs'), ...args], { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`io-op failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function skipNote(ctx: { skip: (cond: boolean, note?: string) => void }, cond: boolean, why: string): void {
  if (cond) console.warn(`[skipped] ${why}`);
  ctx.skip(cond, why);
}

describe('atomic replacement and metadata', () => {
  it('replaces the content through a new inode, leaving no temp file', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    const before = await stat(f);
    const r = await writeFileAtomic(f, b('new\n'), { root });
    expect(r).toMatchObject({ path: f, realPath: f, changed: true, created: false });
    expect(await readFile(f, 'utf8')).toBe('new\n');
    expect((await stat(f)).ino).not.toBe(before.ino); // renamed over, not written in place
    expect(await temps(sec)).toEqual([]);
  });

  it('creates a new file 0644 and a missing limits.d 0755 even under umask 077', async () => {
    const { root, sec } = await makeRoot(false);
    const old = process.umask(0o077);
    try {
      const f = path.join(sec, 'limits.d', '50-new.conf');
      const r = await writeFileAtomic(f, b('* soft nofile 1024\n'), { root });
      expect(r).toMatchObject({ changed: true, created: true });
      expect((await stat(f)).mode & 0o7777).toBe(0o644);
      expect((await stat(path.join(sec, 'limits.d'))).mode & 0o7777).toBe(0o755);
      const top = path.join(sec, 'limits.conf');
      await writeFileAtomic(top, b('x\n'), { root });
      expect((await stat(top)).mode & 0o7777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });

  it('keeps the mode of the existing file (including special bits)', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    // 0444: root writes it like `sudoedit` would; anybody else gets EACCES (see the EACCES tests)
    for (const mode of isRoot ? [0o600, 0o640, 0o2750, 0o444] : [0o600, 0o640, 0o2750]) {
      await writeFile(f, 'old\n');
      await chmod(f, mode);
      await writeFileAtomic(f, b(`new ${mode}\n`), { root });
      expect((await stat(f)).mode & 0o7777, `mode ${mode.toString(8)}`).toBe(mode);
      expect(await readFile(f, 'utf8')).toBe(`new ${mode}\n`);
    }
  });

  it('keeps owner and group (chown 1234:5678, as root)', async (ctx) => {
    skipNote(ctx, !isRoot, 'chown to other ids needs root');
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    await chown(f, 1234, 5678);
    await chmod(f, 0o6640); // chown clears setuid/setgid: they must survive anyway
    await writeFileAtomic(f, b('new\n'), { root });
    const st = await stat(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 5678, 0o6640]);
    expect(await readFile(f, 'utf8')).toBe('new\n');
  });

  it('writes content given as byte ranges (SplicedBytes) exactly as the joined bytes, and compares it so', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    const old = b('* soft nofile 1024\n* hard nofile 4096\n');
    await writeFile(f, old);
    // an edit's shape: the old bytes around a new middle, the ranges views of the old buffer
    const data = new SplicedBytes([old.subarray(0, 14), b('2048'), old.subarray(18), b('')]);
    expect(data.byteLength).toBe(old.length);
    const r = await writeFileAtomic(f, data, { root, expected: old });
    expect(r.changed).toBe(true);
    expect(await readFile(f, 'utf8')).toBe('* soft nofile 2048\n* hard nofile 4096\n');
    expect(await temps(sec)).toEqual([]);
    // the same content again, as ranges: nothing to write
    const now = await readFile(f);
    const again = await writeFileAtomic(f, new SplicedBytes([now.subarray(0, 5), now.subarray(5)]), { root, expected: now });
    expect(again.changed).toBe(false);
    // ranges of the right length but other bytes are not "the same"
    const other = await writeFileAtomic(f, new SplicedBytes([now.subarray(0, 5), b('X'), now.subarray(6)]), { root, expected: now });
    expect(other.changed).toBe(true);
    expect((await readFile(f, 'utf8')).slice(0, 7)).toBe('* sofX ');
  });

  it('writes several files given as byte ranges in one journalled change; its hashes are those of the joined bytes', async () => {
    const { root, sec, dropins } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    const g = path.join(dropins, 'a.conf');
    await writeFile(f, 'aaa\n');
    await writeFile(g, 'bbb\n');
    const r = await writeFilesAtomic([
      { path: f, data: new SplicedBytes([b('a'), b('X'), b('a\n')]), expected: b('aaa\n') },
      { path: g, data: new SplicedBytes([b('bbb\n'), b('more\n')]), expected: b('bbb\n') },
    ], { root });
    expect(r.map((x) => x.changed)).toEqual([true, true]);
    expect(await readFile(f, 'utf8')).toBe('aXa\n');
    expect(await readFile(g, 'utf8')).toBe('bbb\nmore\n');
    expect(sha256([b('ab'), b(''), b('c')])).toBe(sha256(b('abc')));
  });

  it('does nothing when the content is already the same', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'same\n');
    const before = await stat(f);
    const r = await writeFileAtomic(f, b('same\n'), { root, backup: true });
    expect(r.changed).toBe(false);
    expect(r.backupPath).toBeUndefined();
    expect((await stat(f)).ino).toBe(before.ino);
    expect(await readdir(sec)).toEqual(['limits.conf', 'limits.d']);
  });
});

describe('symlinks and the tree root', () => {
  it('writes through a relative symlink to its target inside the root; the link stays', async () => {
    const { root, sec, dropins } = await makeRoot();
    await mkdir(path.join(sec, 'shared'));
    const target = path.join(sec, 'shared', 'real.conf');
    await writeFile(target, 'old\n');
    await chmod(target, 0o640);
    const link = path.join(dropins, '10-link.conf');
    await symlink('../shared/real.conf', link);
    const r = await writeFileAtomic(link, b('new\n'), { root });
    expect(r.realPath).toBe(target);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('../shared/real.conf');
    expect(await readFile(target, 'utf8')).toBe('new\n');
    expect((await stat(target)).mode & 0o7777).toBe(0o640);
    expect(await temps(dropins)).toEqual([]);
    expect(await temps(path.join(sec, 'shared'))).toEqual([]);
  });

  it('writes through an absolute symlink (and a chain of links) inside the root', async () => {
    const { root, sec, dropins } = await makeRoot();
    const target = path.join(sec, 'real.conf');
    await writeFile(target, 'old\n');
    const mid = path.join(sec, 'mid.conf');
    await symlink(target, mid); // absolute
    const link = path.join(dropins, '20-abs.conf');
    await symlink(mid, link); // absolute, to another link
    await writeFileAtomic(link, b('new\n'), { root });
    expect(await readlink(link)).toBe(mid);
    expect(await readlink(mid)).toBe(target);
    expect(await readFile(target, 'utf8')).toBe('new\n');
  });

  it('creates the target of a dangling symlink inside the root', async () => {
    const { root, sec, dropins } = await makeRoot();
    const link = path.join(dropins, '30-dangling.conf');
    await symlink('../vendor/x.conf', link); // etc/security/vendor does not exist yet
    const r = await writeFileAtomic(link, b('new\n'), { root });
    expect(r).toMatchObject({ created: true, realPath: path.join(sec, 'vendor', 'x.conf') });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(sec, 'vendor', 'x.conf'), 'utf8')).toBe('new\n');
  });

  it('refuses symlinks that climb out of the root, writing nothing', async () => {
    const { root, dropins } = await makeRoot();
    const outside = await mkdtemp(path.join(tmpdir(), 'limitsctl-outside-'));
    roots.push(outside);
    const victim = path.join(outside, 'victim.conf');
    await writeFile(victim, 'untouched\n');
    const cases: Array<[string, string]> = [
      ['41-rel.conf', path.relative(dropins, victim)], // ../../../../<outside>/victim.conf
      ['42-dangling.conf', path.relative(dropins, path.join(outside, 'new.conf'))],
      ['43-far.conf', '../'.repeat(40) + 'x.conf'],
    ];
    for (const [name, target] of cases) {
      const link = path.join(dropins, name);
      await symlink(target, link);
      const e = await expectIoError(writeFileAtomic(link, b('evil\n'), { root }));
      expect(e).toBeInstanceOf(OutsideRootError);
      expect(e.code).toBe('EOUTSIDEROOT');
      expect(e.path).toBe(link);
      expect(e.message).toContain(link);
      expect(e.message).toMatch(/outside the tree root/);
      await expect(readFileSnapshot(link, { root })).rejects.toBeInstanceOf(OutsideRootError);
    }
    // a symlinked directory on the way counts too
    await symlink(path.relative(dropins, outside), path.join(dropins, 'sub'));
    const e = await expectIoError(writeFileAtomic(path.join(dropins, 'sub', 'victim.conf'), b('evil\n'), { root }));
    expect(e.code).toBe('EOUTSIDEROOT');
    // and a plain path outside the root, or the root itself
    expect((await expectIoError(writeFileAtomic(victim, b('evil\n'), { root }))).code).toBe('EOUTSIDEROOT');
    expect((await expectIoError(writeFileAtomic(path.join(root, 'etc', '..', '..', 'x'), b('e'), { root }))).code).toBe('EOUTSIDEROOT');
    expect((await expectIoError(writeFileAtomic(root, b('e'), { root }))).code).toBe('EOUTSIDEROOT');
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
    expect(await readdir(outside)).toEqual(['victim.conf']);
    expect(await temps(dropins)).toEqual([]);
  });

  it('reads absolute link targets as the tree sees them (chroot-style), never the host\'s', async () => {
    const { root, sec, dropins } = await makeRoot();
    await mkdir(path.join(sec, 'shared'));
    const inTree = path.join(sec, 'shared', 'real.conf');
    await writeFile(inTree, 'old\n');
    const link = path.join(dropins, '50-abs.conf');
    await symlink('/etc/security/shared/real.conf', link); // the tree's /etc, not the host's
    const r = await writeFileAtomic(link, b('new\n'), { root });
    expect(r.realPath).toBe(inTree);
    expect(await readFile(inTree, 'utf8')).toBe('new\n');
    expect(await readlink(link)).toBe('/etc/security/shared/real.conf');

    // an absolute target naming a host path outside the tree lands inside the tree
    const outside = await mkdtemp(path.join(tmpdir(), 'limitsctl-outside-'));
    roots.push(outside);
    const victim = path.join(outside, 'victim.conf');
    await writeFile(victim, 'untouched\n');
    const link2 = path.join(dropins, '51-host.conf');
    await symlink(victim, link2);
    const r2 = await writeFileAtomic(link2, b('new\n'), { root });
    expect(r2).toMatchObject({ created: true, realPath: path.join(root, victim) });
    expect(await readFile(path.join(root, victim), 'utf8')).toBe('new\n');
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
  });

  it('resolves links exactly like the tree reader (src/io/paths.ts)', async () => {
    const { root, sec, dropins } = await makeRoot();
    await mkdir(path.join(sec, 'shared'));
    await writeFile(path.join(sec, 'shared', 'a.conf'), 'a\n');
    await symlink('shared', path.join(sec, 'sharedlink'));
    const links: Record<string, string> = {
      'rel.conf': '../shared/a.conf',
      'abs-tree.conf': '/etc/security/shared/a.conf',
      'abs-host.conf': path.join(sec, 'shared', 'a.conf'),
      'via-dirlink.conf': '../sharedlink/a.conf',
      'dotdot-after-dirlink.conf': '../sharedlink/../shared/a.conf',
      'dangling.conf': '../missing/dir/x.conf',
      'abs-dangling.conf': '/usr/share/pam/x.conf',
      'chain.conf': 'rel.conf',
      'escape.conf': '../../../../../../../x.conf',
      'root-climb.conf': '/../../etc/x.conf',
    };
    for (const [name, target] of Object.entries(links)) await symlink(target, path.join(dropins, name));
    for (const name of Object.keys(links)) {
      const rel = `etc/security/limits.d/${name}`;
      let reader: { rel: string; missing: boolean } | 'outside';
      try {
        const r = resolveInRoot(root, rel);
        reader = { rel: r.rel, missing: r.missing };
      } catch (e) {
        expect((e as { code?: string }).code, name).toBe('EOUTSIDEROOT');
        reader = 'outside';
      }
      let writer: { rel: string; missing: boolean } | 'outside';
      try {
        const w = await readFileSnapshot(path.join(root, rel), { root });
        writer = { rel: path.relative(root, w.realPath), missing: !w.exists };
      } catch (e) {
        expect(e, name).toBeInstanceOf(OutsideRootError);
        writer = 'outside';
      }
      expect(writer, name).toEqual(reader);
    }
  });

  it('rejects a relative or missing root', async () => {
    const { sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    expect((await expectIoError(writeFileAtomic(f, b('x'), { root: 'relative/root' }))).code).toBe('EBADROOT');
    expect((await expectIoError(writeFileAtomic(f, b('x'), { root: path.join(sec, 'nope') }))).code).toBe('EBADROOT');
  });
});

describe('backups', () => {
  it('saves the old content with its mode, only when something changes, never as *.conf', async () => {
    const { root, dropins } = await makeRoot();
    const f = path.join(dropins, '90-x.conf');
    await writeFile(f, 'v1\n');
    await chmod(f, 0o640);
    if (isRoot) await chown(f, 1234, 5678);
    const now = () => new Date('2025-03-04T05:06:07.890Z');

    const same = await writeFileAtomic(f, b('v1\n'), { root, backup: true, now });
    expect(same.backupPath).toBeUndefined();
    expect(await readdir(dropins)).toEqual(['90-x.conf']);

    const r1 = await writeFileAtomic(f, b('v2\n'), { root, backup: true, now });
    expect(r1.backupPath).toBe(path.join(dropins, '90-x.conf.20250304T050607Z.bak'));
    const r2 = await writeFileAtomic(f, b('v3\n'), { root, backup: true, now }); // same second
    expect(r2.backupPath).toBe(path.join(dropins, '90-x.conf.20250304T050607Z.1.bak'));
    expect(await readFile(r1.backupPath as string, 'utf8')).toBe('v1\n');
    expect(await readFile(r2.backupPath as string, 'utf8')).toBe('v2\n');
    expect(await readFile(f, 'utf8')).toBe('v3\n');
    for (const bak of [r1.backupPath, r2.backupPath] as string[]) {
      const st = await stat(bak);
      expect(st.mode & 0o7777).toBe(0o640);
      if (isRoot) expect([st.uid, st.gid]).toEqual([1234, 5678]);
      expect(path.basename(bak).endsWith('.conf')).toBe(false); // pam_limits reads only *.conf
      expect(BACKUP_FILE_PATTERN.exec(path.basename(bak))?.[1]).toBe('90-x.conf');
    }
    // no backup without the option, none for a new file
    const r3 = await writeFileAtomic(f, b('v4\n'), { root, now });
    expect(r3.backupPath).toBeUndefined();
    const r4 = await writeFileAtomic(path.join(dropins, 'new.conf'), b('n\n'), { root, backup: true, now });
    expect(r4.backupPath).toBeUndefined();
    expect((await readdir(dropins)).sort()).toEqual(
      ['90-x.conf', '90-x.conf.20250304T050607Z.1.bak', '90-x.conf.20250304T050607Z.bak', 'new.conf'].sort(),
    );
  });

  it('names backups deterministically', () => {
    expect(backupFileName('limits.conf', new Date('2024-12-31T23:59:59.999Z'))).toBe('limits.conf.20241231T235959Z.bak');
    expect(backupFileName('limits.conf', new Date('2024-12-31T23:59:59Z'), 2)).toBe('limits.conf.20241231T235959Z.2.bak');
  });
});

describe('optimistic concurrency', () => {
  it('throws ConcurrentModificationError when the file changed since it was read', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'planned-from\n');
    const snap = await readFileSnapshot(f, { root });
    await writeFile(f, 'someone else\n'); // in place, same inode
    for (const expected of [snap, snap.data, snap.stamp]) {
      const e = await expectIoError(writeFileAtomic(f, b('mine\n'), { root, expected }));
      expect(e).toBeInstanceOf(ConcurrentModificationError);
      expect(e.code).toBe('ECONFLICT');
      expect(e.path).toBe(f);
      expect(await readFile(f, 'utf8')).toBe('someone else\n');
    }
    expect(await temps(sec)).toEqual([]);
    // re-planning from the new state succeeds
    const again = await readFileSnapshot(f, { root });
    await writeFileAtomic(f, b('mine\n'), { root, expected: again });
    expect(await readFile(f, 'utf8')).toBe('mine\n');
  });

  it('a same-size change since the read is a conflict before anything is made: no directory created, no directory mtime changed', async () => {
    // the first file's old content differs (same size); the second file needs a new directory:
    // the conflict must be found before either is planned further (no pin link in etc/security,
    // no limits.d/new made and removed), and be the error reported
    const { root, sec, dropins } = await makeRoot(true);
    const top = path.join(sec, 'limits.conf');
    await writeFile(top, 'AAAA\n');
    const mtimes = async () => Promise.all([sec, dropins].map(async (d) => (await stat(d, { bigint: true })).mtimeNs));
    const before = await mtimes();
    await new Promise((r) => setTimeout(r, 20));
    const e = await expectIoError(writeFilesAtomic(
      [{ path: top, data: b('CCCC\n'), expected: b('BBBB\n') }, { path: path.join(dropins, 'new', 'x.conf'), data: b('x\n'), expected: null }],
      { root },
    ));
    expect(e).toBeInstanceOf(ConcurrentModificationError);
    expect(e.path).toBe(top);
    expect(await mtimes()).toEqual(before);
    expect(await readdir(dropins)).toEqual([]);
    expect(await readFile(top, 'utf8')).toBe('AAAA\n');
  });

  it('a same-size change since the read is found on the pinned file: ECONFLICT, every file as it was, nothing left', async () => {
    // the old content is compared once the file is pinned (not read before): a change that keeps
    // the size must still stop the whole commit, with the links, temp files and backups removed
    const { root, sec } = await makeRoot(false);
    const top = path.join(sec, 'limits.conf');
    await writeFile(top, 'old\n');
    const other = path.join(sec, 'other.conf');
    await writeFile(other, 'planned\n');
    const snap = await readFileSnapshot(other, { root });
    await writeFile(other, 'PLANNED\n'); // in place, same size
    for (const expected of [snap, snap.data]) {
      const e = await expectIoError(writeFilesAtomic(
        [{ path: top, data: b('new\n'), expected: b('old\n') }, { path: other, data: b('mine\n'), expected }],
        { root, backup: true },
      ));
      expect(e).toBeInstanceOf(ConcurrentModificationError);
      expect(e.path).toBe(other);
      expect(await readFile(top, 'utf8')).toBe('old\n');
      expect(await readFile(other, 'utf8')).toBe('PLANNED\n');
      expect((await readdir(sec)).sort()).toEqual(['limits.conf', 'other.conf']);
    }
    // a file larger than one comparison piece (256 KiB): a difference in its last byte, or one
    // byte more or less, is a conflict; the exact old content is written over
    const big = path.join(sec, 'big.conf');
    const old = Buffer.alloc(600_000, 'x');
    await writeFile(big, old);
    for (const wrong of [Buffer.concat([old.subarray(0, -1), b('y')]), old.subarray(1), Buffer.concat([old, b('x')])]) {
      const c = await expectIoError(writeFileAtomic(big, b('mine\n'), { root, expected: wrong }));
      expect(c.code).toBe('ECONFLICT');
    }
    expect((await readFile(big)).equals(old)).toBe(true);
    await writeFileAtomic(big, b('mine\n'), { root, expected: Buffer.from(old) });
    expect(await readFile(big, 'utf8')).toBe('mine\n');
    // the new content already there, planned from other bytes: still a conflict, not "unchanged"
    const e = await expectIoError(writeFileAtomic(other, b('PLANNED\n'), { root, expected: b('planned\n') }));
    expect(e.code).toBe('ECONFLICT');
  });

  it('re-checks just before the rename (a change while the new content is being written)', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'planned-from\n');
    const snap = await readFileSnapshot(f, { root });
    // As soon as our temp file appears, someone else edits the target.
    let fired = false;
    const watcher = watch(sec, (_event, name) => {
      if (!fired && name !== null && TEMP_FILE_PATTERN.test(String(name))) {
        fired = true;
        writeFileSync(f, 'edited meanwhile\n');
      }
    });
    try {
      const big = Buffer.alloc(8 << 20, 'x'); // keeps the temp file busy for a while
      const e = await expectIoError(writeFileAtomic(f, big, { root, expected: snap }));
      expect(fired).toBe(true);
      expect(e.code).toBe('ECONFLICT');
    } finally {
      watcher.close();
    }
    expect(await readFile(f, 'utf8')).toBe('edited meanwhile\n');
    expect(await temps(sec)).toEqual([]);
  });

  it('detects a replaced file by stamp even with the same size', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'aaaa\n');
    const st = await stat(f);
    await writeFile(`${f}.new`, 'bbbb\n');
    await utimes(`${f}.new`, st.atime, st.mtime);
    await rm(f);
    await writeFile(f, 'bbbb\n'); // new inode (probably), same size
    await utimes(f, st.atime, st.mtime);
    const e = await expectIoError(writeFileAtomic(f, b('mine\n'), { root, expected: st }));
    expect(e.code).toBe('ECONFLICT');
    await rm(`${f}.new`);
  });

  it('handles expected-absent and deleted files', async () => {
    const { root, dropins } = await makeRoot();
    const f = path.join(dropins, 'x.conf');
    const snap = await readFileSnapshot(f, { root });
    expect(snap).toMatchObject({ exists: false, data: null });
    await writeFile(f, 'created meanwhile\n');
    expect((await expectIoError(writeFileAtomic(f, b('mine\n'), { root, expected: snap }))).code).toBe('ECONFLICT');
    expect((await expectIoError(writeFileAtomic(f, b('mine\n'), { root, expected: null }))).code).toBe('ECONFLICT');
    const snap2 = await readFileSnapshot(f, { root });
    await rm(f);
    expect((await expectIoError(writeFileAtomic(f, b('mine\n'), { root, expected: snap2 }))).code).toBe('ECONFLICT');
    await expect(stat(f)).rejects.toThrow();
    expect(await readdir(dropins)).toEqual([]);
    // expected absent and still absent: fine
    await writeFileAtomic(f, b('mine\n'), { root, expected: null });
    expect(await readFile(f, 'utf8')).toBe('mine\n');
  });
});

describe('errors leave everything as it was', () => {
  it('parent is not a directory (ENOTDIR), target is a directory (EISDIR)', async () => {
    const { root, sec } = await makeRoot(false);
    await writeFile(path.join(sec, 'limits.d'), 'I am a file\n');
    const e = await expectIoError(writeFileAtomic(path.join(sec, 'limits.d', 'x.conf'), b('x'), { root }));
    expect(e.code).toBe('ENOTDIR');
    expect(e.message).toContain(path.join(sec, 'limits.d'));
    expect(e.message).toMatch(/not a directory/);
    await mkdir(path.join(sec, 'dir.conf'));
    const e2 = await expectIoError(writeFileAtomic(path.join(sec, 'dir.conf'), b('x'), { root }));
    expect(e2.code).toBe('EISDIR');
    expect((await readdir(sec)).sort()).toEqual(['dir.conf', 'limits.d']);
  });

  it('EACCES: an unprivileged user cannot write root-owned config; nothing left behind', async (ctx) => {
    const { root, sec, dropins } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    const data = Buffer.from('new\n').toString('base64');
    let results;
    if (isRoot) {
      // Root ignores permission bits: run the write as nobody (65534) in a child process.
      results = [
        runOp(['write', root, f, data], { uid: 65534, gid: 65534 }),
        runOp(['write', root, path.join(dropins, 'n.conf'), data], { uid: 65534, gid: 65534 }),
      ];
    } else {
      await chmod(sec, 0o555);
      await chmod(dropins, 0o555);
      await chmod(f, 0o444);
      results = [runOp(['write', root, f, data]), runOp(['write', root, path.join(dropins, 'n.conf'), data])];
      skipNote(ctx, results[0]?.code !== 'EACCES', 'permission bits are not enforced for this user');
    }
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.code).toBe('EACCES');
      expect(r.message).toMatch(/permission denied/);
      expect(r.message).toMatch(/root|sudo/);
    }
    expect(results[0]?.path).toBe(f);
    expect(await readFile(f, 'utf8')).toBe('old\n');
    expect(await readdir(dropins)).toEqual([]);
    expect(await temps(sec)).toEqual([]);
  });

  it('EACCES: a file the user may not write is refused even in a directory the user owns', async (ctx) => {
    skipNote(ctx, !isRoot, 'needs root to run a child as another user');
    const { root, sec } = await makeRoot();
    const own = path.join(sec, 'own');
    await mkdir(own);
    await chown(own, 65534, 65534);
    const ro = path.join(own, 'readonly.conf');
    await writeFile(ro, 'old\n');
    await chown(ro, 65534, 65534);
    await chmod(ro, 0o444);
    const foreign = path.join(own, 'root.conf');
    await writeFile(foreign, 'old\n'); // root-owned 0644
    const data = Buffer.from('new\n').toString('base64');
    for (const f of [ro, foreign]) {
      const r = runOp(['write', root, f, data], { uid: 65534, gid: 65534 });
      expect(r).toMatchObject({ ok: false, code: 'EACCES', path: f });
      expect(r.message).toContain(`make ${f} writable`);
      expect(await readFile(f, 'utf8')).toBe('old\n');
    }
    expect((await readdir(own)).sort()).toEqual(['readonly.conf', 'root.conf']);
  });

  it('EPERM: an immutable file or directory (chattr +i) is refused with a hint', async (ctx) => {
    const { root, sec, dropins } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    const probe = spawnSync('chattr', ['+i', f], { encoding: 'utf8' });
    skipNote(ctx, probe.status !== 0, `chattr +i unavailable here: ${probe.error?.message ?? probe.stderr.trim()}`);
    try {
      const e = await expectIoError(writeFileAtomic(f, b('new\n'), { root, backup: true }));
      expect(e.code).toBe('EPERM');
      expect(e.path).toBe(f);
      expect(e.message).toMatch(/chattr -i/);
      expect(await readFile(f, 'utf8')).toBe('old\n');
      expect((await readdir(sec)).sort()).toEqual(['limits.conf', 'limits.d']);

      expect(spawnSync('chattr', ['+i', dropins]).status).toBe(0);
      const e2 = await expectIoError(writeFileAtomic(path.join(dropins, 'x.conf'), b('new\n'), { root }));
      expect(e2.code).toBe('EPERM');
      expect(await readdir(dropins)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', f, dropins]);
    }
  });

  /** Run `script` (sh) in a private mount namespace; null when that is impossible here. */
  function inMountNamespace(script: string, env: Record<string, string>): string | null {
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', script], {
      encoding: 'utf8',
      env: { ...process.env, ...env, NODE: process.execPath, OP: mod.helper('io-op.mjs') },
    });
    if (r.error || r.status !== 0) {
      if (/mount|unshare|permission|Operation not permitted/i.test(`${r.stderr}${r.error?.message ?? ''}`)) return null;
      throw new Error(`namespace script failed (${r.status}): ${r.stderr}`);
    }
    return r.stdout;
  }

  it('EROFS: a read-only file system is reported; nothing changes', async (ctx) => {
    skipNote(ctx, !isRoot, 'mounting a read-only tmpfs needs root');
    const { root, dropins } = await makeRoot();
    const out = inMountNamespace(
      `mount -t tmpfs -o size=1m tmpfs "$D"
       printf 'old\\n' > "$D/x.conf"
       mount -o remount,ro "$D"
       "$NODE" "$OP" write "$ROOT" "$D/x.conf" "$(printf 'new\\n' | base64)"
       "$NODE" "$OP" write "$ROOT" "$D/y.conf" "$(printf 'new\\n' | base64)"
       echo ---; ls -a "$D"; echo ---; cat "$D/x.conf"`,
      { D: dropins, ROOT: root },
    );
    skipNote(ctx, out === null, 'mount namespaces (unshare -m) are not available here');
    const [ops, listing, content] = (out as string).split('---\n');
    for (const line of (ops as string).trim().split('\n')) {
      const r = JSON.parse(line);
      expect(r).toMatchObject({ ok: false, code: 'EROFS' });
      expect(r.message).toMatch(/read-only/);
    }
    expect((listing as string).trim().split('\n').sort()).toEqual(['.', '..', 'x.conf']);
    expect(content).toBe('old\n');
  });

  it('ENOSPC: a full file system fails the write, cleans the temp file, keeps the old content', async (ctx) => {
    skipNote(ctx, !isRoot, 'mounting a small tmpfs needs root');
    const { root, sec, dropins } = await makeRoot();
    const top = path.join(sec, 'limits.conf');
    await writeFile(top, 'top old\n');
    const big = path.join(root, 'big.bin');
    await writeFile(big, Buffer.alloc(1 << 20, 'x'));
    const spec = path.join(root, 'spec.json');
    await writeFile(
      spec,
      JSON.stringify([
        { path: top, data: Buffer.from('top new\n').toString('base64') }, // fine on its own
        { path: path.join(dropins, 'x.conf'), data: `@${big}` }, // does not fit
      ]),
    );
    const out = inMountNamespace(
      `mount -t tmpfs -o size=64k tmpfs "$D"
       printf 'old\\n' > "$D/x.conf"
       "$NODE" "$OP" write "$ROOT" "$D/x.conf" "@$BIG"
       "$NODE" "$OP" writemany "$ROOT" "@$SPEC"
       echo ---; ls -a "$D"; echo ---; cat "$D/x.conf"`,
      { D: dropins, ROOT: root, BIG: big, SPEC: spec },
    );
    skipNote(ctx, out === null, 'mount namespaces (unshare -m) are not available here');
    const [ops, listing, content] = (out as string).split('---\n');
    for (const line of (ops as string).trim().split('\n')) {
      const r = JSON.parse(line);
      expect(r).toMatchObject({ ok: false, code: 'ENOSPC' });
      expect(r.message).toMatch(/no space left/);
    }
    expect((listing as string).trim().split('\n').sort()).toEqual(['.', '..', 'x.conf']);
    expect(content).toBe('old\n');
    // the multi-file write renamed nothing: limits.conf (on the big disk) is unchanged too
    expect(await readFile(top, 'utf8')).toBe('top old\n');
    expect(await temps(sec)).toEqual([]);
  });

  it('removes temp files left by dead writers, keeps those of live ones', async () => {
    const { root, sec } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    // a pid that certainly is dead: a child that already exited
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const stale = path.join(sec, `.limits.conf.limitsctl-${deadPid}-0badc0de.tmp`);
    const live = path.join(sec, `.limits.conf.limitsctl-1-0badc0de.tmp`); // pid 1 is alive
    const other = path.join(sec, '.limits.conf.swp');
    for (const p of [stale, live, other]) await writeFile(p, 'junk');
    await writeFileAtomic(f, b('new\n'), { root });
    expect((await readdir(sec)).sort()).toEqual(
      ['.limits.conf.swp', path.basename(live), 'limits.conf', 'limits.d'].sort(),
    );
    // an hour-old temp goes even if its pid is alive
    await utimes(live, new Date(Date.now() - 2 * 3600e3), new Date(Date.now() - 2 * 3600e3));
    expect(await cleanStaleTempFiles(sec)).toEqual([live]);
  });
});

describe('writeFilesAtomic', () => {
  it('writes every file and reports in input order', async () => {
    const { root, sec, dropins } = await makeRoot();
    const files = [
      { path: path.join(dropins, 'b.conf'), data: b('b\n') },
      { path: path.join(sec, 'limits.conf'), data: b('main\n') },
      { path: path.join(dropins, 'a.conf'), data: b('a\n') },
    ];
    await writeFile(files[1]!.path, 'old main\n');
    const res = await writeFilesAtomic(files, { root });
    expect(res.map((r) => r.path)).toEqual(files.map((f) => f.path));
    expect(res.map((r) => r.created)).toEqual([true, false, true]);
    for (const f of files) expect(await readFile(f.path, 'utf8')).toBe(f.data.toString());
  });

  it('renames nothing when a later file fails, and removes what was prepared', async () => {
    const { root, sec } = await makeRoot(false);
    const top = path.join(sec, 'limits.conf');
    await writeFile(top, 'old\n');
    const other = path.join(sec, 'other.conf');
    await writeFile(other, 'other old\n');
    const snap = await readFileSnapshot(other, { root });
    await writeFile(other, 'changed by someone\n');
    const e = await expectIoError(
      writeFilesAtomic(
        [
          { path: top, data: b('new\n') },
          { path: path.join(sec, 'limits.d', 'new.conf'), data: b('new\n') }, // would create limits.d
          { path: other, data: b('mine\n'), expected: snap }, // conflicts
        ],
        { root, backup: true },
      ),
    );
    expect(e.code).toBe('ECONFLICT');
    expect(await readFile(top, 'utf8')).toBe('old\n');
    expect((await readdir(sec)).sort()).toEqual(['limits.conf', 'other.conf']); // no limits.d, no temps, no backups
  });

  it('refuses the same file twice (also via a symlink)', async () => {
    const { root, sec, dropins } = await makeRoot();
    const f = path.join(sec, 'limits.conf');
    await writeFile(f, 'old\n');
    await symlink('../limits.conf', path.join(dropins, 'alias.conf'));
    const e = await expectIoError(
      writeFilesAtomic(
        [
          { path: f, data: b('1\n') },
          { path: path.join(dropins, 'alias.conf'), data: b('2\n') },
        ],
        { root },
      ),
    );
    expect(e.code).toBe('EDUPLICATE');
    expect(await readFile(f, 'utf8')).toBe('old\n');
  });
});
