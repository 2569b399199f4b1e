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
import type { Diagnostic, LintConfig, LintResult, RuleMeta, SeveritySetting } from '../core/lint/types.js';
import { coreTree, type LintTarget } from './types.js';
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
 * A PATH is read as what it names, like the CLI reads it: `/dev/stdin` or a FIFO is read as a
 * stream and blocks until its writer closes it (from a library: the host process's stdin); a
 * stream above the 16 MiB cap is a finding (LC306), not an error.
 * @throws LintPathError `ELINTPATH` for a PATH that names nothing (before anything is linted);
 *   SettingsError `ESETTINGS`; LimitsError `EARGUMENT`; a LimitsError named StreamReadError with
 *   the OS's code (`EIO`…) when a stream named cannot be read
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

const SETTINGS = ['error', 'warning', 'info', 'off'] as const;

/** config.severities: a Map of rule code (`LC101`) or name (`unknown-item`) → 'error' | 'warning' | 'info' | 'off'. */
function severitiesIn(fn: string, v: unknown): Map<string, SeveritySetting> {
  if (!(v instanceof Map)) throw arg.argumentError(fn, 'config.severities must be a Map of rule code → severity');
  const codes = RULES.map((r) => r.code);
  const names = RULES.map((r) => r.name);
  const out = new Map<string, SeveritySetting>();
  for (const [k, sev] of v as Map<unknown, unknown>) {
    arg.str(fn, 'a key of config.severities', k);
    if (!codes.includes(k) && !names.includes(k)) {
      const near = arg.nearest(k, /^lc/i.test(k) ? codes : names);
      throw arg.argumentError(fn, `config.severities has ${arg.quote(k)}, which is no rule's code or name${near === null ? '' : ` (did you mean '${near}'?)`}; the rules are in docs/rules.md`);
    }
    arg.optOneOf(fn, `config.severities '${k}'`, sev ?? null, SETTINGS);
    out.set(codes.includes(k) ? k : codes[names.indexOf(k)]!, sev as SeveritySetting);
  }
  return out;
}

/**
 * The pure engine: lint one target (a tree or a file, with its accounts and facts) built by hand
 * or from `loadTree`. File names in the findings are the tree's file paths.
 * @param config `severities` (a Map: rule code `LC101` or name `unknown-item` → 'error' | 'warning' | 'info' | 'off'), `policy`
 * @returns `{ diagnostics, files, suppressed }`; {@link formatLintReport}, {@link lintExitCode} and {@link lintSummary} take it as it is
 * @throws LimitsError `EARGUMENT` for a target or config of the wrong shape, a severities key that
 *   is no rule's code or name, or a severity that is not one of the four
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
  const severities = c.severities === undefined ? undefined : severitiesIn(fn, c.severities);
  if (c.policy !== undefined) {
    arg.obj(fn, 'config.policy', c.policy);
    arg.arr(fn, 'config.policy.entries', c.policy.entries);
    c.policy.entries.forEach((e, i) => arg.obj(fn, `config.policy.entries[${i}]`, e));
  }
  return lintCore({ ...target, tree: coreTree(target.tree), accounts }, severities === undefined ? config : { ...config, severities });
}

const SEVERITIES = ['error', 'warning', 'info'] as const;

function position(fn: string, at: string, v: Record<string, unknown>): void {
  for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) arg.id(fn, `${at}.${k}`, v[k]);
}

/**
 * A report, or a {@link lintTarget} result (its diagnostics, files and suppressed count), checked
 * finding by finding and completed as a LintReport: what lintTree would have said about the run
 * (this tool, `cwd` the working directory, every rule at its default severity, no maxWarnings).
 */
function reportIn(fn: string, v: unknown): LintReport {
  arg.obj(fn, 'report', v);
  arg.arr(fn, 'report.diagnostics', v.diagnostics);
  v.diagnostics.forEach((d, i) => {
    const at = `report.diagnostics[${i}]`;
    arg.obj(fn, at, d);
    for (const k of ['code', 'rule', 'message', 'file'] as const) arg.str(fn, `${at}.${k}`, d[k]);
    if (typeof d.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(d.severity)) arg.optOneOf(fn, `${at}.severity`, d.severity ?? null, SEVERITIES);
    position(fn, at, d);
    if (d.related !== undefined) {
      arg.arr(fn, `${at}.related`, d.related);
      d.related.forEach((r, j) => {
        arg.obj(fn, `${at}.related[${j}]`, r);
        arg.str(fn, `${at}.related[${j}].file`, r.file);
        arg.str(fn, `${at}.related[${j}].message`, r.message);
        position(fn, `${at}.related[${j}]`, r);
      });
    }
    if (d.fix !== undefined) arg.arr(fn, `${at}.fix`, d.fix);
  });
  const files = v.files ?? [...new Set((v.diagnostics as Diagnostic[]).map((d) => d.file))];
  arg.arr(fn, 'report.files', files);
  files.forEach((f, i) => arg.str(fn, `report.files[${i}]`, f));
  if (v.suppressed !== undefined) arg.id(fn, 'report.suppressed', v.suppressed);
  if (v.fixed !== undefined) arg.id(fn, 'report.fixed', v.fixed);
  if (v.maxWarnings !== undefined && v.maxWarnings !== null) arg.id(fn, 'report.maxWarnings', v.maxWarnings);
  if (v.rules !== undefined) {
    arg.arr(fn, 'report.rules', v.rules);
    v.rules.forEach((r, i) => arg.obj(fn, `report.rules[${i}]`, r));
  }
  if (v.tool !== undefined) {
    arg.obj(fn, 'report.tool', v.tool);
    arg.str(fn, 'report.tool.name', v.tool.name);
    arg.str(fn, 'report.tool.version', v.tool.version);
  }
  if (v.cwd !== undefined) arg.str(fn, 'report.cwd', v.cwd);
  if (v.profiles !== undefined) arg.arr(fn, 'report.profiles', v.profiles);
  return {
    ...(v as object),
    tool: (v.tool as LintReport['tool'] | undefined) ?? { name: 'limitsctl', version: toolVersion() },
    cwd: (v.cwd as string | undefined) ?? process.cwd(),
    diagnostics: v.diagnostics as Diagnostic[],
    files: files as string[],
    rules: (v.rules as LintReport['rules'] | undefined) ?? RULES.map((r) => ({ code: r.code, name: r.name, category: r.category, description: r.description, fixable: r.fixable, severity: r.severity, enabled: true })),
    suppressed: (v.suppressed as number | undefined) ?? 0,
    fixed: (v.fixed as number | undefined) ?? 0,
    maxWarnings: (v.maxWarnings as number | null | undefined) ?? null,
  };
}

/**
 * A report as text in one of the CLI's formats (`lint --format`): text (without colour), json,
 * sarif, github, and any other the CLI lists (docs/lint.md, "Output formats"). Takes what
 * {@link lintTree}/{@link lintPaths} return, or a {@link lintTarget} result (an in-memory lint):
 * that one is printed as a run of this tool in the working directory with every rule at its
 * default severity.
 * @throws LimitsError `EARGUMENT` for an unknown format, or a report (or one of its findings) of the wrong shape
 */
export function formatLintReport(report: LintReport | LintResult, format: LintFormat = 'text'): string {
  const fn = 'formatLintReport';
  const r = reportIn(fn, report);
  arg.str(fn, 'format', format);
  if (!isLintFormat(format)) throw arg.argumentError(fn, `unknown format '${arg.clip(format)}'; use one of ${LINT_FORMATS.join(', ')}`);
  let out = '';
  for (const piece of reportPieces(lintWriter(format, PLAIN_STYLE), r)) out += piece;
  return out;
}

/**
 * The CLI's exit code for a report (or a {@link lintTarget} result): 1 with an error finding (or
 * more warnings than `maxWarnings`), else 0.
 * @throws LimitsError `EARGUMENT` for a report (or one of its findings) of the wrong shape
 */
export function lintExitCode(report: LintReport | LintResult): 0 | 1 {
  return exitCore(reportIn('lintExitCode', report));
}

/**
 * Counts of a report's (or a {@link lintTarget} result's) findings: errors, warnings, info, fixable, files with findings, files.
 * @throws LimitsError `EARGUMENT` for a report (or one of its findings) of the wrong shape
 */
export function lintSummary(report: LintReport | LintResult): LintSummary {
  return summarize(reportIn('lintSummary', report));
}

/** Every lint rule: code (`LC…`), name, category, default severity, description, fixable (docs/rules.md). */
export const LINT_RULES: readonly RuleMeta[] = RULES.map((r) => Object.freeze({
  code: r.code, name: r.name, category: r.category, severity: r.severity, description: r.description, fixable: r.fixable,
}));
