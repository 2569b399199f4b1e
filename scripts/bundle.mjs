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
//   few milliseconds at every start, and only the NSS fallback and one write path use it);
// - picomatch (LAZY_DEFAULTS) is required at its first use, not at every start;
// - `import path from 'node:path'` becomes `const path = require('node:path')` (no interop copy
//   of the module per importing file).
//
// It also builds the partial bundles, each the same entry with only some commands and without
// yargs and the other commands' code, so a start reads, deserialises and faults in that much less:
// dist/limitsctl-core.cjs (CORE_COMMANDS: the read-only commands most often run cold — a shell
// prompt, a monitoring check), dist/limitsctl-lint.cjs (LINT_COMMANDS: a pre-commit hook, CI) and
// dist/limitsctl-edit.cjs (EDIT_COMMANDS: set and unset, started once per change by a fleet run).
// bin/limitsctl.js loads one of them for those command words; any other command line it is given
// (help, another command) it hands to the whole CLI (main()'s PartialBundle), so a partial file
// is never needed for correctness, only for speed. None is a program of its own.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = path.join(repo, 'dist/limitsctl.cjs');
export const CORE_BUNDLE = path.join(repo, 'dist/limitsctl-core.cjs');
export const LINT_BUNDLE = path.join(repo, 'dist/limitsctl-lint.cjs');
export const EDIT_BUNDLE = path.join(repo, 'dist/limitsctl-edit.cjs');

/**
 * The commands of the core, the lint and the edit bundle. bin/limitsctl.js keeps the same lists
 * (CORE_WORDS, LINT_WORDS, EDIT_WORDS) to choose the file; a difference costs only speed
 * (test/cli/bundle.test.ts compares them).
 */
export const CORE_COMMANDS = ['files', 'get', 'effective', 'explain'];
export const LINT_COMMANDS = ['lint'];
export const EDIT_COMMANDS = ['set', 'unset'];

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

/**
 * Packages imported for their default export that only some command lines call (picomatch: a
 * lint settings file's `ignore[]`): the import becomes a stand-in that requires the package at
 * its first use, so a start does not run the package's module code (and CommonJS interop copies
 * of its exports) for nothing. The stand-in forwards calls and property reads; nothing else.
 */
const LAZY_DEFAULTS = ['picomatch/posix.js'];

const lazyDefaults = {
  name: 'lazy-default-import',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_DEFAULTS.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-default' ? undefined : { path: args.path, namespace: 'lazy-default' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-default' }, (args) => ({
      loader: 'js',
      resolveDir: repo,
      contents: [
        'let m;',
        `const load = () => (m ??= require(${JSON.stringify(args.path)}));`,
        'export default new Proxy(function () {}, {',
        '  get: (_t, k) => load()[k],',
        '  apply: (_t, self, args) => Reflect.apply(load(), self, args),',
        '});',
      ].join('\n'),
    }));
  },
};

/**
 * A default or namespace import of a Node module in the sources (`import path from 'node:path'`,
 * `import * as path from 'node:path'`) as a plain require(): esbuild turns each such import into an interop copy of the module (__toESM: a getter
 * for every export, node:fs has a hundred), once per importing file and at every start.
 */
const NODE_DEFAULT_IMPORT = /^import (?:\* as )?(?!type\b)([A-Za-z_$][\w$]*)(, \{[^}]*\})? from '(node:[a-z_/]+)';$/gm;

/**
 * `createRequire(import.meta.url)(X)` → `require(X)`, and NODE_DEFAULT_IMPORT, in the sources
 * (also the library's bundle, bundle-lib.mjs).
 */
export const inlineRequires = {
  name: 'inline-create-require',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return {
        loader: 'ts',
        contents: text
          .replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require(')
          .replace(NODE_DEFAULT_IMPORT, (_m, name, named, from) => `const ${name} = require('${from}');${named ? ` import ${named.slice(2)} from '${from}';` : ''}`),
      };
    });
  },
};

const MAIN = path.join(repo, 'src/cli/main.ts');

