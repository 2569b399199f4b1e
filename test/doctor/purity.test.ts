/** doctor keeps to the rings: its core (src/core/doctor.ts and src/core/doctor/) and formatter import no OS module and no I/O library. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

function tsFiles(rel: string): string[] {
  return readdirSync(path.join(REPO, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(`${rel}/${e.name}`) : e.name.endsWith('.ts') ? [`${rel}/${e.name}`] : []);
}

describe('doctor is pure where it should be', () => {
  const files = ['src/core/doctor.ts', ...tsFiles('src/core/doctor'), 'src/formatters/doctor.ts'];
  it('the layout is there (facts, parsers, findings, registry)', () => {
    for (const f of ['facts.ts', 'parse.ts', 'registry.ts', 'diagnose.ts']) expect(files).toContain(`src/core/doctor/${f}`);
    expect(files.filter((f) => f.startsWith('src/core/doctor/findings/')).length).toBeGreaterThan(20);
    // the import pattern below sees imports (a module without any, like commands.ts, is pure anyway)
    expect(readFileSync(path.join(REPO, 'src/core/doctor/diagnose.ts'), 'utf8')).toMatch(/^import .* from '\.\/registry\.js';$/m);
  });
  for (const rel of files) {
    it(`${rel} imports only the core`, () => {
      const text = readFileSync(path.join(REPO, rel), 'utf8');
      const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
      for (const s of specs) {
        expect(s, `${rel} imports ${s}`).toMatch(/^(\.\.?\/)+[\w/-]+\.js$/);
        // relative imports stay inside src/core (the formatter may also use src/formatters)
        const target = path.normalize(path.join(path.dirname(rel), s));
        expect(target, `${rel} imports ${s}`).toMatch(/^src\/(core|formatters)\//);
      }
      expect(text).not.toMatch(/\b(process\.(env|exit|argv|cwd|std\w+|platform|get\w+)|console\.\w+\(|Date\.now|new Date\(|performance\.now)/);
    });
  }
});
