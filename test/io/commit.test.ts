/**
 * commitEdits (src/io/commit.ts), the one edit transaction, on real trees with real processes:
 * a refused plan leaves no trace (not even the lock file), a dry run writes nothing, a file changed
 * by another process between the plan and the write makes it plan again (and gives up after
 * maxAttempts with nothing written), and a two-file commit killed between its renames is completed
 * by the next commitEdits — also by a `lint --fix` that has nothing left to fix. `lint --fix`
 * re-plans on a concurrent change too, through the same transaction.
 *
 * Child processes run the built library and CLI (dist/: `npm run build` first); they are stopped at
 * a precise point with the write module's test-only hooks (LIMITSCTL_TEST_PAUSE_BEFORE_RENAME /
 * _BETWEEN_RENAMES: the process creates the named file and waits for `<file>.go`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitPlan, commitEdits } from '../../src/io/commit.js';
import { JOURNAL_RELATIVE_PATH, LOCK_RELATIVE_PATH, TEMP_FILE_PATTERN } from '../../src/io/write.js';
import { waitFor } from './helpers/children.js';

const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/limitsctl.js');
const LIB = path.join(REPO, 'dist/index.js');

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function makeTree(conf: string, dropins: Record<string, string> = {}): Promise<{ root: string; sec: string; conf: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'limitsctl-commit-'));
  dirs.push(root);
  await chmod(root, 0o755);
  const sec = path.join(root, 'etc', 'security');
  await mkdir(path.join(sec, 'limits.d'), { recursive: true });
  await writeFile(path.join(sec, 'limits.conf'), conf);
  for (const [name, text] of Object.entries(dropins)) await writeFile(path.join(sec, 'limits.d', name), text);
  await writeFile(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n');
  await writeFile(path.join(root, 'etc', 'group'), 'root:x:0:\nadmin:x:1000:\nbob:x:1001:\n');
  return { root, sec, conf: path.join(sec, 'limits.conf') };
}

/** A plan that appends `line` to each named file (paths relative to the root), read from disk now. */
function appending(root: string, files: readonly string[], line: string): () => Promise<CommitPlan> {
  return async () => ({
    changes: await Promise.all(files.map(async (rel) => {
      const before = (await readFile(path.join(root, rel))).toString('latin1');
      return { path: rel, before, after: before.includes(line) ? before : `${before}${line}` };
    })).then((cs) => cs.filter((c) => c.after !== c.before)),
  });
}

/** Every name below `dir` with its mtime, to show that nothing at all was touched. */
async function snapshot(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const st = await stat(path.join(dir, rel));
  out.push(`${rel || '.'} ${st.mtimeMs}`);
  if (st.isDirectory()) for (const n of (await readdir(path.join(dir, rel))).sort()) out.push(...(await snapshot(dir, rel ? `${rel}/${n}` : n)));
  return out;
}

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const built = existsSync(LIB);
const needsBuild = (ctx: { skip: (cond: boolean, note?: string) => void }) => {
  if (!built) console.warn('[skipped] dist/ is not built: run npm run build first');
  ctx.skip(!built, 'dist/ is not built');
};

