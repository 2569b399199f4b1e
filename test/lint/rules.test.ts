/**
 * Every rule against its fixtures (fixtures/lint/<rule-name>/{bad,good}/…): the findings must be
 * exactly the ones the fixture's inline markers expect — in `bad` at least one of the rule's own,
 * in `good` none of them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { lintTarget } from '../../src/core/lint/engine.js';
import { loadLintTargets } from '../../src/io/lint-targets.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/lint/rules.js';
import { actualFindings, expectedFindings, FIXTURES, lintCase, loadCase } from './helpers.js';

const ENGINE_ONLY = new Set(['rule-error']); // needs a crashing rule: see engine.test.ts

describe('rule fixtures', () => {
  const dirs = readdirSync(FIXTURES).sort();

  it('every rule has a fixture directory with a bad and a good case', () => {
    for (const r of RULES) {
      if (ENGINE_ONLY.has(r.name)) continue;
      expect(dirs, `fixtures/lint/${r.name}`).toContain(r.name);
      expect(readdirSync(path.join(FIXTURES, r.name)).sort()).toEqual(['bad', 'good']);
    }
  });

  it('every rule has a section in docs/rules.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/rules.md'), 'utf8');
    for (const r of RULES) {
      expect(doc).toContain(`### ${r.code} ${r.name}\n\n${r.description}`);
      expect(doc).toContain(`| [${r.code}](#${r.code.toLowerCase()}-${r.name}) | ${r.name} |`);
    }
  });

  it('fatal-file: a dangling drop-in symlink fails every session in 1.5.2, not in 1.7', async () => {
    // made here, not kept in fixtures/: other tests walk fixtures/ and stat every entry
    const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-fatal-'));
    try {
      mkdirSync(path.join(dir, 'etc/security/limits.d'), { recursive: true });
      writeFileSync(path.join(dir, 'etc/security/limits.conf'), '* soft core 0\n');
      symlinkSync('nowhere.conf', path.join(dir, 'etc/security/limits.d/b.conf'));
      for (const [profile, want] of [['linux-pam-1.5.2', ['etc/security/limits.d/b.conf:1:LC303']], ['linux-pam-1.7.2', []]] as const) {
        const targets = await loadLintTargets(['.'], { cwd: dir, profile: () => profile });
        expect(actualFindings(lintTarget(targets[0]!.target).diagnostics)).toEqual(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const name of dirs) {
    const rule = RULES.find((r) => r.name === name);
    for (const kind of ['bad', 'good'] as const) {
      it(`${name} (${rule?.code ?? '?'}) ${kind}`, async () => {
        expect(rule, `no rule named ${name}`).toBeDefined();
        const dir = path.join(FIXTURES, name, kind);
        const c = await loadCase(dir);
        const found = lintCase(c);
        const expected = expectedFindings(dir);
        expect(actualFindings(found), found.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')).toEqual(expected);
        const own = found.filter((d) => d.code === rule!.code);
        if (kind === 'bad') expect(own.length).toBeGreaterThan(0);
        else expect(own).toEqual([]);
      });
    }
  }
});
