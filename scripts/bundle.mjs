#!/usr/bin/env node
// Builds dist/limitsctl.cjs: the whole command-line tool (src/cli/main.ts, every command and the
// dependencies yargs, diff, fast-glob and ini) as one self-contained CommonJS file that runs with
// only `node` (`node dist/limitsctl.cjs get nproc --user admin`). bin/limitsctl.js loads it
// through the V8 code cache (docs/performance.md); the library entry dist/index.js and its types
// are tsc's output and do not use it.
//
// Why a bundle: the ES-module build opens and links about two dozen files at every start; one
// file is read and compiled once. What the bundle changes in the sources, and nothing else:
// - `createRequire(import.meta.url)(X)` becomes `require(X)`, so X (yargs' CommonJS build,
//   package.json) is inlined and loaded only when that call runs; any other import.meta fails
//   the build (it has no meaning in one file);
// - node:child_process is replaced by functions that load it on their first call (it costs a
//   few milliseconds at every start, and only the NSS fallback and one write path use it).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = path.join(repo, 'dist/limitsctl.cjs');

/** The names of node:child_process the sources import; a name missing here fails the build. */
const CHILD_PROCESS = ['execFile', 'execFileSync', 'spawn', 'spawnSync'];

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (args.namespace === 'lazy'
      ? { path: 'node:child_process', external: true }
      : { path: 'child_process', namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      loader: 'js',
      contents: [
        "let cp;",
        "const load = () => (cp ??= require('node:child_process'));",
        ...CHILD_PROCESS.map((n) => `export function ${n}(...a) { return load().${n}(...a); }`),
      ].join('\n'),
    }));
  },
};

const inlineRequires = {
  name: 'inline-create-require',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { loader: 'ts', contents: text.replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require(') };
    });
  },
};

/** Build the bundle; returns its path. */
export async function bundle({ outfile = BUNDLE, minify = process.env.BUNDLE_MINIFY ?? 'syntax' } = {}) {
  await build({
    entryPoints: [path.join(repo, 'src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifyWhitespace: minify !== 'none',
    minifySyntax: minify !== 'none',
    minifyIdentifiers: minify === 'all',
    legalComments: 'eof',
    plugins: [lazyChildProcess, inlineRequires],
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'error', 'import-is-undefined': 'error' },
    banner: {
      js: [
        '#!/usr/bin/env node',
        // run as a program: the same signal handling as bin/limitsctl.js, before anything runs
        "if (require.main === module) { process.once('SIGINT', () => process.exit(130)); process.once('SIGTERM', () => process.exit(143)); process.once('SIGHUP', () => process.exit(129)); }",
      ].join('\n'),
    },
    footer: {
      js: 'if (require.main === module) module.exports.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });',
    },
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
}
