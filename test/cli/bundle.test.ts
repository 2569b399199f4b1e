/**
 * The bundled CLI (dist/limitsctl.cjs, scripts/bundle.mjs) and the code cache bin/limitsctl.js
 * keeps for it: the bundle, the bin with a cold, warm, garbage, foreign or unwritable cache, and the
 * ES modules tsc built (dist/cli/main.js) print the same bytes and exit alike. So does the core
 * the lint and the edit bundle (dist/limitsctl-core.cjs, dist/limitsctl-lint.cjs, dist/limitsctl-edit.cjs: a few commands each; every
 * other command line goes to the whole CLI).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DEMO, REPO } from './helpers.js';

const BUNDLE = path.join(REPO, 'dist/limitsctl.cjs');
const CORE = path.join(REPO, 'dist/limitsctl-core.cjs');
const LINT = path.join(REPO, 'dist/limitsctl-lint.cjs');
const EDIT = path.join(REPO, 'dist/limitsctl-edit.cjs');
const built = existsSync(BUNDLE) && existsSync(path.join(REPO, 'dist/cli/main.js'));
let tmp = '';
let esm = '';
/** The core and the lint bundle alone, as programs: main() with the whole CLI it falls back to by default. */
let core = '';
let lint = '';

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-bundle-'));
  esm = path.join(tmp, 'esm.mjs');
  writeFileSync(esm, `const { main } = await import(${JSON.stringify(path.join(REPO, 'dist/cli/main.js'))});\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  core = path.join(tmp, 'core.cjs');
  writeFileSync(core, `require(${JSON.stringify(CORE)}).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
  lint = path.join(tmp, 'lint.cjs');
  writeFileSync(lint, `require(${JSON.stringify(LINT)}).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { status: number | null; stdout: string; stderr: string }

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.LIMITSCTL_NO_CODE_CACHE;
  delete base.LIMITSCTL_CACHE_DIR;
  const r = spawnSync(process.execPath, [script, ...args], { cwd: REPO, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS: string[][] = [
  ['get', 'nproc', '--user', 'admin', '--root', DEMO],
  ['get', 'nofile', '--user', 'admin', '--root', DEMO, '--json'],
  ['effective', '--user', 'admin', '--root', DEMO, '--json'],
  ['explain', 'nproc', '--user', 'admin', '--root', DEMO],
  ['files', '--root', DEMO],
  ['lint', '--root', DEMO],
  ['lint', '--root', DEMO, '--format', 'sarif'],
  ['doctor', '--root', 'fixtures/doctor/healthy', '--user', 'admin', '--json'],
  ['set', 'nproc', '4096', '--user', 'admin', '--root', DEMO, '--dry-run'],
  ['profiles'],
  ['--help'],
  ['get', '--help'],
  ['help', 'lint'],
  ['--version'],
  ['completion'],
  ['gte', 'nproc'],
  ['get', 'nproc', '--user', 'nobody-here', '--root', DEMO, '--json'],
  ['files', '--root', '/nonexistent/limitsctl-root'],
  [],
];

const label = (args: string[]) => args.map((a) => (a.startsWith(REPO) ? path.relative(REPO, a) : a)).join(' ') || '(no arguments)';

describe.skipIf(!built)('the bundled CLI', () => {
  for (const args of COMMANDS) {
    it(`prints and exits as the ES modules do: ${label(args)}`, () => {
      const want = run(esm, args);
      expect(want.status, want.stderr).not.toBeNull();
      const dir = path.join(tmp, `cache-${Math.random().toString(36).slice(2)}`);
      expect(run(BUNDLE, args)).toEqual(want);
      expect(run(core, args), 'the core bundle').toEqual(want);
      expect(run(lint, args), 'the lint bundle').toEqual(want);
      expect(run(BIN, args, { LIMITSCTL_NO_CODE_CACHE: '1' })).toEqual(want);
      expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir }), 'cold cache').toEqual(want);
      expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir }), 'warm cache').toEqual(want);
    });
  }

  it('is one file that needs nothing beside it: it runs from an empty directory', () => {
    const alone = path.join(tmp, 'alone');
    mkdirSync(alone);
    writeFileSync(path.join(alone, 'limitsctl.cjs'), readFileSync(BUNDLE));
    const args = ['get', 'nproc', '--user', 'admin', '--root', DEMO];
    expect(run(path.join(alone, 'limitsctl.cjs'), args)).toEqual(run(esm, args));
    expect(run(path.join(alone, 'limitsctl.cjs'), ['--version']).stdout).toBe(`${JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
  });
});

