/**
 * The pre-commit hook this repository ships (.pre-commit-hooks.yaml), installed and run the way a
 * user's `pre-commit run --all-files` does it: a throwaway config repository whose
 * .pre-commit-config.yaml names a clone of this checkout (`repo:` its path, `rev: v<version>` of
 * package.json — the tag the docs name — made in the clone on its HEAD commit: the committed state
 * is what pre-commit gets), with PRE_COMMIT_HOME in a temporary directory.
 *
 * pre-commit (3.0.4, Debian 12's package) installs a `language: node` hook by running, in its own
 * clone: `npm install` (dependencies and dev dependencies, from the registry), `npm pack` — which
 * runs prepack, the build — and `npm install -g <the name npm pack printed>`. The repository's
 * .npmrc keeps prepack's banner off npm pack's stdout (foreground-scripts=false); without it
 * pre-commit takes "> limitsctl@<version> prepack …" as part of the tarball name (ENOENT).
 *
 * Skips with the reason when pre-commit, git, node or npm is missing; fails instead under
 * LIMITSCTL_REQUIRE_PRE_COMMIT=1 (CI: .ci/run installs Debian's pre-commit). Needs the npm
 * registry for limitsctl's dependencies; nothing is fetched under the name limitsctl (the installed
 * package is checked to be the build made in pre-commit's clone). The first run takes a minute or
 * more (npm install and the build).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const TAG = `v${(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version}`;

function skipReason(): string | null {
  const need: Array<[string, string[], string]> = [
    ['git', ['--version'], 'apt-get install git'],
    ['pre-commit', ['--version'], 'apt-get install pre-commit (Debian 12: 3.0.4)'],
    ['npm', ['--version'], 'npm comes with Node.js'],
  ];
  let reason: string | null = null;
  for (const [cmd, args, hint] of need) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.error) reason = `${cmd} is not installed (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); ${hint}`;
    else if (r.status !== 0) reason = `${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`;
    if (reason) break;
  }
  if (!reason && !existsSync(path.join(REPO, '.git'))) reason = `${REPO} is not a git checkout (pre-commit installs hooks from a git repository)`;
  if (reason && process.env.LIMITSCTL_REQUIRE_PRE_COMMIT === '1') throw new Error(`LIMITSCTL_REQUIRE_PRE_COMMIT=1, but the pre-commit hook cannot be tried: ${reason}`);
  if (reason) console.warn(`test/ci/pre-commit.test.ts skipped: ${reason}`);
  return reason;
}

const skip = skipReason();
let tmp = '';
let env: NodeJS.ProcessEnv = {};
let config = '';

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 900_000 });
}

function git(cwd: string, ...args: string[]): string {
  const r = sh('git', ['-c', 'user.name=limitsctl test', '-c', 'user.email=test@limitsctl.invalid', '-c', 'init.defaultBranch=main', ...args], cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(config, file)), { recursive: true });
  writeFileSync(path.join(config, file), text);
}

function preCommit(): { status: number | null; out: string } {
  const r = sh('pre-commit', ['run', '--all-files', '--color', 'never'], config);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const CONFIG = (repo: string, args: string[] = []) => [
  'repos:',
  `  - repo: ${repo}`,
  `    rev: ${TAG}`,
  '    hooks:',
  '      - id: limitsctl-lint',
  ...(args.length ? [`        args: [${args.map((a) => JSON.stringify(a)).join(', ')}]`] : []),
  '',
].join('\n');

describe.skipIf(skip !== null)('the pre-commit hook, installed by pre-commit from this repository', () => {
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-pre-commit-'));
    const base: NodeJS.ProcessEnv = {};
    // a hook's own git variables (this suite run from a git hook) would point git at our repository
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && !k.startsWith('PRE_COMMIT') && !k.startsWith('npm_')) base[k] = v;
    env = {
      ...base,
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'),
      LIMITSCTL_NO_CODE_CACHE: '1',
      NO_COLOR: '1',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    // a clone of this checkout with the release tag the docs' `rev:` names
    const clone = path.join(tmp, 'limitsctl');
    git(tmp, 'clone', '--quiet', '--no-hardlinks', REPO, clone);
    git(clone, 'tag', '--force', TAG, 'HEAD');
    config = path.join(tmp, 'config');
    mkdirSync(config);
    git(config, 'init', '--quiet');
    write('.pre-commit-config.yaml', CONFIG(clone));
    write('hosts/web1/etc/security/limits.conf', '*    soft    nofile    4096\n');
    write('hosts/web1/etc/security/limits.d/90-nproc.conf', '# planted: an item pam_limits does not know\n@dev    hard    nprocs    512\n');
    // not a file pam_limits reads, and outside the hook's `files` pattern: never passed
    write('hosts/web1/etc/security/limits.conf.rpmnew', 'garbage garbage\n');
    git(config, 'add', '-A');
    git(config, 'commit', '--quiet', '-m', 'hosts');
  }, 900_000);
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('installs, and fails on the planted finding, naming its file, line and rule', () => {
    const r = preCommit();
    expect(r.out).not.toMatch(/An unexpected error has occurred|ENOENT/);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/limitsctl lint \(pam_limits configuration\)\.+Failed/);
    expect(r.out).toContain("hosts/web1/etc/security/limits.d/90-nproc.conf:2:17 error LC003 pam_limits skips this line: unknown item 'nprocs'");
    expect(r.out).toContain('1 problem (1 error, 0 warnings, 0 info) in 1 of 2 files');
    expect(r.out).not.toContain('limits.conf.rpmnew');
  }, 900_000);

  it('installed the tarball npm pack built in its clone (dist/ in it), not a registry package', () => {
    const home = env.PRE_COMMIT_HOME!;
    const repos = readdirSync(home).filter((d) => d.startsWith('repo'));
    expect(repos).toHaveLength(1);
    const clone = path.join(home, repos[0]!);
    const envDir = readdirSync(clone).find((d) => d.startsWith('node_env'));
    expect(envDir, 'node environment of the hook').toBeDefined();
    const installed = path.join(clone, envDir!, 'lib/node_modules/limitsctl');
    // the build prepack made in pre-commit's clone is byte for byte what the hook runs
    for (const f of ['dist/limitsctl.cjs', 'dist/index.js', 'bin/limitsctl.js', 'package.json']) {
      expect(readFileSync(path.join(installed, f)).equals(readFileSync(path.join(clone, f))), f).toBe(true);
    }
  });

  it('passes on clean files, and takes args (--max-warnings 0 makes a warning fail)', () => {
    write('hosts/web1/etc/security/limits.d/90-nproc.conf', '@dev    hard    nproc    512\n');
    git(config, 'add', '-A');
    const clean = preCommit();
    expect(clean.status, clean.out).toBe(0);
    expect(clean.out).toMatch(/limitsctl lint \(pam_limits configuration\)\.+Passed/);

    write('hosts/web1/etc/security/limits.d/90-nproc.conf', '@dev    hard    nproc    10k\n');
    git(config, 'add', '-A');
    expect(preCommit().status, 'a warning alone does not fail the hook').toBe(0);
    write('.pre-commit-config.yaml', CONFIG(path.join(tmp, 'limitsctl'), ['--max-warnings', '0']));
    git(config, 'add', '-A');
    const strict = preCommit();
    expect(strict.status, strict.out).toBe(1);
    expect(strict.out).toContain("hosts/web1/etc/security/limits.d/90-nproc.conf:1:26 warning LC005 pam_limits reads '10k' as 10");
  }, 900_000);

  it('leaves documentation in limits.d out (a README does not fail --max-warnings 0); a stray drop-in still warns', () => {
    // the config still has args [--max-warnings, '0'] from the test above
    write('hosts/web1/etc/security/limits.d/90-nproc.conf', '@dev    hard    nproc    512\n');
    write('hosts/web1/etc/security/limits.d/README', 'Drop-ins here are read in C-locale order; name them NN-what.conf.\n');
    write('hosts/web1/etc/security/limits.d/readme.txt', 'see README\n');
    write('hosts/web1/etc/security/limits.d/NOTES.md', '# nproc\nraised for the build farm\n');
    git(config, 'add', '-A');
    const docs = preCommit();
    expect(docs.status, docs.out).toBe(0);
    expect(docs.out).toMatch(/limitsctl lint \(pam_limits configuration\)\.+Passed/);

    // a file pam_limits never reads that is not documentation is still passed, and LC301 fails the hook
    write('hosts/web1/etc/security/limits.d/nproc', '@dev    hard    nproc    512\n');
    git(config, 'add', '-A');
    const stray = preCommit();
    expect(stray.status, stray.out).toBe(1);
    expect(stray.out).toMatch(/hosts\/web1\/etc\/security\/limits\.d\/nproc(:\d+:\d+)? warning LC301 /);
    expect(stray.out).not.toMatch(/limits\.d\/(README|readme\.txt|NOTES\.md)\b/);
  }, 900_000);
});
