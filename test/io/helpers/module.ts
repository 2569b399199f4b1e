/**
 * Test support: a fresh, self-contained JavaScript copy of the write module for child processes.
 *
 * Child processes cannot run the TypeScript sources directly on Node 20, and dist/ may be stale
 * when `vitest run` is used without `npm run build`. So each test file transpiles the write module's
 * sources (type-stripping only, via the typescript package) into a private temp directory, together
 * with the helper scripts of this folder, and runs the helpers from there. The helpers import
 * `./write.js` from the directory they run in, or the module named by $LIMITSCTL_IO_MODULE (e.g. a
 * file: URL of dist/io/write.js, to run them by hand from the repo).
 */
import { copyFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const srcIo = path.resolve(here, '../../../src/io');

/** The sources the write module consists of (it imports only these and node: builtins). */
const SOURCES = ['write.ts', 'write-errors.ts', 'write-paths.ts', 'write-journal.ts', 'tree-lock.ts', 'signal-cleanup.ts', 'paths.ts', 'system-tools.ts', 'random.ts', 'compare-buffer.ts', 'cwd.ts', 'descriptors.ts'];
/** Pure core modules they import (`../core/x.js`), copied flat as `core-x.js`. */
const CORE_SOURCES = ['errors.ts'];
/** The helper scripts copied next to them. */
const HELPERS = ['crash-writer.mjs', 'append-worker.mjs', 'io-op.mjs', 'lock-holder.mjs'];

/** A transpiled copy of the module in a temp directory. */
export interface IoModule {
  /** the directory (mode 0755 so that an unprivileged child can use it) */
  readonly dir: string;
  /** absolute path of a helper script in `dir` */
  helper(name: string): string;
  /** remove the directory */
  cleanup(): Promise<void>;
}

/** Transpile src/io/write*.ts + tree-lock.ts into a fresh temp dir and copy the helpers there. */
export async function prepareIoModule(): Promise<IoModule> {
  const dir = await mkdtemp(path.join(tmpdir(), 'limitsctl-iomod-'));
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  const allowed = new Set(SOURCES.map((s) => `./${s.replace(/\.ts$/, '.js')}`));
  for (const c of CORE_SOURCES) allowed.add(`../core/${c.replace(/\.ts$/, '.js')}`);
  for (const c of CORE_SOURCES) {
    const text = await readFile(path.join(srcIo, '../core', c), 'utf8');
    const out = ts.transpileModule(text, { fileName: c, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    if (/\bfrom\s+['"]/.test(out)) throw new Error(`src/core/${c} imports another module: teach test/io/helpers/module.ts to copy it`);
    await writeFile(path.join(dir, `core-${c.replace(/\.ts$/, '.js')}`), out);
  }
  for (const s of SOURCES) {
    const text = await readFile(path.join(srcIo, s), 'utf8');
    const out = ts.transpileModule(text, {
      fileName: s,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    // Fail loudly if the module grows an import this copy would not contain.
    for (const m of out.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1] as string;
      if (!spec.startsWith('node:') && !allowed.has(spec)) {
        throw new Error(`src/io/${s} imports ${spec}: add it to SOURCES in test/io/helpers/module.ts`);
      }
    }
    await writeFile(path.join(dir, s.replace(/\.ts$/, '.js')), out.replace(/(\bfrom\s+['"])\.\.\/core\/([^'"]+)(['"])/g, '$1./core-$2$3'));
  }
  for (const h of HELPERS) await copyFile(path.join(here, h), path.join(dir, h));
  return {
    dir,
    helper: (name) => path.join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Called at a test file's top level: prepares the module before the file's tests (beforeAll) and
 * removes it after them (afterAll). The result's helper() is usable inside the tests.
 */
export function useIoModule(): Pick<IoModule, 'helper'> {
  let mod: IoModule | undefined;
  beforeAll(async () => {
    mod = await prepareIoModule();
  });
  afterAll(async () => {
    await mod?.cleanup();
  });
  return {
    helper: (name) => {
      if (!mod) throw new Error('the io module is prepared in beforeAll: call helper() inside a test');
      return mod.helper(name);
    },
  };
}
