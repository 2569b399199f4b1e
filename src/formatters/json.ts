/**
 * `--format json`: a versioned envelope (documented in docs/lint.md). `writeLintJson` writes it
 * in pieces (one per finding) so that any number of findings can be printed; `formatJson` is the
 * same text as one string. Pure.
 */
import { type LintReport, ruleDocsUrl, summarize } from '../core/lint/report.js';
import type { Diagnostic } from '../core/lint/types.js';
import { binaryToDisplay } from '../core/model.js';
import { collect, jsonPieces, JsonStream, type Write } from './stream.js';

export const LINT_JSON_VERSION = 1;

function result(d: Diagnostic): object {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    severity: d.severity,
    code: d.code,
    rule: d.rule,
    message: d.message,
    fixable: d.fix !== undefined,
    ...(d.fix ? { fix: d.fix.map((e) => ({ offset: e.offset, length: e.length, content: binaryToDisplay(e.content) })) } : {}),
    ...(d.related ? { related: d.related } : {}),
  };
}

function envelope(report: LintReport, files: unknown, results: unknown): object {
  const used = new Set<string>();
  for (const d of report.diagnostics) used.add(d.code);
  return {
    version: LINT_JSON_VERSION,
    tool: report.tool,
    summary: summarize(report),
    files,
    // the profile of each tree; a lone file's entry names the file
    ...(report.profiles ? { profiles: report.profiles.map((p) => (p.root === null ? { files: p.files, profile: p.profile } : { root: p.root, profile: p.profile })) } : {}),
    results,
    rules: report.rules.filter((r) => used.has(r.code)).map((r) => ({
      code: r.code, name: r.name, category: r.category, severity: r.severity, description: r.description, fixable: r.fixable, docs: ruleDocsUrl(r, report.docsBase),
    })),
    suppressed: report.suppressed,
    fixed: report.fixed,
    ...(report.diff !== undefined ? { diff: report.diff } : {}),
  };
}

/** The JSON document as an object (every finding in memory at once; for small reports). */
export function lintJson(report: LintReport): object {
  return envelope(report, report.files, report.diagnostics.map(result));
}

/** Writes `formatJson(report)` to `write`, one finding at a time. */
export function writeLintJson(report: LintReport, write: Write): void {
  for (const piece of lintJsonPieces(report)) write(piece);
}

/** The pieces of `formatJson(report)`, one finding at a time as they are asked for. */
export function* lintJsonPieces(report: LintReport): Generator<string, void, undefined> {
  yield* jsonPieces(envelope(report, new JsonStream(report.files), new JsonStream(report.diagnostics, result)), 2);
  yield '\n';
}

export function formatJson(report: LintReport): string {
  return collect((w) => writeLintJson(report, w));
}
