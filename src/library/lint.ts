/**
 * Lint as a library: `lintTree` / `lintPaths` read trees (or files) and settings as `limitsctl lint`
 * does and return a {@link LintReport}; `formatLintReport` prints it in any of the CLI's formats.
 * `lintTarget` is the pure engine on a target built by hand. Rules and their codes: docs/rules.md;
 * settings (.limitsctl.ini): docs/lint.md.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { lintTarget as lintCore } from '../core/lint/engine.js';
import { lintExitCode as exitCore, type LintReport, type LintSummary, summarize } from '../core/lint/report.js';
import { RULES } from '../core/lint/rules.js';
import type { Diagnostic, LintConfig, LintResult, LintTarget, RuleMeta } from '../core/lint/types.js';
import { canonicalProfile, FALLBACK_PROFILE, type Profile, type ProfileName } from '../core/schema.js';
import { isLintFormat, LINT_FORMATS, type LintFormat, lintWriter } from '../formatters/lint-formats.js';
import { reportPieces } from '../core/lint/report.js';
import { PLAIN_STYLE } from '../formatters/style.js';
import { expandLintTargets, type LoadedLintTarget, loadRootTarget } from '../io/lint-targets.js';
import { checkRoot } from '../io/paths.js';
import { defaultSettings, loadSettings as loadSettingsCore, type LintSettings } from '../io/settings.js';
import { detectProfile } from '../io/system.js';
import * as arg from './args.js';
import { accountDbIn } from './names.js';

/** Options of {@link lintTree} and {@link lintPaths}. */
export interface LintOptions {
  /** the directory relative paths (PATHs, the report's file names) are taken from; default process.cwd() */
  readonly cwd?: string | undefined;
  /** the release profile (or alias) to lint as, or 'auto' (default): each tree's own os-release, as `lint --profile auto` */
  readonly profile?: ProfileName | 'auto' | undefined;
  /**
   * the settings file (.limitsctl.ini, docs/lint.md): a path (relative to cwd), `true` (default:
   * the nearest .limitsctl.ini in cwd or a parent, as the CLI) or `false` (none: defaults)
   */
  readonly settings?: string | boolean | undefined;
}

function checkOptions(fn: string, options: unknown): { cwd: string; profile: ProfileName | 'auto' | undefined; settings: string | boolean } {
  const o = arg.opts(fn, 'options', options);
  if (o.cwd !== undefined) arg.path(fn, 'options.cwd', o.cwd);
  if (o.profile !== 'auto') arg.optProfile(fn, 'options.profile', o.profile);
  if (o.settings !== undefined && typeof o.settings !== 'boolean') arg.path(fn, 'options.settings', o.settings);
  return { cwd: path.resolve(o.cwd ?? process.cwd()), profile: o.profile as ProfileName | 'auto' | undefined, settings: (o.settings as string | boolean | undefined) ?? true };
}

/**
 * The settings a lint run uses: `config` (a path relative to `cwd`), else the nearest
 * `.limitsctl.ini` in `cwd` or a parent directory, else the defaults.
 * @throws SettingsError `ESETTINGS` for a settings file that cannot be used; LimitsError `EARGUMENT`
 */
export function loadSettings(options: { readonly cwd: string; readonly config?: string | undefined }): LintSettings {
  const o = arg.opts('loadSettings', 'options', options);
  arg.path('loadSettings', 'options.cwd', o.cwd);
  if (o.config !== undefined) arg.path('loadSettings', 'options.config', o.config);
  return loadSettingsCore(o.config === undefined ? { cwd: o.cwd } : { cwd: o.cwd, config: o.config });
}

function settingsFor(cwd: string, settings: string | boolean): LintSettings {
  if (settings === false) return defaultSettings(cwd);
  return loadSettingsCore(settings === true ? { cwd } : { cwd, config: settings });
}

function toolVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

async function lintTargets(cwd: string, settings: LintSettings, targets: AsyncIterable<LoadedLintTarget>): Promise<LintReport> {
  const config: LintConfig = { severities: settings.severities, policy: settings.policy };
  const ignored = (abs: string | undefined): boolean => {
    if (abs === undefined || settings.ignorePatterns.length === 0) return false;
    const rel = path.relative(settings.dir, abs).split(path.sep).join('/');
    return settings.ignorePatterns.some((re) => re.test(rel));
  };
  const diagnostics: Diagnostic[] = [];
  const files = new Set<string>();
  const profiles: Array<{ root: string | null; files: readonly string[]; profile: string }> = [];
  let suppressed = 0;
  for await (const t of targets) {
    profiles.push({ root: t.root === null ? null : path.relative(cwd, t.root) || '.', files: t.root === null ? [...t.abs.keys()] : [], profile: canonicalProfile(t.target.tree.profile) });
    const r = lintCore(t.target, config);
    for (const d of r.diagnostics) if (!ignored(t.abs.get(d.file))) diagnostics.push(d);
    suppressed += r.suppressed;
    for (const f of r.files) files.add(f);
  }
  return {
    tool: { name: 'limitsctl', version: toolVersion() },
    cwd,
    diagnostics,
    files: [...files],
    profiles,
    rules: RULES.map((r) => {
      const s = settings.severities.get(r.code);
      return { code: r.code, name: r.name, category: r.category, description: r.description, fixable: r.fixable, severity: s && s !== 'off' ? s : r.severity, enabled: s !== 'off' };
    }),
    suppressed,
    fixed: 0,
    maxWarnings: null,
  };
}

function profileChooser(asked: ProfileName | 'auto' | undefined, settings: LintSettings): (root: string | null) => Profile {
  const want = asked ?? settings.profile ?? 'auto';
  if (want !== 'auto') {
    const p = canonicalProfile(want);
    return () => p;
  }
  return (root) => (root === null ? FALLBACK_PROFILE : detectProfile(root).profile);
}

