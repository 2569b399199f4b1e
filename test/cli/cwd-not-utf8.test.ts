/**
 * A current directory whose name is not UTF-8 (`x\xff`): process.cwd() gives it with U+FFFD, a
 * name of no directory (or of another one), so every relative path (`.`, `--root .`) named
 * nothing: ". does not exist". The CLI names such a directory /proc/self/cwd (src/io/cwd.ts), so
 * relative paths read and write the tree there; without /proc the error says why.
 * Spawns the built CLI (dist/) from a shell that cd's into the directory: Node cannot name it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, DEMO, runMain } from './helpers.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** A temp dir holding `x\xff` (a copy of the demo tree); its name as bytes, and the base dir. */
function treeNotUtf8(): { base: string; dir: Buffer } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cwd-utf8-'));
  dirs.push(base);
  const dir = Buffer.concat([Buffer.from(`${base}/x`), Buffer.from([0xff])]);
  mkdirSync(dir);
  const r = spawnSync('sh', ['-c', `cp -R "$0/etc" "$0/proc" "$(printf 'x\\377')/"`, DEMO], { cwd: base, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  return { base, dir };
}

/** Run the CLI with `args` from inside `x\xff` under `base` (the shell enters it: Node cannot name it). */
function inIt(base: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `cd "$(printf 'x\\377')" && exec "$@"`, 'sh', process.execPath, BIN, ...args], {
    cwd: base, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const haveProcCwd = existsSync('/proc/self/cwd');

describe('a current directory whose name is not UTF-8', () => {
  it.skipIf(!haveProcCwd)(`relative paths name the tree there: lint ., get/files --root ., set --root .${haveProcCwd ? '' : ' — SKIPPED: no /proc/self/cwd (/proc is not mounted)'}`, () => {
    const { base, dir } = treeNotUtf8();
    // a decoy named as Node decodes the directory's name (x U+FFFD): it must not be read instead
    cpSync(DEMO, path.join(base, 'x\uFFFD'), { recursive: true });
    writeFileSync(path.join(base, 'x\uFFFD/etc/security/limits.d/90-nproc.conf'), '* soft nproc 77\n');

    const lint = inIt(base, ['lint', '.']);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stderr).not.toMatch(/does not exist/);
    expect(lint.stdout).toMatch(/^etc\/security\/limits\.conf:57:1 warning LC302 /m);
    expect(lint.stdout).toMatch(/in 1 of 2 files/);

    const file = inIt(base, ['lint', 'etc/security/limits.conf']);
    expect(file.code, file.stdout + file.stderr).toBe(0);
    expect(file.stdout).toMatch(/^etc\/security\/limits\.conf:57:1 warning LC302 /m);

    const get = inIt(base, ['get', 'nproc', '--user', 'admin', '--root', '.']);
    expect(get.code, get.stdout + get.stderr).toBe(0);
    expect(get.stdout).toMatch(/soft 1024 \(limits\.d\/90-nproc\.conf:5 \*\)/);

    const files = inIt(base, ['files', '--root', '.']);
    expect(files.code, files.stdout + files.stderr).toBe(0);
    expect(files.stdout).toMatch(/etc\/security\/limits\.d\/90-nproc\.conf/);

    const set = inIt(base, ['set', 'nproc', '4096', '--user', 'admin', '--root', '.']);
    expect(set.code, set.stdout + set.stderr).toBe(0);
    expect(set.stdout).toMatch(/wrote etc\/security\/limits\.conf/);
    const conf = Buffer.concat([dir, Buffer.from('/etc/security/limits.conf')]);
    expect(readFileSync(conf, 'utf8')).toMatch(/^admin\s+-\s+nproc\s+4096$/m);
    expect(readFileSync(path.join(base, 'x\uFFFD/etc/security/limits.conf'), 'utf8')).not.toMatch(/^admin\s+-\s+nproc/m);
  }, 120_000);

  it.skipIf(!haveProcCwd)(`paths that climb out of it ('..') name the directories above it, and lint finds a .limitsctl.ini there${haveProcCwd ? '' : ' — SKIPPED: no /proc/self/cwd (/proc is not mounted)'}`, () => {
    const { base } = treeNotUtf8();
    cpSync(DEMO, path.join(base, 'tree'), { recursive: true });
    writeFileSync(path.join(base, 'tree/etc/security/limits.d/90-nproc.conf'), '* soft nproc 77\n');

    const get = inIt(base, ['get', 'nproc', '--user', 'admin', '--root', '../tree']);
    expect(get.code, get.stdout + get.stderr).toBe(0);
    expect(get.stdout).toMatch(/soft 77 \(limits\.d\/90-nproc\.conf:1 \*\)/);

    const lint = inIt(base, ['lint', '../tree']);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toContain(`${base}/tree/etc/security/limits.conf:57:1 warning LC302 `);

    // the settings of the directory above apply to a lint from inside it, as from any directory
    writeFileSync(path.join(base, '.limitsctl.ini'), '[rules]\nLC302 = off\n');
    const quiet = inIt(base, ['lint', '.']);
    expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0);
    expect(quiet.stdout).not.toMatch(/LC302/);
    expect(quiet.stdout).toMatch(/LC206/);

    const report = inIt(base, ['lint', '.', '--output-file', '../report.txt']);
    expect(report.code, report.stdout + report.stderr).toBe(0);
    expect(readFileSync(path.join(base, 'report.txt'), 'utf8')).toMatch(/^etc\/security\/limits\.conf:59:1 info LC206 /m);
  }, 120_000);

  it.skipIf(!haveProcCwd)(`from a directory inside it, '..' never reaches a decoy named with U+FFFD: refused, exit 2, nothing written${haveProcCwd ? '' : ' — SKIPPED: no /proc/self/cwd (/proc is not mounted)'}`, () => {
    const { base, dir } = treeNotUtf8();
    mkdirSync(Buffer.concat([dir, Buffer.from('/sub')]));
    const decoy = path.join(base, 'x\uFFFD');
    cpSync(DEMO, decoy, { recursive: true });
    mkdirSync(path.join(decoy, 'sub'));
    writeFileSync(path.join(decoy, '.limitsctl.ini'), '[rules]\nLC206 = error\n');
    const before = readFileSync(path.join(decoy, 'etc/security/limits.conf'));
    const inSub = (args: string[]) => {
      const r = spawnSync('sh', ['-c', `cd "$(printf 'x\\377')/sub" && exec "$@"`, 'sh', process.execPath, BIN, ...args], {
        cwd: base, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    for (const args of [['get', 'nproc', '--user', 'admin', '--root', '..'], ['set', 'nproc', '5', '--user', 'admin', '--root', '..'], ['lint', '../etc/security/limits.conf'], ['lint', '--root', '..'], ['lint', '../*']]) {
      const r = inSub(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/the directory above the current one has a name that is not valid UTF-8/);
    }
    // a settings file in the directory above (x\xff itself) cannot be named: refused, and the
    // decoy's is never read in its place
    writeFileSync(Buffer.concat([dir, Buffer.from('/.limitsctl.ini')]), '[rules]\nLC206 = off\n');
    const lint = inSub(['lint', '--root', DEMO]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(2);
    expect(lint.stderr).toMatch(/cannot read the \.limitsctl\.ini of a directory above the current one/);
    expect(readFileSync(path.join(decoy, 'etc/security/limits.conf'))).toEqual(before);
    expect(readdirSync(path.join(decoy, 'etc/security')).sort()).toEqual(['limits.conf', 'limits.d']);
  }, 120_000);

  it('a link to it, from anywhere, is refused (EILSEQ, exit 2): never read or written through the decoded name, a decoy\'s', () => {
    const { base, dir } = treeNotUtf8();
    const decoy = path.join(base, 'x\uFFFD');
    cpSync(DEMO, decoy, { recursive: true });
    writeFileSync(path.join(decoy, 'etc/security/limits.conf'), '* SOFT nofile 1024\n');
    writeFileSync(Buffer.concat([dir, Buffer.from('/etc/security/limits.conf')]), '* SOFT nofile 1024\n');
    const link = path.join(base, 'link');
    // (Node cannot name x\xff: the link is made by the shell)
    expect(spawnSync('sh', ['-c', `ln -s "$(printf '%s/x\\377' "$0")" "$1"`, base, link]).status).toBe(0);
    for (const args of [['lint', '--fix', '--root', link], ['set', 'nproc', '100', '--all', '--root', link], ['lint', '--root', link]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: base, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
      expect(r.status, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/leads to a directory whose name is not valid UTF-8/);
    }
    expect(readFileSync(path.join(decoy, 'etc/security/limits.conf'), 'utf8')).toBe('* SOFT nofile 1024\n');
    expect(readFileSync(Buffer.concat([dir, Buffer.from('/etc/security/limits.conf')]), 'utf8')).toBe('* SOFT nofile 1024\n');
  });

  const root = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  it.skipIf(!root)(`without /proc, a decoy named as Node decodes the directory is never used: exit 2, nothing written${root ? '' : ' — SKIPPED: needs root and unshare -m (to hide /proc)'}`, () => {
    const { base } = treeNotUtf8();
    const decoy = path.join(base, 'x\uFFFD');
    cpSync(DEMO, decoy, { recursive: true });
    const before = readFileSync(path.join(decoy, 'etc/security/limits.conf'));
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /proc && cd "$(printf 'x\\377')" && exec "$@"`, 'sh', process.execPath, BIN, 'set', 'core', '7', '--user', 'admin', '--root', '.'], {
      cwd: base, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/current directory's name is not valid UTF-8/);
    expect(readFileSync(path.join(decoy, 'etc/security/limits.conf'))).toEqual(before);
  }, 120_000);

  it('without a name for it (no /proc), an error from a relative path says why', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-cwd-utf8-'));
    dirs.push(base);
    // what process.cwd() gives in x\xff when /proc/self/cwd cannot stand in for it
    const r = await runMain(['get', 'nproc', '--user', 'admin', '--root', '.'], { cwd: path.join(base, 'x\uFFFD') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/current directory's name is not valid UTF-8.*give absolute paths, or run limitsctl from another directory/);
    const ok = await runMain(['get', 'nproc', '--user', 'admin', '--root', DEMO], { cwd: path.join(base, 'x\uFFFD') });
    expect(ok.code, ok.stderr).toBe(0);
  });
});
