/**
 * The release tarball as docs/ci.md uses it (test/cli/package.test.ts covers installing it into a
 * project and importing it): the single file taken out of it with the documented `tar` command
 * runs alone from an empty directory, and `npm install --global ./limitsctl-<version>.tgz` (the
 * GitLab and Jenkins jobs) gives a working `limitsctl` command. dist/ is built by `npm test`;
 * `npm pack --ignore-scripts` packs it without rebuilding.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const DEMO = path.join(REPO, 'fixtures/demo');
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const built = existsSync(path.join(REPO, 'dist/limitsctl.cjs'));
let dir = '';
let tarball = '';

beforeAll(() => {
  if (!built) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-tarball-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  tarball = path.join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const env = { ...process.env, NO_COLOR: '1', LIMITSCTL_NO_CODE_CACHE: '1' };

describe.skipIf(!built)('the release tarball', () => {
  it(`is limitsctl-${VERSION}.tgz, the name docs/ci.md uses`, () => {
    expect(path.basename(tarball)).toBe(`limitsctl-${VERSION}.tgz`);
  });

  it("gives the single file with docs/ci.md's tar command; alone in an empty directory it runs get and lint", () => {
    const host = path.join(dir, 'host');
    mkdirSync(host);
    execFileSync('tar', ['-xzf', tarball, '--strip-components=2', 'package/dist/limitsctl.cjs'], { cwd: host });
    expect(readdirSync(host)).toEqual(['limitsctl.cjs']);
    const get = spawnSync(process.execPath, ['limitsctl.cjs', 'get', 'nproc', '--user', 'admin', '--root', DEMO], { cwd: host, env, encoding: 'utf8' });
    expect(get.stderr).toBe('');
    expect(get.stdout).toContain('soft 1024 (limits.d/90-nproc.conf:5 *)');
    const lint = spawnSync(process.execPath, ['limitsctl.cjs', 'lint', '--root', DEMO, '--format', 'json'], { cwd: host, env, encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    expect((JSON.parse(lint.stdout) as { tool: { version: string } }).tool.version).toBe(VERSION);
    expect(readdirSync(host)).toEqual(['limitsctl.cjs']);
  });

  it('installs globally with npm install --global ./limitsctl-<version>.tgz', () => {
    const prefix = path.join(dir, 'global');
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, stdio: 'ignore', timeout: 300_000 });
    const r = spawnSync(path.join(prefix, 'bin/limitsctl'), ['lint', '--root', DEMO], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/problems? .* in 1 of 2 files/);
  }, 300_000);
});