describe('commitEdits', () => {
  it('refuses before taking the lock: a refused plan leaves no trace, not even the lock file', async () => {
    const { root } = await makeTree('admin - nproc 5\n');
    const before = await snapshot(root);
    let plans = 0;
    const refused = commitEdits(root, async () => { plans++; return appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n')(); }, {
      check: () => { throw new Error('this change would not take effect'); },
    });
    await expect(refused).rejects.toThrow('this change would not take effect');
    expect(plans).toBe(1);
    expect(await snapshot(root)).toEqual(before);

    // a tree without etc/security at all: the lock directory is not created either
    await rm(path.join(root, 'etc', 'security'), { recursive: true });
    await expect(commitEdits(root, async () => ({ changes: [{ path: 'etc/security/limits.conf', before: null, after: 'x\n' }] }), {
      check: () => { throw new Error('no'); },
    })).rejects.toThrow('no');
    expect(existsSync(path.join(root, 'etc', 'security'))).toBe(false);
  });

  it('dry run: plans and checks, writes nothing and takes no lock', async () => {
    const { root, conf } = await makeTree('admin - nproc 5\n');
    const before = await snapshot(root);
    const checked: number[] = [];
    const r = await commitEdits(root, appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n'), {
      dryRun: true, backup: true, check: (p) => checked.push(p.changes.length),
    });
    expect(r.plan.changes).toHaveLength(1);
    expect(r.written).toEqual([]);
    expect(r.attempts).toBe(0);
    expect(checked).toEqual([1]);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\n');
    expect(await snapshot(root)).toEqual(before);
  });

  it('pre-flight: a target with another hard link is refused before the lock, dry runs included, with the writer\'s error', async () => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n');
    await link(conf, path.join(sec, 'limits.conf.other'));
    const before = await snapshot(root);
    let plans = 0;
    const planning = async () => { plans++; return appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n')(); };
    for (const dryRun of [true, false]) {
      const err = await commitEdits(root, planning, { dryRun }).then(() => undefined, (e: unknown) => e);
      expect(err, `dryRun ${dryRun}`).toMatchObject({ code: 'EHARDLINK', path: conf });
      expect((err as Error).message).toMatch(/it has 2 hard links, so 1 other name\(s\)/);
      // the library's message names the library's option (the CLI says --force instead)
      expect((err as Error).message).toMatch(/, or replace this name only \(hardLinks 'split'\)$/);
      expect(await snapshot(root)).toEqual(before); // not even the lock file came and went
    }
    expect(plans).toBe(2); // planned once per call, never under the lock
    // a running writer's pinning link is not another name: not refused for it
    await unlink(path.join(sec, 'limits.conf.other'));
    const pin = path.join(sec, `.limits.conf.limitsctl-${process.pid}-abcdef.old.tmp`);
    await link(conf, pin);
    const r = await commitEdits(root, planning, { dryRun: true });
    expect(r.plan.changes).toHaveLength(1);
    await unlink(pin);
    // 'split' is not refused
    await link(conf, path.join(sec, 'limits.conf.other'));
    expect((await commitEdits(root, planning, { dryRun: true, hardLinks: 'split' })).plan.changes).toHaveLength(1);
  });

  it('pre-flight: a file whose new content is above maxBytes (the read cap) is refused before the lock, dry runs included (ETOOLARGE)', async () => {
    const { root, conf } = await makeTree('admin - nproc 5\n');
    const before = await snapshot(root);
    const planning = appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n'); // 16 + 15 bytes
    for (const options of [{ dryRun: true }, {}, { hardLinks: 'split' as const, backup: true }]) {
      const err = await commitEdits(root, planning, { ...options, maxBytes: 30 }).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(options)).toMatchObject({ code: 'ETOOLARGE', path: conf });
      expect((err as Error).message).toBe(`refusing to write ${conf}: its new content would be 31 bytes, above limitsctl's 30-byte cap for this file, so no later limitsctl run could read it; nothing was written`);
      expect(await snapshot(root)).toEqual(before); // not even the lock file came and went
    }
    // exactly on the cap is written
    const r = await commitEdits(root, planning, { maxBytes: 31 });
    expect(r.written).toHaveLength(1);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\nbob - nofile 9\n');
    await expect(commitEdits(root, planning, { maxBytes: -1 })).rejects.toThrow(RangeError);
  });

  it('the cap holds under the lock too: a plan that grew past it there is refused, nothing written, the lock file gone', async () => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n');
    let n = 0;
    const err = await commitEdits(root, async () => {
      const before = (await readFile(conf)).toString('latin1');
      // the plan made under the lock (another program's change since) is over the cap
      return { changes: [{ path: 'etc/security/limits.conf', before, after: `${before}${n++ === 0 ? 'bob - nofile 9\n' : '#'.repeat(100)}` }] };
    }, { maxBytes: 100 }).then(() => undefined, (e: unknown) => e);
    expect(n).toBe(2);
    expect(err).toMatchObject({ code: 'ETOOLARGE', path: conf });
    expect((err as Error).message).toMatch(/would be 116 bytes, above limitsctl's 100-byte cap for this file/);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\n');
    expect((await readdir(sec)).sort()).toEqual(['limits.conf', 'limits.d']);
  });

  it('writes all files of a plan, checked again under the lock; a plan without changes takes no lock', async () => {
    const { root, sec, conf } = await makeTree('admin - nproc 5\n', { '10-a.conf': '# a\n' });
    const checked: number[] = [];
    const r = await commitEdits(root, appending(root, ['etc/security/limits.conf', 'etc/security/limits.d/10-a.conf'], 'bob - nofile 9\n'), {
      check: (p) => checked.push(p.changes.length), backup: true,
    });
    expect(checked).toEqual([2, 2]);
    expect(r.attempts).toBe(1);
    expect(r.written.map((w) => [w.path, w.changed, w.created])).toEqual([
      ['etc/security/limits.conf', true, false], ['etc/security/limits.d/10-a.conf', true, false]]);
    expect(r.written.every((w) => w.backupPath !== undefined && existsSync(w.backupPath))).toBe(true);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\nbob - nofile 9\n');
    expect(existsSync(path.join(root, LOCK_RELATIVE_PATH))).toBe(false);

    const before = await snapshot(root);
    const again = await commitEdits(root, appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n'));
    expect(again.plan.changes).toEqual([]);
    expect(again.attempts).toBe(0);
    expect(await snapshot(root)).toEqual(before);
    expect((await readdir(sec)).filter((n) => TEMP_FILE_PATTERN.test(n))).toEqual([]);
  });

  it('plans again when another process changes a file between the plan and the write; both changes are kept', async () => {
    const { root, conf } = await makeTree('admin - nproc 5\n');
    let plans = 0;
    const plan = appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n');
    const r = await commitEdits(root, async () => {
      const p = await plan();
      plans++;
      // the first plan under the lock (plans = 2): another program appends right after it was read
      if (plans === 2) expect(spawnSync('sh', ['-c', `printf 'admin hard core 0\\n' >> '${conf}'`]).status).toBe(0);
      return p;
    });
    expect(plans).toBe(3);
    expect(r.attempts).toBe(2);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\nadmin hard core 0\nbob - nofile 9\n');
  });

  it('gives up after maxAttempts plans with ECONFLICT, nothing of its own written', async () => {
    const { root, conf } = await makeTree('admin - nproc 5\n');
    let n = 0;
    const plan = appending(root, ['etc/security/limits.conf'], 'bob - nofile 9\n');
    await expect(commitEdits(root, async () => {
      const p = await plan();
      // another program changes the file after every read (the first one is before the lock)
      if (n++ > 0) expect(spawnSync('sh', ['-c', `printf '# other %s\\n' ${n} >> '${conf}'`]).status).toBe(0);
      return p;
    }, { maxAttempts: 2 })).rejects.toMatchObject({ name: 'ConcurrentModificationError', code: 'ECONFLICT' });
    expect(n).toBe(3);
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\n# other 2\n# other 3\n');
    expect(existsSync(path.join(root, LOCK_RELATIVE_PATH))).toBe(false);
  });

  it('without the lock (a file outside any tree): one file per plan, written atomically; never an etc/security', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'limitsctl-commit-lone-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'a.conf'), 'a\n');
    await writeFile(path.join(dir, 'b.conf'), 'b\n');
    const r = await commitEdits(dir, appending(dir, ['a.conf'], 'x\n'), { lock: false });
    expect(r.written.map((w) => w.path)).toEqual(['a.conf']);
    expect(await readFile(path.join(dir, 'a.conf'), 'utf8')).toBe('a\nx\n');
    await expect(commitEdits(dir, appending(dir, ['a.conf', 'b.conf'], 'y\n'), { lock: false })).rejects.toThrow(RangeError);
    expect(await readFile(path.join(dir, 'b.conf'), 'utf8')).toBe('b\n');
    expect(existsSync(path.join(dir, 'etc'))).toBe(false);
  });

  it('a two-file commit killed between its renames is completed by the next commitEdits, even one with nothing to change', async (ctx) => {
    needsBuild(ctx);
    const { root, sec, conf } = await makeTree('admin - nproc 5\n', { '10-a.conf': '# a\n' });
    const dropin = path.join(sec, 'limits.d', '10-a.conf');
    const pause = path.join(root, 'pause');
    // a child that commits "append bob - nofile 9 to both files" with the library's commitEdits
    const script = `
      const { commitEdits } = await import(${JSON.stringify(new URL(`file://${LIB}`).href)});
      const fs = await import('node:fs');
      const root = ${JSON.stringify(root)};
      const files = ['etc/security/limits.conf', 'etc/security/limits.d/10-a.conf'];
      await commitEdits(root, () => ({ changes: files.map((f) => {
        const before = fs.readFileSync(root + '/' + f);
        return { path: f, before, after: Buffer.concat([before, Buffer.from('bob - nofile 9\\n')]) };
      }) }));`;
    const p = run(['--input-type=module', '-e', script], { LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES: pause });
    await waitFor(pause, p.child, 'the committing process');
    p.child.kill('SIGKILL');
    expect((await p.done).signal).toBe('SIGKILL');
    await unlink(pause);
    const now = [await readFile(conf, 'utf8'), await readFile(dropin, 'utf8')];
    expect(now.filter((t) => t.includes('bob - nofile 9')).length, `half: ${JSON.stringify(now)}`).toBe(1);
    expect(existsSync(path.join(root, JOURNAL_RELATIVE_PATH))).toBe(true);

    // the next transaction plans nothing to change, yet takes the lock to finish the half-done one
    const notes: string[] = [];
    const r = await commitEdits(root, async () => ({ changes: [] }), { onRecovered: (rep) => notes.push(rep.outcome) });
    expect(notes).toEqual(['forward']);
    expect(r.recovered?.outcome).toBe('forward');
    expect(await readFile(conf, 'utf8')).toBe('admin - nproc 5\nbob - nofile 9\n');
    expect(await readFile(dropin, 'utf8')).toBe('# a\nbob - nofile 9\n');
    expect(existsSync(path.join(root, JOURNAL_RELATIVE_PATH))).toBe(false);
    expect((await readdir(path.join(sec, 'limits.d'))).filter((n) => TEMP_FILE_PATTERN.test(n))).toEqual([]);
  }, 60_000);
});

describe('lint --fix goes through commitEdits', () => {
  it('re-plans when another program changes a file before the rename: its line is kept and fixed too', async (ctx) => {
    needsBuild(ctx);
    const { root, conf } = await makeTree('admin SOFT nproc 5\n');
    const pause = path.join(root, 'pause');
    const p = run([BIN, 'lint', '--fix', '--root', root, '--profile', 'linux-pam-1.5.2'], { LIMITSCTL_TEST_PAUSE_BEFORE_RENAME: pause });
    await waitFor(pause, p.child, 'limitsctl lint --fix');
    expect(spawnSync('sh', ['-c', `printf 'bob HARD nofile 9\\n' >> '${conf}'`]).status).toBe(0);
    // (a re-plan passes the pause point again: `.go` stays, so it goes on at once)
    await writeFile(`${pause}.go`, '');
    const r = await p.done;
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await readFile(conf, 'utf8')).toBe('admin soft nproc 5\nbob hard nofile 9\n');
  }, 60_000);

  it('a two-file lint --fix killed between its renames is completed by the next lint --fix', async (ctx) => {
    needsBuild(ctx);
    const { root, sec, conf } = await makeTree('admin SOFT nproc 5\n', { '10-a.conf': 'bob HARD nofile 5\n' });
    const dropin = path.join(sec, 'limits.d', '10-a.conf');
    const pause = path.join(root, 'pause');
    const p = run([BIN, 'lint', '--fix', '--root', root, '--profile', 'linux-pam-1.5.2'], { LIMITSCTL_TEST_PAUSE_BETWEEN_RENAMES: pause });
    await waitFor(pause, p.child, 'limitsctl lint --fix');
    p.child.kill('SIGKILL');
    expect((await p.done).signal).toBe('SIGKILL');
    await unlink(pause);
    const now = [await readFile(conf, 'utf8'), await readFile(dropin, 'utf8')];
    expect(now.filter((t) => /SOFT|HARD/.test(t)).length, `half: ${JSON.stringify(now)}`).toBe(1);

    const again = spawnSync(process.execPath, [BIN, 'lint', '--fix', '--root', root, '--profile', 'linux-pam-1.5.2'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(again.stderr).toMatch(/interrupted; it has now been completed/);
    expect(await readFile(conf, 'utf8')).toBe('admin soft nproc 5\n');
    expect(await readFile(dropin, 'utf8')).toBe('bob hard nofile 5\n');
    expect(existsSync(path.join(root, JOURNAL_RELATIVE_PATH))).toBe(false);
  }, 60_000);
});