/**
 * Lint the tree at `root` as `limitsctl lint --root ROOT` does: every rule of docs/rules.md, the
 * settings of `.limitsctl.ini` (severities, policy, ignore, profile, nr_open), findings in
 * pam_limits' reading order. Reads only; nothing is written.
 * @param root the tree root (relative to `options.cwd`, or absolute)
 * @returns a LintReport: `diagnostics` (code, rule, severity, message, file, 1-based line/column…),
 *   `files`, `profiles`, `rules` with their effective severities; `lintExitCode(report)` is the CLI's exit code
 * @throws TreeRootError `EBADROOT` for a root that is not a directory; SettingsError `ESETTINGS`;
 *   LimitsError `EARGUMENT` for arguments of the wrong type or an unknown profile
 */
export async function lintTree(root: string, options: LintOptions = {}): Promise<LintReport> {
  const fn = 'lintTree';
  arg.path(fn, 'root', root);
  const o = checkOptions(fn, options);
  const settings = settingsFor(o.cwd, o.settings);
  const abs = checkRoot(path.resolve(o.cwd, root));
  const one = await loadRootTarget(abs, { cwd: o.cwd, profile: profileChooser(o.profile, settings), nrOpen: settings.nrOpen });
  return await lintTargets(o.cwd, settings, (async function* single() { yield one; })());
}

/**
 * Lint PATHs as `limitsctl lint PATH…` does: a tree root, an etc/security directory, a single
 * file (linted on its own), a glob, or a repository searched for etc/security directories.
 * @throws LintPathError `ELINTPATH` for a PATH that names nothing (before anything is linted);
 *   SettingsError `ESETTINGS`; LimitsError `EARGUMENT`
 */
export async function lintPaths(paths: readonly string[], options: LintOptions = {}): Promise<LintReport> {
  const fn = 'lintPaths';
  arg.arr(fn, 'paths', paths);
  if (paths.length === 0) throw arg.argumentError(fn, 'paths must name at least one path (use lintTree for a tree root)');
  for (const [i, p] of paths.entries()) arg.path(fn, `paths[${i}]`, p);
  const o = checkOptions(fn, options);
  const settings = settingsFor(o.cwd, o.settings);
  const targets = await expandLintTargets(paths, { cwd: o.cwd, profile: profileChooser(o.profile, settings), nrOpen: settings.nrOpen });
  return await lintTargets(o.cwd, settings, targets);
}

/**
 * The pure engine: lint one target (a tree or a file, with its accounts and facts) built by hand
 * or from `loadTree`. File names in the findings are the tree's file paths.
 * @param config `severities` (rule code → 'error' | 'warning' | 'info' | 'off'), `policy`
 * @throws LimitsError `EARGUMENT` for a target or config of the wrong shape
 */
export function lintTarget(target: LintTarget, config: LintConfig = {}): LintResult {
  const fn = 'lintTarget';
  arg.obj(fn, 'target', target);
  arg.tree(fn, 'target.tree', target.tree);
  let accounts = target.accounts ?? null;
  if (accounts !== null) {
    arg.obj(fn, 'target.accounts', accounts);
    accounts = { ...accounts, db: accountDbIn(fn, 'target.accounts.db', accounts.db) };
  }
  const c = arg.opts(fn, 'config', config);
  if (c.severities !== undefined && !(c.severities instanceof Map)) throw arg.argumentError(fn, 'config.severities must be a Map of rule code → severity');
  if (c.policy !== undefined) arg.obj(fn, 'config.policy', c.policy);
  return lintCore({ ...target, accounts }, config);
}

/**
 * A report as text in one of the CLI's formats (`lint --format`): text (without colour), json,
 * sarif, github, and any other the CLI lists (docs/lint.md, "Output formats").
 * @throws LimitsError `EARGUMENT` for an unknown format or a report that is not one
 */
export function formatLintReport(report: LintReport, format: LintFormat = 'text'): string {
  const fn = 'formatLintReport';
  arg.obj(fn, 'report', report);
  arg.arr(fn, 'report.diagnostics', report.diagnostics);
  arg.arr(fn, 'report.files', report.files);
  arg.str(fn, 'format', format);
  if (!isLintFormat(format)) throw arg.argumentError(fn, `unknown format '${format}'; use one of ${LINT_FORMATS.join(', ')}`);
  let out = '';
  for (const piece of reportPieces(lintWriter(format, PLAIN_STYLE), report)) out += piece;
  return out;
}

/**
 * The CLI's exit code for a report: 1 with an error finding (or more warnings than `maxWarnings`), else 0.
 * @throws LimitsError `EARGUMENT` for a report that is not one
 */
export function lintExitCode(report: LintReport): 0 | 1 {
  arg.obj('lintExitCode', 'report', report);
  arg.arr('lintExitCode', 'report.diagnostics', report.diagnostics);
  return exitCore(report);
}

/**
 * Counts of a report's findings: errors, warnings, info, fixable, files with findings, files.
 * @throws LimitsError `EARGUMENT` for a report that is not one
 */
export function lintSummary(report: LintReport): LintSummary {
  arg.obj('lintSummary', 'report', report);
  arg.arr('lintSummary', 'report.diagnostics', report.diagnostics);
  return summarize(report);
}

/** Every lint rule: code (`LC…`), name, category, default severity, description, fixable (docs/rules.md). */
export const LINT_RULES: readonly RuleMeta[] = RULES.map((r) => Object.freeze({
  code: r.code, name: r.name, category: r.category, severity: r.severity, description: r.description, fixable: r.fixable,
}));
