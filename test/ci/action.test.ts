/**
 * The composite GitHub Action (action.yml at the top of the repository), run here the way the
 * runner runs a composite action: each `run` step's script with `bash -e {0}`-like settings
 * (`bash --noprofile --norc -eo pipefail`, GitHub's `shell: bash`), its `env` with `${{ inputs.* }}`
 * replaced by the inputs (defaults from action.yml), GITHUB_ACTION_PATH = this checkout,
 * GITHUB_OUTPUT a file, the workspace a temporary directory. The build step finds dist/ built
 * (`npm test` builds it), so it checks Node's version and installs nothing; the clean-clone build it
 * would run (npm ci, npm run build) is what test/ci/pre-commit.test.ts's install does.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '../..');
const built = existsSync(path.join(REPO, 'dist/limitsctl.cjs'));

interface Step { name?: string; id?: string; shell?: string; run?: string; uses?: string; env?: Record<string, string>; 'working-directory'?: string }
interface Action {
  runs: { using: string; steps: Step[] };
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
}

const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;
let ws = '';

beforeAll(() => {
  ws = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-action-'));
  const put = (f: string, text: string) => {
    mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    writeFileSync(path.join(ws, f), text);
  };
  put('hosts/web 1/etc/security/limits.conf', '*    soft    nofile    4096\n');
  put('hosts/web 1/etc/security/limits.d/90-nproc.conf', '# planted\n@dev    hard    nprocs    512\n');
  put('hosts/db1/etc/security/limits.conf', '@dba    soft    nproc    10k\n');
  put('clean/etc/security/limits.conf', '*    soft    nofile    4096\n');
});
afterAll(() => { if (ws) rmSync(ws, { recursive: true, force: true }); });

interface StepRun { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> }

/** Run one `run` step of the action with these inputs (the rest at their defaults). */
function runStep(step: Step, inputs: Record<string, string>, extraEnv: NodeJS.ProcessEnv = {}): StepRun {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) values[k] = v.default ?? '';
  for (const [k, v] of Object.entries(inputs)) {
    expect(action.inputs, `input ${k}`).toHaveProperty([k]);
    values[k] = v;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LIMITSCTL_NO_CODE_CACHE: '1', PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  for (const [k, v] of Object.entries(step.env ?? {})) {
    env[k] = v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
      expect(action.inputs, `step env ${k} names input ${name}`).toHaveProperty([name]);
      return values[name]!;
    });
  }
  const out = path.join(ws, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd: ws,
    env: { ...env, GITHUB_ACTION_PATH: REPO, GITHUB_WORKSPACE: ws, GITHUB_OUTPUT: out, ...extraEnv },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^([\w-]+)=(.*)$/.exec(line);
    if (m) outputs[m[1]!] = m[2]!;
  }
  rmSync(out);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

const build = () => action.runs.steps[0]!;
const lint = () => action.runs.steps.find((s) => s.id === 'lint')!;

describe('action.yml', () => {
  it('is a composite action whose scripts take inputs only through env (no ${{ }} inside a script)', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(step.shell, step.name).toBe('bash');
      expect(step.run, step.name).toBeDefined();
      expect(step.run, step.name).not.toContain('${{');
    }
    for (const [name, out] of Object.entries(action.outputs)) {
      const m = /^\$\{\{ steps\.(\w+)\.outputs\.([\w-]+) \}\}$/.exec(out.value);
      expect(m, name).not.toBeNull();
      expect(action.runs.steps.map((s) => s.id)).toContain(m![1]);
      expect(lint().run).toContain(`echo "${m![2]}=`);
    }
  });

  it('refuses a Node.js older than 20 on PATH with an error annotation, exit 2', () => {
    const bin = path.join(ws, 'old-node');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'node'), '#!/bin/sh\n[ "$1" = --version ] && { echo v18.20.0; exit 0; }\nexit 1\n');
    chmodSync(path.join(bin, 'node'), 0o755);
    const r = runStep(build(), {}, { PATH: `${bin}:/usr/bin:/bin` });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('::error title=limitsctl::limitsctl needs Node.js 20 or later on PATH (found: v18.20.0)');
  });
});

