/**
 * docs/library.md, as a user of the release tarball meets it: `npm pack` (dist/ is built by
 * `npm test`; --ignore-scripts packs it without rebuilding), installed into an empty project, and
 * every ```ts block of the page taken out of it mechanically (so the page and this test cannot
 * drift) and compiled by the repository's TypeScript with the strictest options users turn on
 * (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, module node16) — once as an ES
 * module (.mts) and once as CommonJS (.cts: its statements wrapped in an async function, as a
 * CommonJS module has no top-level await) — then run. ```js blocks are CommonJS scripts and run
 * as they are. CommonJS runs with require(esm) turned off, as on Node.js 20 before 20.19. A
 * failing assertion in an example fails its test with the example's stderr.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const DOC = readFileSync(path.join(REPO, 'docs/library.md'), 'utf8');
const built = existsSync(path.join(REPO, 'dist/index.cjs')) && existsSync(path.join(REPO, 'dist/index.js'));

interface Example { title: string; lang: 'ts' | 'js'; code: string }

/** The fenced ts/js blocks of the page, each with the title of the section it is in. */
function examplesOf(markdown: string): Example[] {
  const out: Example[] = [];
  let title = '(top)';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const h = /^##+ (.+)$/.exec(lines[i]!);
    if (h) { title = h[1]!; continue; }
    const f = /^```(ts|js)$/.exec(lines[i]!);
    if (!f) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    out.push({ title, lang: f[1] as 'ts' | 'js', code: `${body.join('\n')}\n` });
  }
  return out;
}

/** An ES-module example as CommonJS: the imports stay on top, the rest runs in an async function. */
function asCommonJs(code: string): string {
  const lines = code.split('\n');
  let n = 0;
  while (n < lines.length && (/^import\s.*;\s*$/.test(lines[n]!) || lines[n]!.trim() === '')) n++;
  return [
    ...lines.slice(0, n),
    'async function example(): Promise<void> {',
    ...lines.slice(n),
    '}',
    'example().catch((e: unknown) => { console.error(e); process.exitCode = 1; });',
    '',
  ].join('\n');
}

const examples = examplesOf(DOC);
let dir = '';
let project = '';
let compiled: { status: number | null; output: string } = { status: null, output: '' };

beforeAll(() => {
  if (!built) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-library-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  const tarball = path.join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
  project = path.join(dir, 'consumer');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, stdio: 'ignore', timeout: 300_000 });
  const files: string[] = [];
  for (const [i, ex] of examples.entries()) {
    if (ex.lang !== 'ts') continue;
    writeFileSync(path.join(project, `example-${i}.mts`), ex.code);
    writeFileSync(path.join(project, `example-${i}.cts`), asCommonJs(ex.code));
    files.push(`example-${i}.mts`, `example-${i}.cts`);
  }
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noImplicitOverride: true, noFallthroughCasesInSwitch: true,
      module: 'node16', moduleResolution: 'node16', target: 'ES2022', outDir: 'out', noEmitOnError: true, skipLibCheck: false,
      types: ['node'], typeRoots: [path.join(REPO, 'node_modules/@types')],
    },
    files,
  }));
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8', timeout: 300_000 });
  compiled = { status: tsc.status, output: tsc.stdout + tsc.stderr };
}, 600_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/**
 * CommonJS runs as on a Node.js 20 before 20.19, which cannot require() an ES module: where this
 * Node can (require(esm), 20.19+/22.12+), it is turned off, so only the CommonJS entry can serve.
 */
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module') ? ['--no-experimental-require-module'] : [];

function run(file: string): { status: number | null; stdout: string; stderr: string } {
  const flags = /\.cjs$/.test(file) ? NO_REQUIRE_ESM : [];
  const r = spawnSync(process.execPath, [...flags, file], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)('docs/library.md, against the packed tarball', () => {
  it('has the examples the page promises: lint, the byte round trip, CommonJS', () => {
    expect(examples.filter((e) => e.lang === 'ts').length).toBeGreaterThanOrEqual(10);
    expect(examples.some((e) => e.title === 'Lint' && /lintTree\(/.test(e.code))).toBe(true);
    expect(examples.some((e) => /# Zoë — café/.test(e.code) && /writeFileSync\(.*, change\.after\)/.test(e.code))).toBe(true);
    expect(examples.some((e) => e.lang === 'js' && /require\('limitsctl'\)/.test(e.code))).toBe(true);
  });

  it('every ts block compiles under strict TypeScript (module node16), as ESM and as CommonJS', () => {
    expect(compiled.output).toBe('');
    expect(compiled.status).toBe(0);
  });

  it('the declarations bring Node\'s types themselves: a consumer that lists no types still compiles (@types/node installed)', () => {
    writeFileSync(path.join(project, 'no-types.mts'), "import { parseLimits, printDocument } from 'limitsctl';\nexport const n: number = printDocument(parseLimits(new Uint8Array(0))).length;\n");
    writeFileSync(path.join(project, 'tsconfig.no-types.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [], typeRoots: [path.join(REPO, 'node_modules/@types')] },
      files: ['no-types.mts'],
    }));
    const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(project, 'tsconfig.no-types.json')], { cwd: project, encoding: 'utf8', timeout: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  for (const [i, ex] of examples.entries()) {
    if (ex.lang === 'ts') {
      it(`${ex.title} (block ${i}) runs as an ES module`, () => {
        expect(compiled.status, compiled.output).toBe(0);
        const r = run(`out/example-${i}.mjs`);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      });
      it(`${ex.title} (block ${i}) runs as CommonJS`, () => {
        expect(compiled.status, compiled.output).toBe(0);
        const r = run(`out/example-${i}.cjs`);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      });
    } else {
      it(`${ex.title} (block ${i}) runs as a CommonJS script`, () => {
        writeFileSync(path.join(project, `script-${i}.cjs`), ex.code);
        const r = run(`script-${i}.cjs`);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      });
    }
  }
});
