/**
 * `limitsctl lint` from the command line: exit codes, formats, settings errors, globs, --fix and
 * --fix --dry-run. In process through main() (test/cli/helpers.ts runMain); the exit codes also
 * end to end through the built binary (npm test builds dist/ first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../cli/helpers.js';

const BIN = path.resolve(__dirname, '../../bin/limitsctl.js');
const FIXTURES = path.resolve(__dirname, '../../fixtures/lint');
const built = existsSync(path.resolve(__dirname, '../../dist/cli/commands/lint.js'));
if (!built) console.warn('lint CLI tests skipped: dist/ is not built (npm test builds it)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** lint in process */
function runMainLint(args: string[], cwd: string) {
  return runMain(['lint', ...args], { cwd });
}

/** lint as its own process (the bin script and dist/) */
function spawnLint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, 'lint', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyCase(rule: string, kind: 'bad' | 'good', name = `${rule}-${kind}`): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(FIXTURES, rule, kind), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

describe.skipIf(!built)('limitsctl lint (end to end: the bin script)', () => {
  it('exit 0 on a clean tree, 1 on errors', () => {
    const good = spawnLint(['.', '--profile', 'linux-pam-1.5.2'], copyCase('too-few-fields', 'good'));
    expect(good.code).toBe(0);
    expect(good.stdout).toBe('✔ no problems in 1 file\n');
    const bad = spawnLint(['.', '--profile', 'linux-pam-1.5.2'], copyCase('too-few-fields', 'bad'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^etc\/security\/limits\.conf:1:1 error LC001 pam_limits skips this line/);
  });
});

describe('limitsctl lint (CLI)', () => {
  it('exit 0 on a clean tree, 1 on errors (in process)', async () => {
    const good = await runMainLint(['.', '--profile', 'linux-pam-1.5.2'], copyCase('too-few-fields', 'good', 'good-in'));
    expect(good.code).toBe(0);
    expect(good.stdout).toBe('✔ no problems in 1 file\n');
    const bad = await runMainLint(['.', '--profile', 'linux-pam-1.5.2'], copyCase('too-few-fields', 'bad', 'bad-in'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^etc\/security\/limits\.conf:1:1 error LC001 pam_limits skips this line/);
  });

  it('warnings pass unless there are more than --max-warnings', async () => {
    const dir = copyCase('duplicate-entry', 'bad');
    expect((await runMainLint(['.', '--profile', 'linux-pam-1.5.2'], dir)).code).toBe(0);
    expect((await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--max-warnings', '4'], dir)).code).toBe(0);
    expect((await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--max-warnings', '3'], dir)).code).toBe(1);
    const q = await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--quiet'], dir);
    expect(q.stdout).toBe('✔ no problems in 1 file\n');
  });

  it('--format json, sarif and github', async () => {
    const dir = copyCase('unknown-item', 'bad');
    const j = await runMainLint(['.', '--format', 'json'], dir);
    expect(j.code).toBe(1);
    expect((JSON.parse(j.stdout) as { results: Array<{ code: string }> }).results.map((r) => r.code)).toEqual(['LC003', 'LC003']);
    const s = await runMainLint(['.', '-f', 'sarif'], dir);
    expect((JSON.parse(s.stdout) as { version: string }).version).toBe('2.1.0');
    const g = await runMainLint(['.', '--format', 'github'], dir);
    expect(g.stdout.split('\n')[0]).toMatch(/^::error file=etc\/security\/limits\.conf,line=1,col=11,endLine=1,endColumn=15,title=LC003 unknown-item::pam_limits skips this line: unknown item 'npoc'. Did you mean 'nproc'\?$/);
  });

  it('exit 2 for a missing path, a bad settings file, or --dry-run without --fix', async () => {
    const dir = copyCase('unknown-item', 'good');
    const missing = await runMainLint(['nope'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope does not exist/);
    writeFileSync(path.join(dir, '.limitsctl.ini'), '[rules]\nnever-win = off\n');
    const bad = await runMainLint(['.'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\.limitsctl\.ini: unknown key 'never-win' in \[rules\].*did you mean 'never-wins'/);
    rmSync(path.join(dir, '.limitsctl.ini'));
    expect((await runMainLint(['.', '--dry-run'], dir)).code).toBe(2);
  });

  it('settings: severities and ignore globs apply; --config names another file', async () => {
    const dir = copyCase('unknown-item', 'bad', 'settings');
    writeFileSync(path.join(dir, 'strict.ini'), '[rules]\nunknown-item = warning\n');
    expect((await runMainLint(['.', '--config', 'strict.ini'], dir)).code).toBe(0);
    writeFileSync(path.join(dir, '.limitsctl.ini'), 'ignore[] = etc/security/limits.conf\n');
    expect((await runMainLint(['.'], dir)).stdout).toBe('✔ no problems in 1 file\n');
  });

  it('globs and config repositories: every host tree', async () => {
    const repo = path.join(tmp, 'repo');
    for (const h of ['web1', 'web2']) {
      mkdirSync(path.join(repo, 'hosts', h, 'etc/security'), { recursive: true });
      writeFileSync(path.join(repo, 'hosts', h, 'etc/security/limits.conf'), `* soft nofile 4096\n${h} soft npoc 10\n`);
    }
    const g = await runMainLint(['hosts/*', '--profile', 'linux-pam-1.5.2', '--format', 'json'], repo);
    const files = (JSON.parse(g.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file);
    expect(files).toEqual(['hosts/web1/etc/security/limits.conf', 'hosts/web2/etc/security/limits.conf']);
    const all = await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--format', 'json'], repo);
    expect((JSON.parse(all.stdout) as { results: unknown[] }).results.length).toBe(2);
    const one = await runMainLint(['hosts/web2/etc/security/limits.conf', '--profile', 'linux-pam-1.5.2'], repo);
    expect(one.stdout).toMatch(/^hosts\/web2\/etc\/security\/limits\.conf:2:/);
    expect((await runMainLint(['--root', 'hosts/web1', '--profile', 'linux-pam-1.5.2'], repo)).code).toBe(1);
  });

  it('--fix --dry-run prints a unified diff and writes nothing; --fix writes; then nothing is left to fix', async () => {
    const dir = copyCase('duplicate-entry', 'bad', 'fixme');
    const file = path.join(dir, 'etc/security/limits.conf');
    const original = readFileSync(file, 'latin1');
    const dry = await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--fix', '--dry-run'], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^--- a\/etc\/security\/limits\.conf\n\+\+\+ b\/etc\/security\/limits\.conf\n@@ -1,8 \+1,5 @@\n-\* soft nproc 4096 # expect: LC202\n/);
    expect(dry.stdout).toMatch(/fixed 3 problems \(dry run: nothing written\)/);
    expect(readFileSync(file, 'latin1')).toBe(original);
    const fix = await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--fix'], dir);
    expect(fix.code).toBe(0);
    expect(readFileSync(file, 'latin1')).not.toBe(original);
    const again = await runMainLint(['.', '--profile', 'linux-pam-1.5.2', '--fix', '--format', 'json'], dir);
    const j = JSON.parse(again.stdout) as { fixed: number; results: Array<{ fixable: boolean }> };
    expect(j.fixed).toBe(0);
    expect(j.results.filter((r) => r.fixable)).toEqual([]);
  });

  it('a file the tree cannot use (a FIFO etc/passwd) counts among the files looked at', async () => {
    const dir = path.join(tmp, 'fifo-passwd');
    mkdirSync(path.join(dir, 'etc/security'), { recursive: true });
    writeFileSync(path.join(dir, 'etc/security/limits.conf'), '* soft nproc 100\n');
    const fifo = spawnSync('mkfifo', [path.join(dir, 'etc/passwd')]);
    if (fifo.status !== 0) { console.warn('skipped: mkfifo is not available'); return; }
    const r = await runMainLint(['--root', dir, '--profile', 'linux-pam-1.5.2'], tmp);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fifo-passwd\/etc\/passwd:1:1 warning LC306 /);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('⚠ 1 problem (0 errors, 1 warning, 0 info) in 1 of 2 files');
    const j = JSON.parse((await runMainLint(['--root', dir, '--profile', 'linux-pam-1.5.2', '--format', 'json'], tmp)).stdout) as { files: string[]; summary: { files: number } };
    expect(j.files).toEqual(['fifo-passwd/etc/security/limits.conf', 'fifo-passwd/etc/passwd']);
    expect(j.summary.files).toBe(2);
  });
});
