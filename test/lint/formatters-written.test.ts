/**
 * The JSON and SARIF formats write each finding's text by hand (src/formatters/json.ts and
 * sarif.ts, resultWriter) instead of pretty-printing an object per finding. That text must be the
 * pretty-printed object's, byte for byte: here both are compared on random findings — messages
 * and paths with quotes, backslashes, control characters, lone surrogates and non-ASCII text;
 * absolute and relative paths; fixes, related locations and code-point columns; several files
 * and rules in one report. The seed is printed (LIMITSCTL_TEST_SEED repeats a run).
 */
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/core/lint/report.js';
import { RULES } from '../../src/core/lint/rules.js';
import type { Diagnostic, RelatedLocation, Severity } from '../../src/core/lint/types.js';
import { formatJson, lintJson } from '../../src/formatters/json.js';
import { formatSarif, lintSarif } from '../../src/formatters/sarif.js';
import { rng } from '../seed.js';


const PATH_PIECES = ['a', 'nofile', ' ', '"', '\\', '\n', '\t', '\u0001', 'é', '€', '😀', '%', ',', ':', '#', '..', '<', '&', '?'];
const PIECES = ['a', 'nofile', ' ', '"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '\ud800', '\udfff', '%', ',', ':', '#', '/', '..', '<', '&', '\u2028'];

/**
 * A related location as the engine makes it, mostly; else of another shape, which JSON.stringify
 * writes as it is (the hand-written JSON must too): no message, an undefined one, members in
 * another order, one more member, a toJSON, an inherited member, a non-finite number.
 */
function oddRelated(r: () => number, x: RelatedLocation): RelatedLocation {
  if (r() < 0.7) return x;
  const { file, line, column, endLine, endColumn, message } = x;
  switch (Math.floor(r() * 7)) {
    case 0: return { file, line, column, endLine, endColumn } as RelatedLocation;
    case 1: return { file, line, column, endLine, endColumn, message: undefined } as unknown as RelatedLocation;
    case 2: return { line, file, column, endLine, endColumn, message };
    case 3: return { ...x, extra: 1 } as RelatedLocation;
    case 4: return { ...x, toJSON: () => ({ moved: true }) } as RelatedLocation;
    case 5: return Object.assign(Object.create({ inherited: 'yes' }) as object, x) as RelatedLocation;
    default: return { ...x, line: Number.NaN, endColumn: Infinity };
  }
}

function randomReport(seed: number): LintReport {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (max: number, from: readonly string[] = PIECES) => Array.from({ length: int(max) }, () => pick(from)).join('');
  // paths come from the file system, which Node decodes as UTF-8: never a lone surrogate
  const name = (max: number) => str(max, PATH_PIECES);
  const files = Array.from({ length: 1 + int(4) }, (_, i) => (r() < 0.3 ? `/abs/${name(4)}/f${i}` : `etc/security/limits.d/${name(5)}${i}.conf`));
  const pos = () => {
    const line = 1 + int(50);
    const endLine = line + (r() < 0.2 ? int(3) : 0);
    return { line, column: 1 + int(80), endLine, endColumn: 1 + int(80) };
  };
  const diagnostics: Diagnostic[] = [];
  for (let k = int(40); k > 0; k--) {
    const rule = pick(RULES);
    const p = pos();
    const related: RelatedLocation[] = Array.from({ length: r() < 0.3 ? 1 + int(3) : 0 }, () => oddRelated(r, { file: pick(files), ...pos(), message: r() < 0.2 ? '' : str(20) }));
    diagnostics.push({
      code: rule.code, rule: rule.name, severity: pick<Severity>(['error', 'warning', 'info']), message: str(60), file: pick(files), ...p,
      ...(r() < 0.3 ? { text: { column: 1 + int(40), endColumn: 1 + int(40) } } : {}),
      ...(r() < 0.5 ? { offset: { start: int(1000), end: 1000 + int(1000) } } : {}),
      ...(r() < 0.3 ? { fix: Array.from({ length: 1 + int(2) }, () => ({ offset: int(1000), length: int(10), content: str(8) })) } : {}),
      ...(related.length > 0 || r() < 0.05 ? { related } : {}),
    });
  }
  return {
    tool: { name: 'limitsctl', version: '0.1.0' }, cwd: r() < 0.5 ? '/work/repo' : `/tmp/${name(5)}`,
    diagnostics, files, rules: RULES.map((x) => ({ ...x, enabled: r() < 0.9 })), suppressed: int(3), fixed: int(3), maxWarnings: null,
  };
}

describe('hand-written JSON and SARIF results', () => {
  const seed = Number(process.env.LIMITSCTL_TEST_SEED ?? Date.now() % 1e9);
  it(`are the pretty-printed objects, byte for byte (seed ${seed})`, () => {
    console.log(`formatters-written: seed ${seed} (LIMITSCTL_TEST_SEED=${seed} repeats it)`);
    for (let i = 0; i < 300; i++) {
      const report = randomReport(seed + i);
      expect(formatJson(report), `json, seed ${seed + i}`).toBe(`${JSON.stringify(lintJson(report), null, 2)}\n`);
      expect(formatSarif(report), `sarif, seed ${seed + i}`).toBe(`${JSON.stringify(lintSarif(report), null, 2)}\n`);
    }
  });
});
