/**
 * The package as users get it: `npm pack`, installed into an empty project, used through `npx`
 * and `import`, with types resolving for a TypeScript consumer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, REPO } from './helpers.js';

let dir = '';
let tarball = '';
let files: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-pack-'));
  // dist/ is already built by `npm test`; --ignore-scripts keeps pack from rebuilding it
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  const info = JSON.parse(out)[0] as { filename: string; files: Array<{ path: string }> };
  tarball = path.join(dir, info.filename);
  files = info.files.map((f) => f.path);
  const project = path.join(dir, 'consumer');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, stdio: 'ignore' });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships what users need and nothing else', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/limitsctl.js', 'bin/package.json', 'dist/limitsctl.cjs', 'dist/limitsctl-core.cjs', 'dist/limitsctl-lint.cjs', 'dist/limitsctl-edit.cjs', 'dist/index.cjs', 'dist/cjs/index.d.ts', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'docs/effective-json.md']) {
      expect(files, f).toContain(f);
    }
    for (const f of files) expect(f, f).not.toMatch(/^(src|test|fixtures|bench|\.ci|ansible\/tests)\/|\.map$|tsconfig/);
    expect(files).toContain('ansible/library/limitsctl');
  });

  it('runs with npx: files --root fixtures/demo, text and --json', () => {
    const project = path.join(dir, 'consumer');
    const r = spawnSync('npx', ['--no-install', 'limitsctl', 'files', '--root', DEMO, '--json'], { cwd: project, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files).toHaveLength(2);
    const t = spawnSync('npx', ['--no-install', 'limitsctl', 'get', 'nproc', '--user', 'admin', '--root', DEMO], { cwd: project, encoding: 'utf8' });
    expect(t.stdout).toContain('soft 1024 (limits.d/90-nproc.conf:5 *)');
    const bad = spawnSync('npx', ['--no-install', 'limitsctl', 'files', '--root', path.join(dir, 'nope')], { cwd: project, encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });

  it('imports from JavaScript and type-checks from TypeScript', () => {
    const project = path.join(dir, 'consumer');
    writeFileSync(path.join(project, 'use.mjs'), `
      import { parseLimits, printDocument, loadTree, resolveLimits, loadIdentity } from 'limitsctl';
      const doc = parseLimits(Buffer.from('* soft nproc 10\\n'));
      if (Buffer.from(printDocument(doc)).toString() !== '* soft nproc 10\\n') process.exit(3);
      const tree = loadTree(${JSON.stringify(DEMO)});
      const res = resolveLimits(tree, loadIdentity(${JSON.stringify(DEMO)}, 'admin'));
      console.log(String(res.rlimits.nproc.soft.value));
    `);
    const r = spawnSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1024');
    writeFileSync(path.join(project, 'use.ts'), `
      import { parseLimits, resolveLimits, type Resolution, type EntryReading, planEdits, type EditPlan } from 'limitsctl';
      const doc = parseLimits(new Uint8Array([0x2a]), { profile: 'linux-pam-1.7.2' });
      const r = doc.lines[0]?.readings[0];
      const entry: EntryReading | undefined = r?.kind === 'entry' ? r : undefined;
      const plan: EditPlan = planEdits({ profile: 'debian-12', files: [], ignored: [], failure: null }, []);
      export const value: bigint | null = entry?.parsedValue?.number ?? null;
      export type R = Resolution;
      void plan; void resolveLimits;
    `);
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(REPO, 'node_modules/@types')] },
      files: ['use.ts'],
    }));
    const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
