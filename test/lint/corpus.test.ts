/**
 * Lint every real-world file of ../shared/corpus/real (never copied into the project): no crash,
 * every finding at a valid position, and pinned findings on a few named files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTarget } from '../../src/core/lint/engine.js';
import type { Diagnostic } from '../../src/core/lint/types.js';
import { parseLimits } from '../../src/core/parse.js';
import { type Profile } from '../../src/core/schema.js';
import { DISTINCT_PROFILES } from '../distinct-profiles.js';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/real');
const files = (() => {
  try {
    return readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort();
  } catch {
    return [];
  }
})();
if (files.length === 0) console.warn(`lint corpus tests skipped: no corpus at ${CORPUS}`);

function lintFile(name: string, profile: Profile): { diags: readonly Diagnostic[]; text: string } {
  const bytes = readFileSync(path.join(CORPUS, name));
  const doc = parseLimits(bytes, { file: name, profile });
  const result = lintTarget({
    tree: { profile, files: [{ path: name, role: 'main', status: 'ok', doc }], ignored: [], failure: null },
    accounts: null, standalone: true,
  });
  return { diags: result.diagnostics, text: bytes.toString('latin1') };
}

const pins = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.code}`);

describe.skipIf(files.length === 0)('lint on the real-world corpus', () => {
  it(`never crashes, and every position is inside the file (${files.length} files × ${DISTINCT_PROFILES.length} profiles)`, () => {
    let total = 0;
    for (const f of files) {
      for (const profile of DISTINCT_PROFILES) {
        const { diags, text } = lintFile(f, profile);
        const lines = text.split('\n');
        for (const d of diags) {
          const where = `${f} (${profile}) ${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.code}`;
          expect(d.code, where).not.toBe('LC900');
          expect(d.line, where).toBeGreaterThanOrEqual(1);
          expect(d.endLine, where).toBeGreaterThanOrEqual(d.line);
          expect(d.endLine, where).toBeLessThanOrEqual(Math.max(1, lines.length));
          const len = (n: number) => (lines[n - 1] ?? '').length;
          expect(d.column, where).toBeGreaterThanOrEqual(1);
          expect(d.column, where).toBeLessThanOrEqual(len(d.line) + 1);
          expect(d.endColumn, where).toBeGreaterThanOrEqual(1);
          expect(d.endColumn, where).toBeLessThanOrEqual(len(d.endLine) + 1);
          if (d.endLine === d.line) expect(d.endColumn, where).toBeGreaterThanOrEqual(d.column);
          expect(d.message.length, where).toBeGreaterThan(20);
          total++;
        }
      }
    }
    expect(total).toBeGreaterThan(100);
  });

  it('023-90-nproc-jenkins-npoc-typo.conf: the npoc typo, with the did-you-mean; so root gets no nproc on Debian', () => {
    const { diags } = lintFile('023-90-nproc-jenkins-npoc-typo.conf', 'debian-12');
    expect(pins(diags)).toEqual(['2:1 LC206', '3:13 LC003']);
    const typo = diags.find((d) => d.code === 'LC003')!;
    expect(typo.message).toContain("Did you mean 'nproc'?");
    expect([typo.endLine, typo.endColumn]).toEqual([3, 17]);
    expect(pins(lintFile('023-90-nproc-jenkins-npoc-typo.conf', 'linux-pam-1.5.2').diags)).toEqual(['3:13 LC003']);
  });

  it('089-easyengine-crlf.conf: CRLF, and what 1.7 makes of it', () => {
    // the four lines appended after '# End of file' are one block: one LC305 spanning lines 57-60
    const d12 = lintFile('089-easyengine-crlf.conf', 'debian-12').diags;
    expect(pins(d12)).toEqual(['1:28 LC103', '57:1 LC305']);
    const block = d12.find((d) => d.code === 'LC305')!;
    expect([block.line, block.endLine]).toEqual([57, 60]);
    expect(block.message).toMatch(/^these 4 entries \(lines 57–60\) come after/);
    const d17 = lintFile('089-easyengine-crlf.conf', 'linux-pam-1.7.2').diags;
    expect(pins(d17).filter((p) => p.endsWith('LC103'))).toEqual(['1:28 LC103']);
  });

  it('098-isucon13f.conf: entries after the "# End of file" comment', () => {
    const { diags } = lintFile('098-isucon13f.conf', 'debian-12');
    expect(pins(diags).filter((p) => p.endsWith('LC305')).length).toBeGreaterThan(0);
    expect(diags.find((d) => d.code === 'LC305')!.message).toMatch(/after the '# End of file' comment on line 56/);
  });

  it('186-phigita-conflicting.conf: soft above hard, and the dead hard line', () => {
    expect(pins(lintFile('186-phigita-conflicting.conf', 'linux-pam-1.5.2').diags)).toEqual(['43:16 LC201', '44:1 LC202']);
    expect(pins(lintFile('186-phigita-conflicting.conf', 'debian-12').diags)).toEqual(['43:1 LC206', '43:16 LC201', '44:1 LC202', '56:1 LC206']);
  });

  it('183-uncommented-header-line.conf: the stray header, fixable', () => {
    const d = lintFile('183-uncommented-header-line.conf', 'linux-pam-1.5.2').diags;
    expect(pins(d)).toEqual(['39:1 LC009']);
    expect(d[0]!.fix).toEqual([{ offset: expect.any(Number), length: 0, content: '#' }]);
  });

  it('115-cardano-placeholder-048576.conf: placeholder domain and leading zero', () => {
    expect(pins(lintFile('115-cardano-placeholder-048576.conf', 'debian-12').diags)).toEqual(['59:1 LC010', '60:1 LC010', '60:30 LC012']);
  });
});
