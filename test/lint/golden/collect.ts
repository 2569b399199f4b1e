/**
 * Every finding and every fix lint gives on the fixture trees (fixtures/**) and on the real-world
 * corpus (../shared/corpus/real, read in place), as plain lines a golden file can pin.
 *
 * - Fixture trees: each root below fixtures/ (a lint case with its own .limitsctl.ini settings),
 *   read with the profile `lint` would pick (the case's profile, else the tree's os-release) and
 *   again with every profile of test/distinct-profiles.ts. Findings are kept in full (position,
 *   code, severity, message, related locations, fix edits); fixes as fixTarget's changed text.
 * - Corpus files: each linted on its own under every distinct profile. The corpus is never copied
 *   into the project, so a finding keeps its position, code and severity in clear and the rest
 *   (message, related, fix) as a short hash; a fix as a hash of the fixed text.
 *
 * Run `LIMITSCTL_GOLDEN_WRITE=1 npx vitest run test/lint/golden` to write golden.json again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { lintTarget } from '../../../src/core/lint/engine.js';
import { fixTarget } from '../../../src/core/lint/fix.js';
import type { Diagnostic, LintConfig, LintTarget } from '../../../src/core/lint/types.js';
import { parseLimits } from '../../../src/core/parse.js';
import type { Profile } from '../../../src/core/schema.js';
import { LintPathError, loadLintTargets } from '../../../src/io/lint-targets.js';
import { defaultSettings, readSettings } from '../../../src/io/settings.js';
import { detectProfile } from '../../../src/io/system.js';
import { DISTINCT_PROFILES } from '../../distinct-profiles.js';

export const REPO = path.resolve(__dirname, '../../..');
export const CORPUS = path.resolve(REPO, '../shared/corpus/real');
export const GOLDEN = path.join(__dirname, 'golden.json');

/** target key → sorted finding lines, then `fix <file> <fixes> <hash|text>` lines */
export type Golden = Record<string, string[]>;

const hash = (s: string) => createHash('sha256').update(s, 'latin1').digest('hex').slice(0, 16);

function findingLine(d: Diagnostic, clear: boolean): string {
  const where = `${d.file}:${d.line}:${d.column}-${d.endLine}:${d.endColumn}`;
  const rest = JSON.stringify({ m: d.message, r: d.related ?? [], f: d.fix ?? [] });
  return `${where} ${d.code} ${d.severity} ${clear ? rest : `#${hash(rest)}`}`;
}

function entry(target: LintTarget, config: LintConfig, clear: boolean): string[] {
  const findings = lintTarget(target, config).diagnostics.map((d) => findingLine(d, clear));
  const fixed = fixTarget(target, config);
  const fixes = fixed.changes.map((c) => `fix ${c.file} ${c.fixes} ${clear ? JSON.stringify(c.after) : `#${hash(c.after)}`}`);
  const after = fixed.changes.length > 0 ? fixed.result.diagnostics.map((d) => `after-fix ${findingLine(d, clear)}`) : [];
  return [...findings, ...fixes, ...after];
}

/** Directories below fixtures/ that lint reads as one case: lint cases, and every other top directory. */
function fixtureCases(): Array<{ dir: string; lintCase: boolean }> {
  const root = path.join(REPO, 'fixtures');
  const out: Array<{ dir: string; lintCase: boolean }> = [];
  for (const top of readdirSync(root).sort()) {
    const p = path.join(root, top);
    if (!statSync(p).isDirectory()) continue;
    if (top === 'lint') {
      for (const c of readdirSync(p).sort()) if (statSync(path.join(p, c)).isDirectory()) out.push({ dir: path.join(p, c), lintCase: true });
    } else out.push({ dir: p, lintCase: false });
  }
  return out;
}

export async function collectFixtures(): Promise<Golden> {
  const out: Golden = {};
  for (const { dir, lintCase } of fixtureCases()) {
    const ini = path.join(dir, '.limitsctl.ini');
    const settings = lintCase && existsSync(ini) ? readSettings(ini) : defaultSettings(dir);
    const config: LintConfig = { severities: settings.severities, policy: settings.policy };
    const own = (root: string | null): Profile => {
      if (lintCase) return settings.profile && settings.profile !== 'auto' ? settings.profile : 'linux-pam-1.5.2';
      return root === null ? 'linux-pam-1.5.2' : detectProfile(root).profile;
    };
    const rel = path.relative(REPO, dir);
    for (const p of ['own', ...DISTINCT_PROFILES] as const) {
      const profile = p === 'own' ? own : () => p;
      let targets;
      try {
        targets = await loadLintTargets(['.'], { cwd: dir, profile, nrOpen: settings.nrOpen });
      } catch (e) {
        if (e instanceof LintPathError) break; // no pam_limits configuration below it (fixtures/systemd)
        throw e;
      }
      targets.forEach((t, i) => { out[`${rel}#${i}@${p}`] = entry(t.target, config, true); });
    }
  }
  return out;
}

export function corpusFiles(): string[] {
  try {
    return readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort();
  } catch {
    return [];
  }
}

export function collectCorpus(): Golden {
  const out: Golden = {};
  for (const name of corpusFiles()) {
    const bytes = readFileSync(path.join(CORPUS, name));
    for (const profile of DISTINCT_PROFILES) {
      const doc = parseLimits(bytes, { file: name, profile });
      const target: LintTarget = { tree: { profile, files: [{ path: name, role: 'main', status: 'ok', doc }], ignored: [], failure: null }, accounts: null, standalone: true };
      out[`corpus/${name}@${profile}`] = entry(target, {}, false);
    }
  }
  return out;
}
