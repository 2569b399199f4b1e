/**
 * The text, JSON and SARIF writers write a finding as bytes (findingInto, ByteOut in
 * src/formatters/stream.ts) when lint's output takes bytes: those bytes must be exactly the UTF-8
 * of what the same writer's `finding` gives as text, finding after finding — the same state
 * carried on (file changes, runs of one rule or message, results left to the text writer: fixes
 * and related locations), whatever the messages hold (control characters, non-ASCII, lone
 * surrogates, a message longer than an output block) and whatever the numbers are (0, past
 * 2^31, not whole). Random findings, seeded (the seed is printed).
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/lint/rules.js';
import type { Diagnostic, RelatedLocation, Severity } from '../../src/core/lint/types.js';
import type { LintReportHead, LintReportTail } from '../../src/core/lint/report.js';
import { findingBytes, lintWriter, type LintFormat } from '../../src/formatters/lint-formats.js';
import { PumpWriter } from '../../src/formatters/stream.js';
import { PLAIN_STYLE } from '../../src/formatters/style.js';
import type { TextStyle } from '../../src/formatters/text.js';
import { rng, seedNote, testSeed } from '../seed.js';

const SEED = testSeed('formatters/finding-bytes.test.ts');

const PIECES = ['a', 'nofile', ' ', '"', '\\', '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', 'é', '€', '😀', '\ud800', '\udfff', '%', ':', '#', '/', '\u2028'];
const COLOUR: TextStyle = {
  bold: (s) => `\u001b[1m${s}\u001b[22m`, dim: (s) => `\u001b[2m${s}\u001b[22m`, red: (s) => `\u001b[31m${s}\u001b[39m`,
  green: (s) => `\u001b[32m${s}\u001b[39m`, yellow: (s) => `\u001b[33m${s}\u001b[39m`, cyan: (s) => `\u001b[36m${s}\u001b[39m`,
};

function findings(seed: number): Diagnostic[] {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (max: number, from: readonly string[] = PIECES) => Array.from({ length: int(max) }, () => pick(from)).join('');
  // paths come from the file system, which Node decodes as UTF-8: never a lone surrogate
  const name = (max: number) => str(max, PIECES.filter((p) => !/^[\ud800-\udfff]$/.test(p)));
  const files = Array.from({ length: 1 + int(3) }, (_, i) => (r() < 0.3 ? `/abs/${name(3)}/f${i}` : `etc/security/limits.d/${name(4)}${i}.conf`));
  const num = (): number => (r() < 0.05 ? pick([0, 2 ** 31 - 1, 2 ** 31, 2 ** 40, 1.5, -1, Number.NaN, Infinity]) : 1 + int(r() < 0.5 ? 20 : 5000));
  const pos = () => ({ line: num(), column: num(), endLine: num(), endColumn: num() });
  const messages = Array.from({ length: 4 }, () => str(60));
  // one message longer than an output block (6 × 64 Ki bytes), in half the runs
  const long = r() < 0.5 ? int(300) : -1;
  const out: Diagnostic[] = [];
  let rule = pick(RULES);
  let file = pick(files);
  let message = pick(messages);
  for (let k = 0; k < 300; k++) {
    // runs of one rule, file and message, as a linted file gives them
    if (r() < 0.2) rule = pick(RULES);
    if (r() < 0.1) file = pick(files);
    if (r() < 0.3) message = pick(messages);
    if (k === long) message = 'x€'.repeat(200_000);
    // related locations (as the engine makes them, or of another shape, or an empty list), in a
    // third of the findings: JSON and SARIF write them as bytes too
    const oneRelated = (): RelatedLocation => {
      const x = { file: pick(files), ...pos(), message: r() < 0.2 ? '' : str(10) };
      const k = int(10);
      if (k === 0) return { file: x.file, line: x.line, column: x.column, endLine: x.endLine, endColumn: x.endColumn } as RelatedLocation;
      if (k === 1) return { ...x, message: undefined } as unknown as RelatedLocation;
      if (k === 2) return { line: x.line, file: x.file, column: x.column, endLine: x.endLine, endColumn: x.endColumn, message: x.message };
      if (k === 3) return { ...x, extra: true } as RelatedLocation;
      if (k === 4) return { ...x, text: { column: num(), endColumn: num() } } as RelatedLocation;
      return x;
    };
    const related: RelatedLocation[] | null = r() < 0.3 ? Array.from({ length: int(4) }, oneRelated) : null;
    out.push({
      code: rule.code, rule: rule.name, severity: r() < 0.9 ? rule.severity : pick<Severity>(['error', 'warning', 'info']), message, file, ...pos(),
      ...(r() < 0.1 ? { text: { column: num(), endColumn: num() } } : {}),
      ...(r() < 0.5 ? { offset: { start: int(1000), end: 1000 + int(1000) } } : {}),
      ...(r() < 0.05 ? { fix: [{ offset: int(1000), length: int(10), content: str(8) }] } : {}),
      ...(related !== null ? { related } : {}),
    });
  }
  return out;
}

const head: LintReportHead = { tool: { name: 'limitsctl', version: '0.1.0' }, cwd: '/work/repo', rules: RULES.map((x) => ({ ...x, enabled: true })), maxWarnings: null };
const tail = (): LintReportTail => ({ files: ['a'], suppressed: 0, fixed: 0, summary: { errors: 1, warnings: 0, info: 0, fixable: 0, filesWithFindings: 1, files: 1 }, codes: new Set(['LC001']), dryRun: false });

describe('a finding written as bytes', () => {
  const cases: Array<[LintFormat, TextStyle]> = [['text', PLAIN_STYLE], ['text', COLOUR], ['json', PLAIN_STYLE], ['sarif', PLAIN_STYLE]];
  for (const [format, style] of cases) {
    it(`is the UTF-8 of the finding's text: ${format}${style === COLOUR ? ' (colour)' : ''}`, async () => {
      for (let i = 0; i < 10; i++) {
        const seed = SEED + i;
        const list = findings(seed);
        const asText = lintWriter(format, style);
        const texts = [asText.begin(head), ...list.map((d) => asText.finding(d)), asText.end(tail())];
        const asBytes = findingBytes(lintWriter(format, style));
        expect(asBytes).not.toBeNull();
        const got: Buffer[] = [];
        const out = new PumpWriter({ write: (t) => { got.push(Buffer.from(t, 'utf8')); }, writeBytes: (b) => { got.push(Buffer.from(b)); } }, 1000);
        expect(out.bytesMode).toBe(true);
        out.push(asBytes!.begin(head));
        for (const d of list) if (out.pushInto((x: Diagnostic, o) => asBytes!.findingInto(x, o), d)) await out.flush();
        out.push(asBytes!.end(tail()));
        await out.flush();
        const want = Buffer.from(texts.join(''), 'utf8');
        const have = Buffer.concat(got);
        if (!have.equals(want)) {
          let at = 0;
          while (at < want.length && have[at] === want[at]) at++;
          expect.fail(`${seedNote(seed)}: first difference at byte ${at}: ${JSON.stringify(have.subarray(Math.max(0, at - 40), at + 40).toString())} vs ${JSON.stringify(want.subarray(Math.max(0, at - 40), at + 40).toString())}`);
        }
      }
    });
  }
});
