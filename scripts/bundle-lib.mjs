#!/usr/bin/env node
// Builds the CommonJS entry of the library, so `require('limitsctl')` works on every Node.js ≥ 20
// (Node loads an ES module from require() only from 20.19 / 22.12):
// - dist/index.cjs: src/index.ts and everything it uses, dependencies included, as one CommonJS file;
// - dist/cjs/: a copy of the declarations dist/index.d.ts reaches (tsc's) under a
//   package.json of "type": "commonjs", so TypeScript reads them as the types of a CommonJS module
//   (package.json "exports" → "require" → "types"; `module: node16` consumers of either kind).
// The ES-module entry stays tsc's dist/index.js. Both entries hold their own copies of the classes:
// a program should load limitsctl one way (`instanceof LimitsError` across the two does not hold).
// What the bundle changes in the sources: `createRequire(import.meta.url)(X)` becomes `require(X)`
// (X is inlined: package.json for the version); any other import.meta fails the build.
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inlineRequires } from './bundle.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'dist');
export const LIB_BUNDLE = path.join(dist, 'index.cjs');
export const CJS_TYPES = path.join(dist, 'cjs');

/** The declaration files dist/index.d.ts reaches through its imports (relative to dist/). */
async function declarations(dir) {
  const seen = new Set();
  const todo = ['index.d.ts'];
  while (todo.length > 0) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const text = await readFile(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      todo.push(path.join(path.dirname(f), `${m[1]}.d.ts`));
    }
  }
  return [...seen].sort();
}

/** Build dist/index.cjs and dist/cjs/ (after tsc has written dist/). */
export async function bundleLib() {
  await build({
    entryPoints: [path.join(repo, 'src/index.ts')],
    outfile: LIB_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifySyntax: true,
    // error classes name themselves after their constructor (LimitsError: this.name = new.target.name)
    keepNames: true,
    legalComments: 'eof',
    plugins: [inlineRequires],
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'error', 'import-is-undefined': 'error' },
  });
  await rm(CJS_TYPES, { recursive: true, force: true });
  for (const f of await declarations(dist)) {
    await mkdir(path.dirname(path.join(CJS_TYPES, f)), { recursive: true });
    await cp(path.join(dist, f), path.join(CJS_TYPES, f));
  }
  await writeFile(path.join(CJS_TYPES, 'package.json'), '{\n  "type": "commonjs"\n}\n');
  return LIB_BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleLib();
}
