/**
 * Every rule that offers fixes is re-linted after --fix. The list of rules comes from the
 * registry (src/core/lint/rules.ts): a rule marked `fixable` needs a fixtures/lint/<name>/bad case
 * with at least one fixable finding, or this test fails. For each, on a copy of that case, both
 * through the library (fixTarget, files written, the tree read again from disk) and through
 * `limitsctl lint --fix` (in process): afterwards a fresh lint finds none of the rule's fixable
 * findings (those it reports without a fix may stay), nothing is fixable any more, and no error
 * appears that was not there before.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixTarget } from '../../src/core/lint/fix.js';
import { RULES } from '../../src/core/lint/rules.js';
import type { Diagnostic } from '../../src/core/lint/types.js';
import { runMain } from '../cli/helpers.js';
import { FIXTURES, lintCase, loadCase } from './helpers.js';

const FIXABLE = RULES.filter((r) => r.fixable);

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-fix-relint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
function copyBad(name: string): string {
  const dir = path.join(tmp, `${name}-${copies++}`);
  cpSync(path.join(FIXTURES, name, 'bad'), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

interface Finding { code: string; severity: string; fixable: boolean }
const of = (ds: readonly Diagnostic[]): Finding[] => ds.map((d) => ({ code: d.code, severity: d.severity, fixable: d.fix !== undefined }));

/** Errors per code. */
function errorCounts(fs: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) if (f.severity === 'error') m.set(f.code, (m.get(f.code) ?? 0) + 1);
  return m;
}

/** What must hold between the findings before and after fixing, for rule `code`. */
function expectFixed(code: string, before: readonly Finding[], after: readonly Finding[], how: string): void {
  expect(before.filter((f) => f.code === code && f.fixable).length, `${how}: the fixture has a fixable ${code} finding`).toBeGreaterThan(0);
  expect(after.filter((f) => f.code === code && f.fixable), `${how}: ${code} findings with a fix left`).toEqual([]);
  // findings of the rule without a fix (reported, not safe to change) stay; none is added
  expect(after.filter((f) => f.code === code).length, `${how}: ${code} findings after`).toBe(before.filter((f) => f.code === code && !f.fixable).length);
  expect(after.filter((f) => f.fixable), `${how}: anything still fixable`).toEqual([]);
  expect(after.filter((f) => f.code === 'LC900'), `${how}: a rule crashed`).toEqual([]);
  const was = errorCounts(before);
  for (const [c, n] of errorCounts(after)) expect(n, `${how}: new ${c} errors after the fix`).toBeLessThanOrEqual(was.get(c) ?? 0);
}

describe('the fixable rules come from the registry', () => {
  it('there are fixable rules, and each has a bad fixture', () => {
    expect(FIXABLE.length).toBeGreaterThan(0);
    for (const r of FIXABLE) {
      expect(existsSync(path.join(FIXTURES, r.name, 'bad')), `${r.code} ${r.name} is fixable: add fixtures/lint/${r.name}/bad with a finding it fixes`).toBe(true);
    }
  });

  it('a rule whose findings carry a fix is marked fixable (so it is in the list above)', async () => {
    const fixable = new Set(FIXABLE.map((r) => r.code));
    for (const r of RULES) {
      const bad = path.join(FIXTURES, r.name, 'bad');
      if (!existsSync(bad)) continue;
      const withFix = lintCase(await loadCase(bad)).filter((d) => d.fix && !fixable.has(d.code));
      expect(withFix.map((d) => `${d.file}:${d.line} ${d.code}`), `fixtures/lint/${r.name}/bad: fixes from rules not marked fixable`).toEqual([]);
    }
  });
});

describe('after --fix, a fresh lint finds the fixed findings gone and no new error', () => {
  for (const rule of FIXABLE) {
    it(`${rule.code} ${rule.name}: through the library (fixTarget, written, read back from disk)`, async () => {
      const dir = copyBad(rule.name);
      const c = await loadCase(dir);
      const before = of(lintCase(c));
      for (const t of c.targets) {
        const out = fixTarget(t.target, c.config);
        for (const ch of out.changes) writeFileSync(path.resolve(dir, ch.file), Buffer.from(ch.after, 'latin1'));
      }
      const after = of(lintCase(await loadCase(dir)));
      expectFixed(rule.code, before, after, `${rule.name} (library)`);
    });

    it(`${rule.code} ${rule.name}: through \`limitsctl lint --fix\``, async () => {
      const dir = copyBad(rule.name);
      const c = await loadCase(dir);
      // the profile the fixture case is linted with (its settings file's, else upstream)
      const profile = c.settings.profile && c.settings.profile !== 'auto' ? [] : ['--profile', 'linux-pam-1.5.2'];
      const lint = async (...extra: string[]) => {
        const r = await runMain(['lint', '.', ...profile, '--format', 'json', ...extra], { cwd: dir });
        expect([0, 1], `${rule.name}: lint ${extra.join(' ')}: ${r.stderr}`).toContain(r.code);
        return JSON.parse(r.stdout) as { results: Finding[]; fixed: number };
      };
      const before = (await lint()).results;
      const fixed = await lint('--fix');
      expect(fixed.fixed, `${rule.name}: fixes applied`).toBeGreaterThan(0);
      const after = (await lint()).results;
      expectFixed(rule.code, before, after, `${rule.name} (CLI)`);
      expect(after).toEqual(fixed.results); // what --fix reported is what a fresh run finds
    });
  }
});