describe.skipIf(!built)('the text of each bundle', () => {
  const binWrapped = () => /^const VM_WRAPPED = '(.*)';$/m.exec(readFileSync(BIN, 'utf8'))?.[1];

  it('is one function expression after its #! line, the text bin/limitsctl.js compiles as it is', async () => {
    const { VM_WRAPPED } = await import(path.join(REPO, 'scripts/bundle.mjs')) as { VM_WRAPPED: string };
    expect(binWrapped()).toBe(VM_WRAPPED);
    for (const file of [BUNDLE, CORE, LINT, EDIT]) {
      const text = readFileSync(file, 'latin1');
      const body = text.startsWith('#!') ? text.slice(text.indexOf('\n') + 1) : text;
      expect(body.startsWith(`${VM_WRAPPED}\n`), file).toBe(true);
      expect(text.endsWith('\n});\n'), file).toBe(true);
      // compiled as a script of its own, its value is the function CommonJS' arguments go to
      const { runInThisContext } = await import('node:vm');
      const fn = runInThisContext(body, { filename: file }) as (...a: unknown[]) => void;
      expect(typeof fn, file).toBe('function');
      const mod = { exports: {} as { main?: unknown } };
      fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
      expect(typeof mod.exports.main, file).toBe('function');
    }
  });

  it('a bundle without that wrapper (an older build beside this bin) is wrapped by the bin and runs alike', () => {
    const dir = path.join(tmp, 'unwrapped');
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'bin/limitsctl.js'), readFileSync(BIN));
    writeFileSync(path.join(dir, 'bin/package.json'), readFileSync(path.join(REPO, 'bin/package.json')));
    const wrapped = binWrapped()!;
    for (const file of [BUNDLE, CORE]) {
      const text = readFileSync(file, 'latin1');
      const plain = text.replace(`${wrapped}\n`, '').replace(/\n\}\);\n$/, '\n');
      expect(plain.length, file).toBe(text.length - wrapped.length - 5);
      writeFileSync(path.join(dir, 'dist', path.basename(file)), plain, 'latin1');
    }
    const args = ['get', 'nproc', '--user', 'admin', '--root', DEMO];
    const want = run(esm, args);
    const cache = path.join(tmp, 'unwrapped-cache');
    for (const when of ['cold cache', 'warm cache']) expect(run(path.join(dir, 'bin/limitsctl.js'), args, { LIMITSCTL_CACHE_DIR: cache }), when).toEqual(want);
    expect(run(path.join(dir, 'bin/limitsctl.js'), ['--version'], { LIMITSCTL_CACHE_DIR: cache }).stdout).toBe(`${JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
  });
});

describe.skipIf(!built)('the partial bundles', () => {
  /** The module paths a bundle holds (esbuild names each by its path). */
  const modulesOf = (file: string) => [...readFileSync(file, 'latin1').matchAll(/"((?:src|node_modules)\/[\w./-]+)"\(/g)].map((m) => m[1]!);
  const wordsOf = (name: string) => JSON.parse(new RegExp(`const ${name} = (\\[[^\\]]*\\]);`).exec(readFileSync(BIN, 'utf8'))![1]!.replace(/'/g, '"')) as string[];

  it('the core bundle holds the commands bin/limitsctl.js starts it for, and not yargs nor the other commands', () => {
    expect(existsSync(CORE), 'npm run build writes dist/limitsctl-core.cjs').toBe(true);
    const holds = (createRequire(import.meta.url)(CORE) as { HOLDS: string[] }).HOLDS;
    expect(wordsOf('CORE_WORDS')).toEqual(holds);
    const modules = modulesOf(CORE);
    expect(modules.filter((m) => m.startsWith('src/cli/commands/')).sort()).toEqual(holds.map((c) => `src/cli/commands/${c}.ts`).sort());
    expect(modules.filter((m) => m.startsWith('node_modules/') || m.startsWith('src/core/lint/'))).toEqual([]);
    expect(readFileSync(CORE, 'latin1')).not.toMatch(/y18n|Not enough non-option arguments/); // yargs
    expect(statSync(CORE).size).toBeLessThan(statSync(BUNDLE).size / 3);
  });

  it('the lint bundle holds lint, and not yargs nor the other commands', () => {
    expect(existsSync(LINT), 'npm run build writes dist/limitsctl-lint.cjs').toBe(true);
    const holds = (createRequire(import.meta.url)(LINT) as { HOLDS: string[] }).HOLDS;
    expect(holds).toEqual(['lint']);
    expect(wordsOf('LINT_WORDS')).toEqual(holds);
    const modules = modulesOf(LINT);
    expect(modules.filter((m) => m.startsWith('src/cli/commands/'))).toEqual(['src/cli/commands/lint.ts']);
    expect(modules.filter((m) => /^node_modules\/(yargs|y18n|cliui|yargs-parser)\//.test(m))).toEqual([]);
    expect(readFileSync(LINT, 'latin1')).not.toMatch(/y18n|Not enough non-option arguments/);
    expect(statSync(LINT).size).toBeLessThan(statSync(BUNDLE).size * 0.8);
  });

  it('the edit bundle holds set and unset, and not yargs nor the other commands nor the lint rules', () => {
    expect(existsSync(EDIT), 'npm run build writes dist/limitsctl-edit.cjs').toBe(true);
    const holds = (createRequire(import.meta.url)(EDIT) as { HOLDS: string[] }).HOLDS;
    expect(holds).toEqual(['set', 'unset']);
    expect(wordsOf('EDIT_WORDS')).toEqual(holds);
    const modules = modulesOf(EDIT);
    expect(modules.filter((m) => m.startsWith('src/cli/commands/')).sort()).toEqual(['src/cli/commands/set.ts', 'src/cli/commands/unset.ts']);
    expect(modules.filter((m) => /^node_modules\/(yargs|y18n|cliui|yargs-parser)\//.test(m) || m.startsWith('src/core/lint/'))).toEqual([]);
    expect(readFileSync(EDIT, 'latin1')).not.toMatch(/y18n|Not enough non-option arguments/);
    expect(statSync(EDIT).size).toBeLessThan(statSync(BUNDLE).size / 2);
  });

  it('set and unset through the edit bundle write and print what the whole CLI does', () => {
    const trees = ['edit', 'whole'].map((name) => {
      const root = path.join(tmp, `edit-${name}`);
      mkdirSync(path.join(root, 'etc/security'), { recursive: true });
      writeFileSync(path.join(root, 'etc/security/limits.conf'), '# site\n*  soft  nofile  1024\nadmin hard nproc 50\n');
      return root;
    });
    const [viaEdit, viaWhole] = [EDIT, BUNDLE].map((file, i) => {
      const root = trees[i]!;
      const prog = path.join(tmp, `edit-prog-${i}.cjs`);
      writeFileSync(prog, `require(${JSON.stringify(file)}).main(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`);
      const out = [
        run(prog, ['set', 'nofile', '4096', '--user', 'admin', '--root', root]),
        run(prog, ['set', 'nofile', '4096', '--user', 'admin', '--root', root]),
        run(prog, ['unset', 'nproc', '--user', 'admin', '--root', root, '--dry-run']),
        run(prog, ['set', 'nofile', 'x', '--user', 'admin', '--root', root]),
      ];
      return { out, file: readFileSync(path.join(root, 'etc/security/limits.conf'), 'utf8') };
    });
    expect(viaEdit!.file).toContain('admin');
    expect(viaEdit).toEqual(viaWhole);
  });

  it('copy no Node module at start-up: a default or namespace import of node:* is a plain require()', () => {
    for (const file of [BUNDLE, CORE, LINT, EDIT]) {
      const text = readFileSync(file, 'latin1');
      expect(text, path.basename(file)).toMatch(/require\("node:path"\)/);
      expect(text.match(/__toESM\(require\("node:[^"]*"\)[^)]*\)/g) ?? [], path.basename(file)).toEqual([]);
    }
  });

  it("run picomatch at the first ignore[] pattern, not at start-up, and its patterns apply through the lint bundle", () => {
    // the stand-in (scripts/bundle.mjs LAZY_DEFAULTS) requires the package only when called
    const text = readFileSync(LINT, 'latin1');
    expect(text).toMatch(/"lazy-default:picomatch\/posix\.js"/);
    const repo = path.join(tmp, 'ignore-repo');
    for (const h of ['web1', 'legacy']) {
      mkdirSync(path.join(repo, 'hosts', h, 'etc/security'), { recursive: true });
      writeFileSync(path.join(repo, 'hosts', h, 'etc/security/limits.conf'), `${h} soft npoc 10\n`);
    }
    const lintIn = (ini: string) => {
      writeFileSync(path.join(repo, '.limitsctl.ini'), ini);
      const r = spawnSync(process.execPath, [lint, 'lint', 'hosts/*', '--profile', 'linux-pam-1.5.2'], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const none = lintIn('');
    expect(none.stdout).toMatch(/^hosts\/legacy\//m);
    const ignored = lintIn('ignore[] = hosts/{legacy,old}/**\n');
    expect(ignored.status).toBe(1);
    expect(ignored.stdout).toMatch(/^hosts\/web1\//m);
    expect(ignored.stdout).not.toMatch(/legacy/);
    const refused = lintIn('ignore[] = hosts/[z-a]\n');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/ignore\[\] = hosts\/\[z-a\].*not a usable glob pattern/);
  });

  it('are what bin/limitsctl.js runs for their commands (each its own code cache), the whole CLI for the rest', () => {
    const dir = path.join(tmp, 'routes');
    const tags = () => (existsSync(dir) ? readdirSync(dir).map((f) => f.replace(/^limitsctl-(\w+)-.*-(\w+)\.v8cache$/, '$1 $2')).sort() : []);
    run(BIN, ['get', 'nproc', '--user', 'admin', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    run(BIN, ['files', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    expect(tags()).toEqual(['core files', 'core get']);
    run(BIN, ['lint', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    expect(tags()).toEqual(['core files', 'core get', 'lint lint']);
    // a partial bundle's command word whose command line is help: handed to the whole CLI
    run(BIN, ['explain', '--help'], { LIMITSCTL_CACHE_DIR: dir });
    run(BIN, ['lint', '--help'], { LIMITSCTL_CACHE_DIR: dir });
    run(BIN, ['profiles'], { LIMITSCTL_CACHE_DIR: dir });
    expect(tags()).toEqual(['cli explain', 'cli lint', 'cli profiles', 'core explain', 'core files', 'core get', 'lint lint']);
    const root = path.join(tmp, 'routes-tree');
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), '*  soft  nofile  1024\n');
    run(BIN, ['set', 'nofile', '2048', '--user', 'admin', '--root', root, '--dry-run'], { LIMITSCTL_CACHE_DIR: dir });
    run(BIN, ['unset', 'nofile', '--user', 'admin', '--root', root, '--dry-run'], { LIMITSCTL_CACHE_DIR: dir });
    expect(tags().filter((t) => t.startsWith('edit '))).toEqual(['edit set', 'edit unset']);
  });
});

describe.skipIf(!built)('the code cache', () => {
  const args = ['get', 'nproc', '--user', 'admin', '--root', DEMO];
  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

  it('is written once per command, privately, and then used as it is', () => {
    const dir = path.join(tmp, 'warm', 'limitsctl');
    const want = run(esm, args);
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    const [name, ...more] = files(dir);
    expect(more).toEqual([]);
    expect(name).toMatch(/^limitsctl-.*-get\.v8cache$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const first = statSync(path.join(dir, name!));
    expect(first.mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, name!)).subarray(0, 8).toString()).toBe('LCTLv8c3');
    // accepted by V8: not rewritten (a rejected cache would be replaced)
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    const again = statSync(path.join(dir, name!));
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    // another command has its own file; a usage error writes none
    run(BIN, ['lint', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    run(BIN, ['gte'], { LIMITSCTL_CACHE_DIR: dir });
    expect(files(dir).map((f) => f.replace(/^limitsctl-.*-(\w+)\.v8cache$/, '$1'))).toEqual(['get', 'lint']); // core-…, lint-…
  });

  // lint of a repository of two trees changes a V8 flag as it runs (commands/lint.ts
  // tuneCompilerForLint, on the V8 it was measured with); V8 would reject a cache made then
  it.skipIf(!process.versions.v8.startsWith('11.3.'))('a run that changed V8 flags keeps no cache; a later run keeps one and the repository lint then uses it', () => {
    const dir = path.join(tmp, 'flags', 'limitsctl');
    const repo = path.join(tmp, 'flags-repo');
    for (const h of ['a', 'b']) {
      mkdirSync(path.join(repo, 'hosts', h, 'etc/security'), { recursive: true });
      writeFileSync(path.join(repo, 'hosts', h, 'etc/security/limits.conf'), `*  soft  nofile  1024\n${h}  hard  nproc  x\n`);
    }
    const repoLint = (): Run => {
      const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LIMITSCTL_CACHE_DIR: dir };
      delete base.LIMITSCTL_NO_CODE_CACHE;
      const r = spawnSync(process.execPath, [BIN, 'lint', '--profile', 'debian', 'hosts/*'], { cwd: repo, env: base, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const first = repoLint();
    expect(first.status).toBe(1);
    expect(first.stdout).toContain('hosts/b/etc/security/limits.conf');
    expect(files(dir).filter((f) => /-lint\.v8cache$/.test(f))).toEqual([]);
    // one tree, small: no flag changed, so its cache is kept
    run(BIN, ['lint', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    const [name, ...more] = files(dir).filter((f) => /-lint\.v8cache$/.test(f));
    expect(more).toEqual([]);
    const kept = statSync(path.join(dir, name!));
    // accepted by the repository lint (its flag is changed after the bundle is loaded): not rewritten
    expect(repoLint()).toEqual(first);
    const again = statSync(path.join(dir, name!));
    expect([again.ino, again.mtimeMs]).toEqual([kept.ino, kept.mtimeMs]);
  });

  it('a temporary file a killed writer left is removed when a cache is written; a live writer\'s is kept', () => {
    const dir = path.join(tmp, 'stale', 'limitsctl');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // a pid no process has (above the kernel's pid_max), and this test's own process (alive)
    const dead = path.join(dir, '.limitsctl-core-x-get.v8cache.4194305.tmp');
    const live = path.join(dir, `.limitsctl-core-x-get.v8cache.${process.pid}.tmp`);
    const other = path.join(dir, 'notes.tmp');
    for (const f of [dead, live, other]) writeFileSync(f, 'partial');
    // directories of such names (not removed) stop the removal of no other file, whatever the
    // order the directory lists them in: nor of a cache of an older build
    const dirs = [4194306, 4194308].map((pid) => path.join(dir, `.limitsctl-core-x-get.v8cache.${pid}.tmp`));
    for (const d of dirs) mkdirSync(d);
    const dead2 = path.join(dir, '.limitsctl-core-y-get.v8cache.4194307.tmp');
    const old = path.join(dir, 'limitsctl-core-OLD-get.v8cache');
    for (const f of [dead2, old]) writeFileSync(f, 'x');
    run(BIN, args, { LIMITSCTL_CACHE_DIR: dir });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(dead2)).toBe(false);
    expect(existsSync(old)).toBe(false);
    for (const d of dirs) expect(statSync(d).isDirectory()).toBe(true);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(files(dir).filter((f) => /^limitsctl-.*-get\.v8cache$/.test(f))).toHaveLength(1);
    for (const d of dirs) rmSync(d, { recursive: true });
  });

  it('two installs sharing a cache directory keep each other\'s caches; an install\'s older build, or a cache left 30 days, is removed', () => {
    const dir = path.join(tmp, 'sites', 'limitsctl');
    // a second install: the same bin and bundles in another place (a global one beside a project's)
    const other = path.join(tmp, 'sites-install');
    mkdirSync(path.join(other, 'dist'), { recursive: true });
    mkdirSync(path.join(other, 'bin'), { recursive: true });
    for (const f of ['limitsctl.js', 'package.json']) writeFileSync(path.join(other, 'bin', f), readFileSync(path.join(REPO, 'bin', f)));
    for (const f of ['limitsctl.cjs', 'limitsctl-core.cjs']) writeFileSync(path.join(other, 'dist', f), readFileSync(path.join(REPO, 'dist', f)));
    const otherBin = path.join(other, 'bin/limitsctl.js');
    const want = run(BIN, args);
    const gets = () => files(dir).filter((f) => /-get\.v8cache$/.test(f));
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    expect(run(otherBin, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    const both = gets();
    expect(both).toHaveLength(2);
    const stamp = () => both.map((f) => { const st = statSync(path.join(dir, f)); return [f, st.ino, st.mtimeMs]; });
    const before = stamp();
    // each used as it is by its own install, in turn: none rewritten (before, each run removed
    // the other's and wrote its own again)
    for (const bin of [BIN, otherBin, BIN, otherBin]) expect(run(bin, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    expect(stamp()).toEqual(before);
    // a new build of the second install (its bundle rewritten): its older cache goes, the first's stays
    const core = path.join(other, 'dist/limitsctl-core.cjs');
    writeFileSync(core, `${readFileSync(core, 'latin1')}\n`, 'latin1');
    expect(run(otherBin, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    const now = gets();
    expect(now).toHaveLength(2);
    const mine = both.filter((f) => now.includes(f));
    expect(mine).toHaveLength(1);
    // the first install's cache, left unwritten for 31 days, is removed when the second writes one
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    utimesSync(path.join(dir, mine[0]!), old, old);
    expect(run(otherBin, ['files', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir }).status).toBe(0);
    expect(existsSync(path.join(dir, mine[0]!))).toBe(false);
    expect(gets()).toEqual(now.filter((f) => f !== mine[0]));
  });

  it('a FIFO at a cache file\'s name is not waited on: the run goes on and replaces it', () => {
    const dir = path.join(tmp, 'fifo', 'limitsctl');
    const want = run(esm, args);
    run(BIN, args, { LIMITSCTL_CACHE_DIR: dir });
    const [name] = files(dir);
    rmSync(path.join(dir, name!));
    expect(spawnSync('mkfifo', ['-m', '600', path.join(dir, name!)]).status).toBe(0);
    // (before, the open blocked for ever: run's timeout would end it with no status)
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    expect(statSync(path.join(dir, name!)).isFile()).toBe(true);
  });

  it('a usage error of a known command (exit 2) writes no cache: nothing changes anywhere', () => {
    const dir = path.join(tmp, 'usage', 'limitsctl');
    const r = run(BIN, ['get', 'nproc', '--usr', 'admin', '--root', DEMO], { LIMITSCTL_CACHE_DIR: dir });
    expect(r.status).toBe(2);
    expect(existsSync(path.join(tmp, 'usage'))).toBe(false);
  });

  it('garbage, torn or foreign data changes nothing and is replaced', () => {
    const dir = path.join(tmp, 'garbage');
    const want = run(esm, args);
    run(BIN, args, { LIMITSCTL_CACHE_DIR: dir });
    const [name] = files(dir);
    const file = path.join(dir, name!);
    const good = readFileSync(file);
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`code cache garbage seed ${seed}`);
    let x = seed;
    const random = Buffer.alloc(good.length, 0).map(() => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)]! ^= 0x40;
    // the file: magic (8 bytes), n (uint32 LE), 4 zero bytes, the V8 data (n bytes, at an 8-byte
    // aligned offset), the same n bytes again
    const n = good.readUInt32LE(8);
    expect(good.readUInt32LE(12)).toBe(0);
    expect(good.length).toBe(16 + 2 * n);
    expect(good.subarray(16, 16 + n).equals(good.subarray(16 + n))).toBe(true);
    const badV8 = Buffer.from(good);
    badV8.fill(0x41, 16, 64); // the V8 header, in both copies: only V8 can reject it
    badV8.fill(0x41, 16 + n, 64 + n);
    const padded = Buffer.from(good);
    padded[12] = 1; // the reserved bytes of the header
    const second = Buffer.from(good);
    second[good.length - 1]! ^= 0x01; // the last byte of the second copy
    const longer = Buffer.concat([good, Buffer.from([0])]);
    for (const [what, bytes] of [['random', random], ['empty', Buffer.alloc(0)], ['torn', good.subarray(0, good.length >> 1)], ['a bit flipped', flipped],
      ['a bit flipped in the second copy', second], ['a byte more', longer], ['V8 data of another kind', badV8], ['a header not ours', padded]] as const) {
      writeFileSync(file, bytes, { mode: 0o600 });
      expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir }), what).toEqual(want);
      // replaced by a whole one (a damaged file that was used would have been kept)
      const now = readFileSync(file);
      expect(now.subarray(0, 8).toString(), what).toBe('LCTLv8c3');
      const m = now.readUInt32LE(8);
      expect(now.length, what).toBe(16 + 2 * m);
      expect(now.subarray(16, 16 + m).equals(now.subarray(16 + m)), what).toBe(true);
    }
    expect(files(dir)).toEqual([name]);
  });

  it('an unwritable, read-only or missing place changes nothing and writes nothing', () => {
    const want = run(esm, args);
    const blocker = path.join(tmp, 'a-file');
    writeFileSync(blocker, 'not a directory\n');
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: path.join(blocker, 'cache') })).toEqual(want);
    expect(readFileSync(blocker, 'utf8')).toBe('not a directory\n');
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: 'relative/cache' })).toEqual(want);
    expect(existsSync(path.join(REPO, 'relative'))).toBe(false);
    const home = path.join(tmp, 'no-home');
    expect(run(BIN, args, { HOME: '', XDG_CACHE_HOME: '' })).toEqual(want);
    expect(run(BIN, args, { HOME: home, XDG_CACHE_HOME: '' })).toEqual(want);
    expect(files(path.join(home, '.cache/limitsctl'))).toHaveLength(1);
    const off = path.join(tmp, 'off');
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: off, LIMITSCTL_NO_CODE_CACHE: '1' })).toEqual(want);
    expect(existsSync(off)).toBe(false);
    // a directory others may write, or a symbolic link, is not trusted: not read, not written
    const shared = path.join(tmp, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: shared })).toEqual(want);
    expect(files(shared)).toEqual([]);
    const link = path.join(tmp, 'link');
    mkdirSync(path.join(tmp, 'target'), { mode: 0o700 });
    symlinkSync(path.join(tmp, 'target'), link);
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: link })).toEqual(want);
    expect(files(path.join(tmp, 'target'))).toEqual([]);
  });

  it.skipIf(process.geteuid?.() !== 0)("another user's cache is never read (as root: a file chowned to nobody)", () => {
    const dir = path.join(tmp, 'foreign');
    const want = run(esm, args);
    run(BIN, args, { LIMITSCTL_CACHE_DIR: dir });
    const [name] = files(dir);
    const file = path.join(dir, name!);
    const before = readFileSync(file);
    chownSync(file, 65534, 65534);
    expect(run(BIN, args, { LIMITSCTL_CACHE_DIR: dir })).toEqual(want);
    // not trusted, so replaced by this user's own
    expect(statSync(file).uid).toBe(0);
    expect(readFileSync(file).subarray(0, 8)).toEqual(before.subarray(0, 8));
  });
});
