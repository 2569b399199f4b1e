/**
 * The text format's finding line is `file:line:col severity code message (rule[, fixable])`,
 * after a blank line when the file changes. textWriter keeps the pieces that repeat (the file's
 * name, ` severity code `, ` (rule)`) between findings; this compares its lines with the format
 * written out plainly, on random runs of findings whose file, rule, code, severity and fix change
 * at random (seed printed) — a kept piece that is not renewed when one of them changes shows here.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Severity } from '../../src/core/lint/types.js';
import { textWriter } from '../../src/formatters/text.js';
import { rng, seedNote, testSeed } from '../seed.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const RULES = [['LC001', 'too-few-fields'], ['LC202', 'duplicate-entry'], ['LC011', 'uppercase-keyword'], ['LC202', 'renamed-rule']] as const;
const FILES = ['etc/security/limits.conf', 'etc/security/limits.d/a b.conf', 'x\u0001.conf'];
const FIXES = [undefined, [], [{ offset: 0, length: 1, content: '#' }]];

function plainLine(d: Diagnostic, file: string): string {
  return `${file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message} (${d.rule}${d.fix ? ', fixable' : ''})\n`;
}

describe('text format finding lines', () => {
  it('are the plain format whatever changes between findings (random runs)', () => {
    const seed = testSeed('text finding lines');
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    for (let round = 0; round < 200; round++) {
      const w = textWriter();
      let last: string | null = null;
      let d: Diagnostic | null = null;
      for (let k = 0; k < 30; k++) {
        // mostly the same as the finding before (as a run of one rule's findings is), one member changed at times
        const [code, rule] = d === null || next() < 0.3 ? pick(RULES) : [d.code, d.rule];
        const fix = d === null || next() < 0.3 ? pick(FIXES) : d.fix;
        d = {
          code, rule, fix,
          severity: d === null || next() < 0.3 ? pick(SEVERITIES) : d.severity,
          file: d === null || next() < 0.2 ? pick(FILES) : d.file,
          message: `message ${Math.floor(next() * 3)}`,
          line: 1 + Math.floor(next() * 500), column: 1 + Math.floor(next() * 80), endLine: 1, endColumn: 1,
        } as Diagnostic;
        const shown = d.file.replace('\u0001', '\\x01');
        const want = `${last !== null && last !== d.file ? '\n' : ''}${plainLine(d, shown)}`;
        last = d.file;
        expect(w.finding(d), `${seedNote(seed)}: round ${round}, finding ${k}`).toBe(want);
      }
    }
  });
});
