/** Shared by the lint tests: load a fixture case the way `limitsctl lint` does. */
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lintTarget } from '../../src/core/lint/engine.js';
import type { Diagnostic, LintConfig } from '../../src/core/lint/types.js';
import type { Profile } from '../../src/core/schema.js';
import { type LoadedLintTarget, loadLintTargets } from '../../src/io/lint-targets.js';
import { defaultSettings, type LintSettings, readSettings } from '../../src/io/settings.js';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/lint');

export interface LoadedCase {
  readonly dir: string;
  readonly settings: LintSettings;
  readonly profile: Profile;
  readonly targets: LoadedLintTarget[];
  readonly config: LintConfig;
}

/** A fixture case: its own .limitsctl.ini if any, profile `upstream` unless that file says otherwise. */
export async function loadCase(dir: string): Promise<LoadedCase> {
  const ini = path.join(dir, '.limitsctl.ini');
  const settings = existsSync(ini) ? readSettings(ini) : defaultSettings(dir);
  const profile: Profile = settings.profile && settings.profile !== 'auto' ? settings.profile : 'linux-pam-1.5.2';
  const targets = await loadLintTargets(['.'], { cwd: dir, profile: () => profile, nrOpen: settings.nrOpen });
  return { dir, settings, profile, targets, config: { severities: settings.severities, policy: settings.policy } };
}

export function lintCase(c: LoadedCase): Diagnostic[] {
  return c.targets.flatMap((t) => lintTarget(t.target, c.config).diagnostics);
}

function* walk(dir: string, rel = ''): Generator<string> {
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(path.join(dir, r));
    if (st.isDirectory()) yield* walk(dir, r);
    else if (st.isFile() && name !== '.limitsctl.ini') yield r;
  }
}

/**
 * The findings a fixture expects, from its inline markers:
 *   `# expect: LC001 LC003`              on the line itself
 *   `# expect-next-line: LC101`          on the following line
 *   `# expect-at: <path>:<line> LC303`   somewhere else (a missing or ignored file)
 * as sorted "path:line:code" strings.
 */
export function expectedFindings(dir: string): string[] {
  const out: string[] = [];
  for (const rel of walk(dir)) {
    const lines = readFileSync(path.join(dir, rel), 'latin1').split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(/#\s*expect(-next-line|-at)?:\s*([^#\r]*)/g)) {
        const words = m[2]!.trim().split(/\s+/).filter(Boolean);
        if (m[1] === '-at') {
          const [where, ...codes] = words;
          for (const c of codes) out.push(`${where}:${c}`);
        } else {
          const line = i + 1 + (m[1] === '-next-line' ? 1 : 0);
          for (const c of words) out.push(`${rel}:${line}:${c}`);
        }
      }
    });
  }
  return out.sort();
}

export function actualFindings(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.file}:${d.line}:${d.code}`).sort();
}

/**
 * Every bad lint fixture side by side under `dir` (fixtures/lint/<rule>/bad → dir/<rule>): findings
 * of every rule, errors and warnings, as one repository of trees. Copied once; returns `dir`.
 */
export function copyBadFixtures(dir: string): string {
  if (!existsSync(dir)) {
    for (const name of readdirSync(FIXTURES)) cpSync(path.join(FIXTURES, name, 'bad'), path.join(dir, name), { recursive: true, verbatimSymlinks: true });
  }
  return dir;
}
