/** What the formatters print: the findings of a run, with the rule table and a summary. Pure. */
import type { Diagnostic, RuleMeta } from './types.js';

export interface LintReport {
  /** informationUri: the tool's home page, only with a documentation base URL (see {@link docsLink}) */
  readonly tool: { readonly name: string; readonly version: string; readonly informationUri?: string };
  /** the documentation base URL ({@link docsLink}); absent: links name files shipped in the package */
  readonly docsBase?: string;
  /** the working directory paths are relative to (absolute) */
  readonly cwd: string;
  readonly diagnostics: readonly Diagnostic[];
  /** every file looked at (display paths) */
  readonly files: readonly string[];
  /**
   * the release profile each tree (root relative to cwd, or null for files linted on their own:
   * then `files` names them) was linted as (docs/profiles.md)
   */
  readonly profiles?: ReadonlyArray<{ readonly root: string | null; readonly files: readonly string[]; readonly profile: string }>;
  /** every rule of the registry with its effective severity ('off' when disabled) */
  readonly rules: ReadonlyArray<RuleMeta & { readonly enabled: boolean }>;
  /** findings silenced by limitsctl-disable comments */
  readonly suppressed: number;
  /** with --fix: how many findings were fixed (and written, unless dry-run) */
  readonly fixed: number;
  /** with --fix --dry-run: the unified diff of what would change */
  readonly diff?: string;
  readonly maxWarnings: number | null;
}

export interface LintSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly info: number;
  readonly fixable: number;
  readonly filesWithFindings: number;
  readonly files: number;
}

export function summarize(report: LintReport): LintSummary {
  let errors = 0;
  let warnings = 0;
  let info = 0;
  let fixable = 0;
  const files = new Set<string>();
  for (const d of report.diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else info++;
    if (d.fix) fixable++;
    files.add(d.file);
  }
  return { errors, warnings, info, fixable, filesWithFindings: files.size, files: report.files.length };
}

/** The exit code of a lint run: 1 for errors, or for more warnings than --max-warnings. */
export function lintExitCode(report: LintReport): 0 | 1 {
  const s = summarize(report);
  if (s.errors > 0) return 1;
  if (report.maxWarnings !== null && s.warnings > report.maxWarnings) return 1;
  return 0;
}

/**
 * Documentation links, set in this one place. By default a link is the path of a file shipped in
 * the npm package (`docs/rules.md#lc202-duplicate-entry`, relative to the installed package, e.g.
 * node_modules/limitsctl/); there is no hosted copy to point at. With a base URL — where the
 * package's files are published, given by the CLI from the {@link DOCS_URL_ENV} environment
 * variable (docs/lint.md, "Documentation links") — a link is that URL followed by the same path.
 */
export const DOCS_URL_ENV = 'LIMITSCTL_DOCS_URL';

/** The rules reference, as a path inside the package. */
export const RULES_DOC = 'docs/rules.md';

/** `file` (a path inside the package, optionally with #anchor) as a link: under `base` when given. */
export function docsLink(file: string, base?: string): string {
  return base ? `${base.replace(/\/+$/, '')}/${file}` : file;
}

/** The docs/rules.md section of a rule: "docs/rules.md#lc202-duplicate-entry" (under `base` when given). */
export function ruleDocsUrl(rule: { code: string; name: string }, base?: string): string {
  return docsLink(`${RULES_DOC}#${rule.code.toLowerCase()}-${rule.name}`, base);
}
