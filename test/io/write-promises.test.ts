/**
 * The write guarantees of docs/editing.md ("What a write guarantees"), each shown on a real tree
 * with real processes: a directory swapped for a symlink mid-write, a foreign change right before
 * the rename, SIGKILL between the renames of a two-file apply / lint --fix, ACLs and xattrs, hard
 * links, a FIFO at the lock path, a dangling `missing/..` link, and the Ansible module's empty root.
 *
 * Processes are stopped at a precise point with the write module's test-only hooks
 * (LIMITSCTL_TEST_PAUSE_BEFORE_RENAME / _BETWEEN_RENAMES: the process creates the named file and
 * waits for `<file>.go`). CLI runs use the built dist/ (`npm run build` first).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JOURNAL_RELATIVE_PATH,
  LOCK_RELATIVE_PATH,
  TEMP_FILE_PATTERN,
  withTreeLock,
  writeFileAtomic,
} from '../../src/io/write.js';
import { BIN, REPO, cli } from '../cli/helpers.js';
import { waitFor } from './helpers/children.js';
import { useIoModule } from './helpers/module.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
const mod = useIoModule();

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(d);
  await chmod(d, 0o755);
  return d;
}

/** A tree with etc/security/limits.conf (content `conf`) and limits.d. */
async function makeTree(conf = '# limits\n'): Promise<{ root: string; sec: string; dropins: string; conf: string }> {
  const root = await tempDir('limitsctl-promise-');
  const sec = path.join(root, 'etc', 'security');
  const dropins = path.join(sec, 'limits.d');
  await mkdir(dropins, { recursive: true });
  await writeFile(path.join(sec, 'limits.conf'), conf);
  await writeFile(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\ncarol:x:1002:1002::/home/carol:/bin/sh\n');
  await writeFile(path.join(root, 'etc', 'group'), 'root:x:0:\nadmin:x:1000:\nbob:x:1001:\ncarol:x:1002:\n');
  return { root, sec, dropins, conf: path.join(sec, 'limits.conf') };
}

function skipNote(ctx: { skip: (cond: boolean, note?: string) => void }, cond: boolean, why: string): void {
  if (cond) console.warn(`[skipped] ${why}`);
  ctx.skip(cond, why);
}

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Running {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every name in the tree (relative), recursively. */
async function listTree(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push(r);
    if (e.isDirectory()) out.push(...(await listTree(dir, r)));
  }
  return out.sort();
}

describe('a directory swapped for a symlink mid-write', () => {
  it.each([
    ['after the paths were resolved', 'LIMITSCTL_TEST_PAUSE_AFTER_PLAN'],
    ['right before the rename', 'LIMITSCTL_TEST_PAUSE_BEFORE_RENAME'],
  ])('%s: never lands outside the root (and gives no outside file the tree file\'s owner)', async (_when, hook) => {
    const { root, dropins } = await makeTree();
    const target = path.join(dropins, '50-x.conf');
    await writeFile(target, 'old\n');
    if (isRoot) await chown(target, 4321, 4321);
    const outside = await tempDir('limitsctl-outside-');
    // same bytes as the tree file, so a content check alone cannot tell them apart
    await writeFile(path.join(outside, '50-x.conf'), 'old\n');
    const pause = path.join(root, 'pause');
    const p = run(process.execPath, [mod.helper('io-op.mjs'), 'write', root, target, b64('new\n'), b64('old\n')], { [hook]: pause });
    await waitFor(pause, p.child, 'the writer');
    // the attack: limits.d moved aside and replaced by a symlink to a directory outside the tree
    await rename(dropins, `${dropins}.moved`);
    await symlink(outside, dropins);
    await writeFile(`${pause}.go`, '');
    const r = await p.done;
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ok: boolean; code?: string };
    expect(out.ok, r.stdout).toBe(false);
    expect(out.code).toBe('ECONFLICT'); // re-plan, never write
    expect(await readFile(path.join(outside, '50-x.conf'), 'utf8')).toBe('old\n');
    expect(await readdir(outside)).toEqual(['50-x.conf']);
    const st = await stat(path.join(outside, '50-x.conf'));
    expect(st.uid).toBe(process.getuid?.());
    expect(await readFile(path.join(`${dropins}.moved`, '50-x.conf'), 'utf8')).toBe('old\n');
    expect((await readdir(`${dropins}.moved`)).filter((n) => TEMP_FILE_PATTERN.test(n))).toEqual([]);
  }, 60_000);

  it('set through the CLI re-plans after the swap and still writes nothing outside', async () => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n');
    const outside = await tempDir('limitsctl-outside-');
    await writeFile(path.join(outside, 'limits.conf'), 'victim\n');
    const pause = path.join(root, 'pause');
    const p = run(process.execPath, [BIN, 'set', 'nproc', '6', '--user', 'admin', '--root', root], { LIMITSCTL_TEST_PAUSE_BEFORE_RENAME: pause });
    await waitFor(pause, p.child, 'limitsctl set');
    await rename(sec, `${sec}.moved`);
    await symlink(path.relative(path.dirname(sec), outside), sec); // relative: leaves the root
    await writeFile(`${pause}.go`, '');
    const r = await p.done;
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/outside the tree root/);
    expect(await readdir(outside)).toEqual(['limits.conf']);
    expect(await readFile(path.join(outside, 'limits.conf'), 'utf8')).toBe('victim\n');
    expect(await readFile(path.join(`${sec}.moved`, 'limits.conf'), 'utf8')).toBe('admin - nproc 5\n');
    void conf;
  }, 60_000);
});

