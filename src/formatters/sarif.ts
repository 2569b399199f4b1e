/**
 * `--format sarif`: SARIF 2.1.0, one run, every rule in tool.driver.rules (with help text and a
 * helpUri into docs/rules.md), 1-based regions with an exclusive end in Unicode code points.
 * `writeLintSarif` writes the log in pieces (one per result); `formatSarif` is the same text as one
 * string. Pure.
 */
import { type LintReport, ruleDocsUrl } from '../core/lint/report.js';
import type { Diagnostic, Severity } from '../core/lint/types.js';
import { collect, JsonStream, type Write, writeJson } from './stream.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function fileUri(p: string): string {
  const enc = p.split('/').map((s) => encodeURIComponent(s)).join('/');
  return p.startsWith('/') ? `file://${enc}` : enc;
}

function region(d: { line: number; column: number; endLine: number; endColumn: number; text?: { column: number; endColumn: number } }) {
  const col = d.text ? d.text.column : d.column;
  const endCol = d.text ? d.text.endColumn : d.endColumn;
  return { startLine: d.line, startColumn: col, endLine: d.endLine, endColumn: Math.max(endCol, d.endLine === d.line ? col : 1) };
}

function artifact(f: string) {
  return { location: f.startsWith('/') ? { uri: fileUri(f) } : { uri: fileUri(f), uriBaseId: '%SRCROOT%' } };
}

function location(file: string, d: Parameters<typeof region>[0], message?: string) {
  const rel = !file.startsWith('/');
  return {
    physicalLocation: {
      artifactLocation: rel ? { uri: fileUri(file), uriBaseId: '%SRCROOT%' } : { uri: fileUri(file) },
      region: region(d),
    },
    ...(message ? { message: { text: message } } : {}),
  };
}

function sarifLog(report: LintReport, lazy: boolean): object {
  const rules = report.rules;
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const result = (d: Diagnostic) => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code) ?? 0,
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [location(d.file, d)],
    ...(d.related ? { relatedLocations: d.related.map((r, i) => ({ id: i, ...location(r.file, r, r.message) })) } : {}),
    ...(d.fix ? { properties: { fixable: true } } : {}),
  });
  const cwd = report.cwd.endsWith('/') ? report.cwd : `${report.cwd}/`;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: report.tool.name,
          version: report.tool.version,
          semanticVersion: report.tool.version,
          informationUri: report.tool.informationUri,
          rules: rules.map((r) => ({
            id: r.code,
            name: r.name,
            shortDescription: { text: r.description },
            fullDescription: { text: r.description },
            help: { text: `${r.description} See ${ruleDocsUrl(r)}`, markdown: `${r.description}\n\n[${r.code} ${r.name}](${ruleDocsUrl(r)})` },
            helpUri: ruleDocsUrl(r),
            defaultConfiguration: { level: LEVEL[r.severity], enabled: r.enabled },
            properties: { category: r.category, fixable: r.fixable },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: fileUri(cwd.startsWith('/') ? cwd : `/${cwd}`) } },
      artifacts: lazy ? new JsonStream(report.files, artifact) : report.files.map(artifact),
      columnKind: 'unicodeCodePoints',
      results: lazy ? new JsonStream(report.diagnostics, result) : report.diagnostics.map(result),
    }],
  };
}

/** The SARIF log as an object (every result in memory at once; for small reports). */
export function lintSarif(report: LintReport): object {
  return sarifLog(report, false);
}

/** Writes `formatSarif(report)` to `write`, one result at a time. */
export function writeLintSarif(report: LintReport, write: Write): void {
  writeJson(sarifLog(report, true), write, 2);
  write('\n');
}

export function formatSarif(report: LintReport): string {
  return collect((w) => writeLintSarif(report, w));
}
