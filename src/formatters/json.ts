/**
 * `--format json`: a versioned envelope (documented in docs/lint.md). Pure.
 */
import { type LintReport, ruleDocsUrl, summarize } from '../core/lint/report.js';
import { binaryToDisplay } from '../core/model.js';

export const LINT_JSON_VERSION = 1;

export function lintJson(report: LintReport): object {
  const used = new Set(report.diagnostics.map((d) => d.code));
  return {
    version: LINT_JSON_VERSION,
    tool: report.tool,
    summary: summarize(report),
    files: report.files,
    results: report.diagnostics.map((d) => ({
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
    })),
    rules: report.rules.filter((r) => used.has(r.code)).map((r) => ({
      code: r.code, name: r.name, category: r.category, severity: r.severity, description: r.description, fixable: r.fixable, docs: ruleDocsUrl(r),
    })),
    suppressed: report.suppressed,
    fixed: report.fixed,
    ...(report.diff !== undefined ? { diff: report.diff } : {}),
  };
}

export function formatJson(report: LintReport): string {
  return `${JSON.stringify(lintJson(report), null, 2)}\n`;
}