describe.skipIf(!built)('action.yml run here (dist/ built)', () => {
  it('build step: with dist/ built it checks Node and installs nothing', () => {
    const r = runStep(build(), {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('format github: annotations for the findings, exit code 1 as output and as the step result', () => {
    const r = runStep(lint(), { paths: 'hosts/*' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::error file=hosts\/web 1\/etc\/security\/limits\.d\/90-nproc\.conf,line=2,col=17,.*title=LC003 unknown-item::/m);
    expect(r.stdout).toMatch(/^::warning file=hosts\/db1\/etc\/security\/limits\.conf,line=1,/m);
    expect(r.outputs).toEqual({ 'exit-code': '1' });
  });

  it('paths: one per line, blank lines and surrounding spaces ignored, spaces inside kept', () => {
    const r = runStep(lint(), { paths: '  clean  \n\n\thosts/web 1/etc/security/limits.conf \n' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toEqual({ 'exit-code': '0' });
  });

  it('max-warnings 0 makes a warning fail; profile and config are passed on', () => {
    expect(runStep(lint(), { paths: 'hosts/db1' }).status).toBe(0);
    expect(runStep(lint(), { paths: 'hosts/db1', 'max-warnings': '0' }).status).toBe(1);
    const badProfile = runStep(lint(), { paths: 'clean', profile: 'no-such-release' });
    expect(badProfile.status).toBe(2);
    expect(badProfile.stderr).toContain('no-such-release');
    const badConfig = runStep(lint(), { paths: 'clean', config: 'missing.ini' });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('missing.ini');
  });

  it('format sarif: the report in sarif-file, its absolute path as output when lint ran to the end', () => {
    const r = runStep(lint(), { paths: 'hosts/*', format: 'sarif', 'sarif-file': 'out/limits.sarif' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.outputs).toEqual({ 'exit-code': '1', 'sarif-file': path.join(ws, 'out/limits.sarif') });
    const sarif = JSON.parse(readFileSync(path.join(ws, 'out/limits.sarif'), 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((x) => x.ruleId).sort()).toEqual(['LC003', 'LC005']);
  });

  it('format sarif after a usage error: exit 2 and no sarif-file output, so nothing is uploaded', () => {
    const r = runStep(lint(), { paths: 'hosts/nothing-here', format: 'sarif', 'sarif-file': 'broken.sarif' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('hosts/nothing-here');
    expect(r.outputs).toEqual({ 'exit-code': '2' });
  });

  it('a sarif-file that cannot be written is an error annotation, exit 2 (not exit 1, as findings)', () => {
    writeFileSync(path.join(ws, 'a-file'), '');
    const r = runStep(lint(), { paths: 'clean', format: 'sarif', 'sarif-file': 'a-file/limits.sarif' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("::error title=limitsctl::cannot write the sarif-file 'a-file/limits.sarif'");
    expect(r.outputs).toEqual({ 'exit-code': '2' });
  });

  it('a usage or I/O error (exit 2) is an error annotation too, one line, besides the plain text on stderr', () => {
    const runnerTemp = mkdtempSync(path.join(ws, 'runner-temp-'));
    const bad = runStep(lint(), { paths: 'clean', profile: 'bogus' }, { RUNNER_TEMP: runnerTemp });
    expect(bad.status).toBe(2);
    expect(bad.outputs).toEqual({ 'exit-code': '2' });
    expect(bad.stderr).toMatch(/^limitsctl: --profile must be one of .*; got 'bogus'\nRun 'limitsctl --help' for usage\.\n$/);
    // the whole message in one workflow command: its line break as %0A, the tool's prefix left to the title
    expect(bad.stdout).toMatch(/^::error title=limitsctl::--profile must be one of .*; got 'bogus'%0ARun 'limitsctl --help' for usage\.$/m);
    expect(readdirSync(runnerTemp), 'the captured stderr is removed').toEqual([]);
    // the same under format sarif, where stdout is the report file
    const missing = runStep(lint(), { paths: 'hosts/100% gone', format: 'sarif', 'sarif-file': 'gone.sarif' }, { RUNNER_TEMP: runnerTemp });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('hosts/100% gone');
    expect(missing.stdout).toMatch(/^::error title=limitsctl::.*hosts\/100%25 gone.*$/m);
    expect(readdirSync(runnerTemp)).toEqual([]);
    // findings (exit 1) and a clean run add no such annotation
    expect(runStep(lint(), { paths: 'hosts/*' }).stdout).not.toContain('::error title=limitsctl::');
    expect(runStep(lint(), { paths: 'clean' }).stdout).not.toContain('::error');
  });

  it('an unknown format or an empty sarif-file is an error annotation, exit 2', () => {
    const f = runStep(lint(), { format: 'junit' });
    expect(f.status).toBe(2);
    expect(f.stdout).toContain("::error title=limitsctl::format must be github or sarif, not 'junit'");
    const s = runStep(lint(), { format: 'sarif', 'sarif-file': '' });
    expect(s.status).toBe(2);
    expect(s.stdout).toContain('::error title=limitsctl::the sarif-file input is empty');
  });
});