describe('a foreign change right before the rename', () => {
  it('is detected by the module: nothing overwritten (same size, in place)', async () => {
    const { root, dropins } = await makeTree();
    const target = path.join(dropins, '50-x.conf');
    await writeFile(target, 'admin - nproc 5\n');
    const pause = path.join(root, 'pause');
    const p = run(process.execPath, [mod.helper('io-op.mjs'), 'write', root, target, b64('admin - nproc 6\n'), b64('admin - nproc 5\n')], {
      LIMITSCTL_TEST_PAUSE_BEFORE_RENAME: pause,
    });
    await waitFor(pause, p.child, 'the writer');
    // a real second writer edits the file in place, same size
    const w = spawnSync('sh', ['-c', `printf 'admin - nproc 9\\n' > '${target}'`]);
    expect(w.status).toBe(0);
    await writeFile(`${pause}.go`, '');
    const r = await p.done;
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ok: boolean; code?: string };
    expect(out).toMatchObject({ ok: false, code: 'ECONFLICT' });
    expect(await readFile(target, 'utf8')).toBe('admin - nproc 9\n');
    expect((await readdir(dropins)).filter((n) => TEMP_FILE_PATTERN.test(n))).toEqual([]);
  }, 60_000);

  it('makes set re-plan: the other program\'s line and the edit are both kept', async () => {
    const { root, conf } = await makeTree('admin - nproc 5\n');
    const pause = path.join(root, 'pause');
    const p = run(process.execPath, [BIN, 'set', 'nproc', '6', '--user', 'admin', '--root', root], { LIMITSCTL_TEST_PAUSE_BEFORE_RENAME: pause });
    await waitFor(pause, p.child, 'limitsctl set');
    const w = spawnSync('sh', ['-c', `printf 'bob hard nofile 9\\n' >> '${conf}'`]);
    expect(w.status).toBe(0);
    await writeFile(`${pause}.go`, '');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 6\nbob hard nofile 9\n');
  }, 60_000);
});

