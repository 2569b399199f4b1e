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

/**
 * Counts of findings as they are produced, for a summary and an exit code without keeping the
 * findings: memory grows with the number of files with findings and of distinct rule codes,
 * never with the number of findings.
 */
export class LintTally {
  errors = 0;
  warnings = 0;
  info = 0;
  fixable = 0;
  /** the display paths of the files that have findings */
  readonly filesWithFindings = new Set<string>();
  /** the codes of the rules that have findings */
  readonly codes = new Set<string>();

  // findings come grouped by file and often by rule: a repeat of the last one is no set lookup
  private lastFile: string | null = null;
  private lastCode: string | null = null;

  add(d: Diagnostic): void {
    if (d.severity === 'error') this.errors++;
    else if (d.severity === 'warning') this.warnings++;
    else this.info++;
    if (d.fix) this.fixable++;
    if (d.file !== this.lastFile) this.filesWithFindings.add((this.lastFile = d.file));
    if (d.code !== this.lastCode) this.codes.add((this.lastCode = d.code));
  }

  /** `files`: how many files were looked at */
  summary(files: number): LintSummary {
    return { errors: this.errors, warnings: this.warnings, info: this.info, fixable: this.fixable, filesWithFindings: this.filesWithFindings.size, files };
  }
}

function tally(diagnostics: readonly Diagnostic[]): LintTally {
  const t = new LintTally();
  for (const d of diagnostics) t.add(d);
  return t;
}

export function summarize(report: LintReport): LintSummary {
  return tally(report.diagnostics).summary(report.files.length);
}

/** The exit code of a run with these counts: 1 for errors, or for more warnings than `maxWarnings`. */
export function exitCodeOf(counts: { readonly errors: number; readonly warnings: number }, maxWarnings: number | null): 0 | 1 {
  if (counts.errors > 0) return 1;
  if (maxWarnings !== null && counts.warnings > maxWarnings) return 1;
  return 0;
}

/** The exit code of a lint run: 1 for errors, or for more warnings than --max-warnings. */
export function lintExitCode(report: LintReport): 0 | 1 {
  return exitCodeOf(summarize(report), report.maxWarnings);
}

/** What a report says before its first finding: known when the run starts. */
export type LintReportHead = Pick<LintReport, 'tool' | 'docsBase' | 'cwd' | 'rules' | 'maxWarnings'>;

/** What a report says after its last finding: known once every tree has been linted. */
export interface LintReportTail extends Pick<LintReport, 'files' | 'profiles' | 'suppressed' | 'fixed' | 'diff'> {
  /** of the findings shown (LintReport.diagnostics) */
  readonly summary: LintSummary;
  /**
   * errors and warnings of every finding, shown or not: what the exit code counts (under
   * --quiet only the errors are shown); absent: those of `summary`
   */
  readonly counted?: { readonly errors: number; readonly warnings: number };
  /** the codes of the rules with findings shown */
  readonly codes: ReadonlySet<string>;
  /** --fix --dry-run (text says nothing was written; the diff itself may have been printed already) */
  readonly dryRun: boolean;
}

/**
 * A format written as the findings are produced: `begin` once, `finding` for each finding in
 * order, `aside` for text printed between findings that is no finding (a tree's --fix --dry-run
 * diff: the text format prints it there, the others return '' and the caller prints it elsewhere),
 * `end` once. Each returns the text to print next; one writer serves one report.
 */
export interface LintFormatWriter {
  begin(head: LintReportHead): string;
  finding(d: Diagnostic): string;
  aside(text: string): string;
  end(tail: LintReportTail): string;
}

/** The tail of a complete report. */
export function reportTail(report: LintReport): LintReportTail {
  const t = tally(report.diagnostics);
  return {
    files: report.files,
    ...(report.profiles ? { profiles: report.profiles } : {}),
    suppressed: report.suppressed,
    fixed: report.fixed,
    ...(report.diff !== undefined ? { diff: report.diff } : {}),
    summary: t.summary(report.files.length),
    codes: t.codes,
    dryRun: report.diff !== undefined,
  };
}

/** The text of a complete report through `writer`, one finding at a time as it is asked for. */
export function* reportPieces(writer: LintFormatWriter, report: LintReport): Generator<string, void, undefined> {
  yield writer.begin(report);
  for (const d of report.diagnostics) yield writer.finding(d);
  yield writer.end(reportTail(report));
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