/**
 * For a partial bundle of `commands`: the entry (main() with the PartialBundle of those commands),
 * and what main.ts loads only for other command lines — the other commands, completion, the rule
 * table of `rules` completion, yargs and package.json (help, --version) — replaced by a module
 * that fails if it is ever run (main() hands those command lines to the whole CLI before loading
 * any of them). What the commands themselves import (lint's rules, say) is bundled as usual.
 */
function partialOnly(commands) {
  return {
    name: 'partial-only',
    setup(b) {
      b.onResolve({ filter: /^partial-entry$/ }, () => ({ path: 'partial-entry', namespace: 'partial' }));
      b.onLoad({ filter: /^partial-entry$/, namespace: 'partial' }, () => ({
        loader: 'js',
        resolveDir: path.dirname(MAIN),
        contents: [
          `import { main as run } from ${JSON.stringify(MAIN)};`,
          `export { COMMANDS } from ${JSON.stringify(MAIN)};`,
          `export const HOLDS = ${JSON.stringify(commands)};`,
          // whole: the complete CLI; by default the bundle beside this one, without a code cache
          "export function main(argv, io, whole = (a, i) => require(require('node:path').join(__dirname, 'limitsctl.cjs')).main(a, i)) {",
          '  return run(argv, io, { holds: HOLDS, whole });',
          '}',
        ].join('\n'),
      }));
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.importer !== MAIN) return undefined;
        const command = /^\.\/commands\/([a-z]+)\.js$/.exec(args.path);
        const absent = command ? !commands.includes(command[1])
          : ['./completion.js', '../core/lint/rules.js', 'yargs/yargs', '../../package.json'].includes(args.path);
        return absent ? { path: args.path, namespace: 'absent' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
        loader: 'js',
        contents: `throw new Error(${JSON.stringify(`internal: ${args.path} is not in this partial bundle`)});`,
      }));
    },
  };
}

/**
 * The text that opens every bundle after its '#!' line; the bundle ends in `\n});\n`. Run by
 * require() or `node`, the file calls the function that holds the whole bundle with CommonJS'
 * arguments, as if Node had wrapped it; compiled as a script of its own (bin/limitsctl.js
 * loadWithCache, whose VM_WRAPPED is the same text), its value is that function. So the bin
 * compiles the file's text as it is read, where wrapping it itself would copy every byte once
 * more (a fault per page of a 600 KiB string at every start).
 */
export const VM_WRAPPED = '((f) => this === globalThis ? f : f.call(this, exports, require, module, __filename, __dirname))(function (exports, require, module, __filename, __dirname) {';

/** Wrap an esbuild output file in {@link VM_WRAPPED}, keeping its '#!' line first. */
async function wrapForVm(file) {
  const text = await readFile(file, 'latin1');
  const at = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  await writeFile(file, `${text.slice(0, at)}${VM_WRAPPED}\n${text.slice(at)}\n});\n`, 'latin1');
}

/** Build the bundle and the partial bundles; returns the bundle's path. */
export async function bundle({ outfile = BUNDLE, coreOutfile = CORE_BUNDLE, lintOutfile = LINT_BUNDLE, editOutfile = EDIT_BUNDLE, minify = process.env.BUNDLE_MINIFY ?? 'syntax' } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifyWhitespace: minify !== 'none',
    minifySyntax: minify !== 'none',
    minifyIdentifiers: minify === 'all',
    legalComments: 'eof',
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'error', 'import-is-undefined': 'error' },
  };
  const parts = [[coreOutfile, CORE_COMMANDS], [lintOutfile, LINT_COMMANDS], [editOutfile, EDIT_COMMANDS]].map(([file, commands]) => build({
    ...common, entryPoints: ['partial-entry'], outfile: file, plugins: [partialOnly(commands), lazyChildProcess, lazyDefaults, inlineRequires],
  }));
  await build({
    ...common,
    entryPoints: [MAIN],
    outfile,
    plugins: [lazyChildProcess, lazyDefaults, inlineRequires],
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
  await Promise.all(parts);
  await Promise.all([outfile, coreOutfile, lintOutfile, editOutfile].map(wrapForVm));
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
}