describe('SIGKILL between the renames of a multi-file change', () => {
  /** Run the CLI with the between-renames pause, kill -9 it there; returns nothing. */
  async function killBetweenRenames(root: string, args: string[]): Promise<void> {
    const pause = path.join(root, 'pause');
    const p = run(process.execPath, [BIN, ...args], { LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES: pause });
    await waitFor(pause, p.child, `limitsctl ${args[0]}`);
    p.child.kill('SIGKILL');
    const r = await p.done;
    expect(r.signal).toBe('SIGKILL');
    await unlink(pause);
  }

  it('two-file apply: the next run that takes the lock completes it (never half)', async () => {
    const { root, sec, dropins, conf } = await makeTree('# limits\n');
    const dropin = path.join(dropins, '90-nproc.conf');
    await writeFile(dropin, '*          soft    nproc     4096\n');
    const policy = path.join(root, 'policy.ini');
    await writeFile(policy, '[*]\nnproc.soft = 2048\n\n[admin]\nnofile = 100\n');
    const oldConf = await readFile(conf, 'utf8');
    const oldDropin = await readFile(dropin, 'utf8');
    await killBetweenRenames(root, ['apply', policy, '--root', root]);
    // half applied on disk right now: exactly one of the two files is new
    const halfConf = (await readFile(conf, 'utf8')) !== oldConf;
    const halfDropin = (await readFile(dropin, 'utf8')) !== oldDropin;
    expect(halfConf !== halfDropin, 'the kill must land between the two renames').toBe(true);
    expect(existsSync(path.join(root, JOURNAL_RELATIVE_PATH))).toBe(true);

    // an unrelated edit takes the lock: it finishes the interrupted change first
    const r = cli(['set', 'core', '0', '--user', 'carol', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/interrupted; it has now been completed/);
    expect(await readFile(dropin, 'utf8')).toBe('*          soft    nproc     2048\n');
    const c = await readFile(conf, 'utf8');
    expect(c).toMatch(/^admin\s+-\s+nofile\s+100$/m);
    expect(c).toMatch(/^carol\s+-\s+core\s+0$/m);
    // no journal, no temp files or pinning links left
    const left = (await listTree(sec)).filter((n) => TEMP_FILE_PATTERN.test(path.basename(n)) || n.endsWith('.journal') || n.endsWith('.lock'));
    expect(left).toEqual([]);
    // and apply again is a no-op
    expect(cli(['apply', policy, '--root', root, '--check']).code).toBe(0);
  }, 60_000);

  it('two-file lint --fix: the same', async () => {
    const { root, dropins, conf } = await makeTree('admin SOFT nproc 5\n');
    const dropin = path.join(dropins, '10-a.conf');
    await writeFile(dropin, 'bob HARD nofile 5\n');
    await killBetweenRenames(root, ['lint', '--fix', '--root', root]);
    const now = [await readFile(conf, 'utf8'), await readFile(dropin, 'utf8')];
    expect(now.filter((t) => /SOFT|HARD/.test(t)).length, `half: ${JSON.stringify(now)}`).toBe(1);
    const r = cli(['set', 'core', '0', '--user', 'carol', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(conf, 'utf8')).toBe('admin soft nproc 5\ncarol - core 0\n');
    expect(await readFile(dropin, 'utf8')).toBe('bob hard nofile 5\n');
  }, 60_000);

  it('rolls back when the new content is gone, and refuses to guess when files changed since', async () => {
    for (const variant of ['back', 'conflict'] as const) {
      const { root, sec, dropins, conf } = await makeTree('a\n');
      const second = path.join(dropins, '10-b.conf');
      await writeFile(second, 'b\n');
      const pause = path.join(root, 'pause');
      const spec = JSON.stringify([{ path: conf, data: b64('A\n') }, { path: second, data: b64('B\n') }]);
      const p = run(process.execPath, [mod.helper('io-op.mjs'), 'writemany', root, spec], { LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES: pause });
      await waitFor(pause, p.child, 'the writer');
      p.child.kill('SIGKILL');
      await p.done;
      expect(await readFile(conf, 'utf8')).toBe('A\n');
      expect(await readFile(second, 'utf8')).toBe('b\n');
      if (variant === 'back') {
        // the second file's new content is lost: going forward is impossible, going back is safe
        for (const n of await readdir(dropins)) if (TEMP_FILE_PATTERN.test(n) && !n.endsWith('.old.tmp')) await unlink(path.join(dropins, n));
        const notes: string[] = [];
        await withTreeLock(root, () => undefined, { onRecovered: (rep) => notes.push(rep.outcome) });
        expect(notes).toEqual(['back']);
        expect(await readFile(conf, 'utf8')).toBe('a\n');
        expect(await readFile(second, 'utf8')).toBe('b\n');
        expect((await listTree(sec)).filter((n) => TEMP_FILE_PATTERN.test(path.basename(n)) || n.endsWith('.journal'))).toEqual([]);
      } else {
        await writeFile(second, 'someone else\n');
        await expect(withTreeLock(root, () => undefined)).rejects.toMatchObject({ code: 'EJOURNAL' });
        expect(await readFile(conf, 'utf8')).toBe('A\n');
        expect(await readFile(second, 'utf8')).toBe('someone else\n');
        expect(existsSync(path.join(root, JOURNAL_RELATIVE_PATH))).toBe(true);
        const r = cli(['set', 'core', '0', '--user', 'carol', '--root', root]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/cannot be completed or undone.*10-b\.conf/s);
      }
    }
  }, 60_000);
});

describe('ACLs, extended attributes and the exact mode are kept', () => {
  const tool = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;

  it('user.* xattrs and a POSIX ACL survive; the group does not gain read', async (ctx) => {
    skipNote(ctx, !tool('setfacl') || !tool('setfattr'), 'needs setfacl/getfacl (package acl) and setfattr/getfattr (package attr)');
    const { root, conf } = await makeTree('admin - nproc 5\n');
    await chmod(conf, 0o600);
    const acl = spawnSync('setfacl', ['-m', 'u:nobody:r', conf], { encoding: 'utf8' });
    const xa = spawnSync('setfattr', ['-n', 'user.limitsctl-test', '-v', 'kept', conf], { encoding: 'utf8' });
    skipNote(ctx, acl.status !== 0 || xa.status !== 0, `the file system of ${tmpdir()} does not take ACLs or user xattrs: ${acl.stderr}${xa.stderr}`);
    const facl = () => spawnSync('getfacl', ['-cp', conf], { encoding: 'utf8' }).stdout;
    const fattr = () => spawnSync('getfattr', ['-d', '--absolute-names', '-m', '-', conf], { encoding: 'utf8' }).stdout;
    const [acl0, attr0, mode0] = [facl(), fattr(), (await stat(conf)).mode & 0o7777];
    expect(acl0).toContain('group::---');
    await writeFileAtomic(conf, Buffer.from('admin - nproc 6\n'), { root });
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 6\n');
    expect(facl()).toBe(acl0);
    expect(fattr()).toBe(attr0);
    expect((await stat(conf)).mode & 0o7777).toBe(mode0);
  });

  it('security.selinux is copied like any xattr', async (ctx) => {
    const { root, conf } = await makeTree('x\n');
    const label = 'system_u:object_r:etc_t:s0';
    const set = spawnSync('setfattr', ['-n', 'security.selinux', '-v', label, conf], { encoding: 'utf8' });
    skipNote(ctx, set.status !== 0, `security.selinux cannot be set here (no SELinux, no privilege, or no setfattr: .ci/run installs attr): ${set.error?.message ?? set.stderr.trim()}`);
    await writeFileAtomic(conf, Buffer.from('y\n'), { root });
    const got = spawnSync('getfattr', ['--only-values', '-n', 'security.selinux', conf], { encoding: 'utf8' });
    expect(got.stdout.replace(/\0$/, '')).toBe(label);
  });
});

describe('hard links', () => {
  it('a file with other hard links is refused (exit 2, nothing written) unless --force', async () => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n');
    const other = path.join(sec, 'limits.conf.hardlink');
    await link(conf, other);
    const r = cli(['set', 'nproc', '6', '--user', 'admin', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has 2 hard links/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\n');
    const f = cli(['set', 'nproc', '6', '--user', 'admin', '--root', root, '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 6\n');
    expect(await readFile(other, 'utf8')).toBe('admin - nproc 5\n'); // split: the other name keeps the old content
    expect((await stat(conf)).nlink).toBe(1);
  });
});

describe('the lock path', () => {
  it('a FIFO there is refused at once (exit 2), never a hang', async (ctx) => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n');
    const fifo = path.join(root, LOCK_RELATIVE_PATH);
    const mk = spawnSync('mkfifo', [fifo]);
    skipNote(ctx, mk.status !== 0, 'mkfifo is not available');
    const r = cli(['set', 'nproc', '6', '--user', 'admin', '--root', root], { timeout: 30_000 });
    expect(r.code, `${r.stderr} (a code of -1 means it hung and was killed)`).toBe(2);
    expect(r.stderr).toMatch(/\.limitsctl\.lock: it is a FIFO/);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\n');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    void sec;
  }, 60_000);

  it('a FIFO where a file must be written is refused (ENOTREG), never opened in a blocking way', async (ctx) => {
    const { root, dropins } = await makeTree();
    const fifo = path.join(dropins, '50-x.conf');
    skipNote(ctx, spawnSync('mkfifo', [fifo]).status !== 0, 'mkfifo is not available');
    await expect(writeFileAtomic(fifo, Buffer.from('x\n'), { root })).rejects.toMatchObject({ code: 'ENOTREG' });
    await expect(writeFileAtomic(fifo, Buffer.from('x\n'), { root, expected: Buffer.from('') })).rejects.toMatchObject({ code: 'ENOTREG' });
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dropins)).toEqual(['50-x.conf']);
  }, 60_000);
});

describe('a dangling link through a missing directory and ..', () => {
  it('set refuses it (Linux says "no such file"), creating no drop-in', async () => {
    const { root, sec, dropins, conf } = await makeTree();
    await unlink(conf);
    await symlink('nonexistent/../limits.d/evil.conf', conf);
    const r = cli(['set', 'nproc', '6', '--user', 'admin', '--root', root]);
    expect(r.stdout).not.toMatch(/changed/);
    expect(r.code).toBe(2);
    expect(await readdir(dropins)).toEqual([]);
    expect(existsSync(path.join(sec, 'nonexistent'))).toBe(false);
  });
});

describe('the Ansible module', () => {
  it('root: "" fails clearly and writes nothing', async () => {
    const { root, conf } = await makeTree('# limits\n');
    const args = path.join(root, 'args.json');
    await writeFile(args, JSON.stringify({ root: '', user: 'admin', item: 'nproc', value: 5 }));
    // run from inside the tree: an empty root used to mean the current directory
    const r = spawnSync(process.execPath, [path.join(REPO, 'ansible/library/limitsctl'), args], { cwd: root, encoding: 'utf8' });
    const out = JSON.parse(r.stdout) as { failed?: boolean; changed?: boolean; msg?: string };
    expect(out.failed).toBe(true);
    expect(out.changed).toBe(false);
    expect(out.msg).toMatch(/root must not be empty/);
    expect(await readFile(conf, 'utf8')).toBe('# limits\n');
    expect(existsSync(path.join(root, LOCK_RELATIVE_PATH))).toBe(false);
  });
});
