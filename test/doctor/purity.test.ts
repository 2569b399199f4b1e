/** doctor keeps to the rings: its core and formatter import no OS module and no I/O library. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

describe('doctor is pure where it should be', () => {
  for (const rel of ['src/core/doctor.ts', 'src/core/doctor-facts.ts', 'src/core/doctor-parse.ts', 'src/formatters/doctor.ts']) {
    it(`${rel} imports only the core`, () => {
      const text = readFileSync(path.join(REPO, rel), 'utf8');
      const specs = [...text.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
      expect(specs.length).toBeGreaterThan(0);
      for (const s of specs) expect(s, `${rel} imports ${s}`).toMatch(/^\.\.?\/(core\/)?[\w-]+\.js$/);
      expect(text).not.toMatch(/\b(process\.(env|exit|argv|cwd|std\w+|platform|get\w+)|console\.\w+\(|Date\.now|new Date\(|performance\.now)/);
    });
  }
});
