/**
 * The rings of docs/../design: src/core and src/formatters are pure (no OS module, no I/O
 * library, no process or console), io never imports the CLI, and nothing but the CLI imports yargs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}
const importsOf = (f: string) => [...readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
const rel = (f: string) => path.relative(SRC, f);

describe('dependencies point inward', () => {
  const pure = [...files(path.join(SRC, 'core')), ...files(path.join(SRC, 'formatters'))];
  it(`src/core and src/formatters (${pure.length} files) import no OS module or I/O library`, () => {
    expect(pure.length).toBeGreaterThan(40);
    for (const f of pure) {
      for (const spec of importsOf(f)) {
        expect(spec, `${rel(f)} imports ${spec}`).not.toMatch(/^(node:|fs$|path$|os$|child_process$|ini$|fast-glob$|yargs|diff$)/);
        expect(spec, `${rel(f)} imports ${spec}`).not.toMatch(/\/(io|cli)\//);
      }
      expect(readFileSync(f, 'utf8'), rel(f)).not.toMatch(/\bprocess\.(env|exit|argv|cwd|stdout|stderr)\b|\bconsole\.\w+\(/);
    }
  });

  it('src/io never imports the CLI; only the CLI imports yargs', () => {
    for (const f of files(path.join(SRC, 'io'))) for (const spec of importsOf(f)) expect(spec, rel(f)).not.toMatch(/\/cli\/|^yargs/);
    for (const f of files(SRC).filter((x) => !rel(x).startsWith('cli/'))) {
      for (const spec of importsOf(f)) expect(spec, rel(f)).not.toMatch(/^yargs/);
    }
  });
});

describe('the library facade', () => {
  it('src/index.ts exports the core and the io ring, never the CLI', () => {
    for (const spec of importsOf(path.join(SRC, 'index.ts'))) expect(spec).not.toMatch(/\/cli\//);
  });
});
