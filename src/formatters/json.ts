/**
 * `--format json`: a versioned envelope (documented in docs/lint.md). `writeLintJson` writes it
 * in pieces (one per finding) so that any number of findings can be printed, `lintJsonWriter` as
 * the findings are produced; `formatJson` is the same text as one string. Pure.
 */
import { type LintFormatWriter, type LintReport, type LintReportHead, type LintReportTail, reportPieces, reportTail, ruleDocsUrl } from '../core/lint/report.js';
import type { Diagnostic } from '../core/lint/types.js';
import { binaryToDisplay } from '../core/model.js';
import { collect, type ElementText, JsonSplice, jsonNumber, JsonStream, jsonString, type Write } from './stream.js';

export const LINT_JSON_VERSION = 1;

function fixOf(fix: NonNullable<Diagnostic['fix']>): object[] {
  return fix.map((e) => ({ offset: e.offset, length: e.length, content: binaryToDisplay(e.content) }));
}

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
    ...(d.fix ? { fix: fixOf(d.fix) } : {}),
    ...(d.related ? { related: d.related } : {}),
  };
}

/**
 * The text of `result(d)` as an element of `results` ({@link ElementText}), written by hand: a
 * finding costs one JSON.stringify of its message instead of a pretty-printed object and a
 * reindenting replace. Rule codes, names and severities are quoted once per writer, a file's
 * path once per run of findings in it. Byte-identical to JSON.stringify of `result(d)`
 * (test/lint/formatters.test.ts compares them on random findings).
 */
function resultWriter(): ElementText<Diagnostic> {
  const quoted = new Map<string, string>();
  const q = (s: string): string => {
    let t = quoted.get(s);
    if (t === undefined) {
      t = jsonString(s);
      if (quoted.size < 1024) quoted.set(s, t);
    }
    return t;
  };
  let lastFile: string | null = null;
  let lastFileText = '';
  return (d, indent, unit) => {
    if (d.file !== lastFile) { lastFile = d.file; lastFileText = jsonString(d.file); }
    const i = `${indent}${unit}`;
    let text = `{\n${i}"file": ${lastFileText},\n${i}"line": ${jsonNumber(d.line)},\n${i}"column": ${jsonNumber(d.column)},\n${i}"endLine": ${jsonNumber(d.endLine)},\n${i}"endColumn": ${jsonNumber(d.endColumn)},\n${i}"severity": ${q(d.severity)},\n${i}"code": ${q(d.code)},\n${i}"rule": ${q(d.rule)},\n${i}"message": ${jsonString(d.message)},\n${i}"fixable": ${d.fix !== undefined}`;
    if (d.fix) text += `,\n${i}"fix": ${nested(fixOf(d.fix), i, unit)}`;
    if (d.related) text += `,\n${i}"related": ${nested(d.related, i, unit)}`;
    return `${text}\n${indent}}`;
  };
}

/** JSON.stringify(v, null, unit) on a line indented by `indent` (every later line prefixed by it). */
function nested(v: unknown, indent: string, unit: string): string {
  return (JSON.stringify(v, null, unit) ?? 'null').replace(/\n/g, `\n${indent}`);
}

type Rules = LintReportHead['rules'];

/**
 * The envelope (docs/lint.md, "JSON output"). `results` comes before the members that need every
 * finding (summary, files, profiles, rules), so that findings can be written as they are
 * produced; without a tail those members are left out (JsonSplice reads only what precedes
 * `results` then).
 */
function envelope(head: LintReportHead, results: unknown, tail: LintReportTail | null): object {
  return {
    version: LINT_JSON_VERSION,
    tool: head.tool,
    results,
    ...(tail ? tailMembers(head.rules, head.docsBase, tail) : {}),
  };
}

function tailMembers(rules: Rules, docsBase: string | undefined, tail: LintReportTail): object {
  return {
    summary: tail.summary,
    files: tail.files,
    // the profile of each tree; a lone file's entry names the file
    ...(tail.profiles ? { profiles: tail.profiles.map((p) => (p.root === null ? { files: p.files, profile: p.profile } : { root: p.root, profile: p.profile })) } : {}),
    rules: rules.filter((r) => tail.codes.has(r.code)).map((r) => ({
      code: r.code, name: r.name, category: r.category, severity: r.severity, description: r.description, fixable: r.fixable, docs: ruleDocsUrl(r, docsBase),
    })),
    suppressed: tail.suppressed,
    fixed: tail.fixed,
    ...(tail.diff !== undefined ? { diff: tail.diff } : {}),
  };
}

/** The JSON document as an object (every finding in memory at once; for small reports). */
export function lintJson(report: LintReport): object {
  return envelope(report, report.diagnostics.map(result), reportTail(report));
}

/** Writes `formatJson(report)` to `write`, one finding at a time. */
export function writeLintJson(report: LintReport, write: Write): void {
  for (const piece of lintJsonPieces(report)) write(piece);
}

/** The pieces of `formatJson(report)`, one finding at a time as they are asked for. */
export function lintJsonPieces(report: LintReport): Generator<string, void, undefined> {
  return reportPieces(lintJsonWriter(), report);
}

/**
 * The JSON format written as findings are produced ({@link LintFormatWriter}): the same text as
 * `formatJson` of the complete report. A diff is not printed aside: it is the `diff` member of
 * the tail.
 */
export function lintJsonWriter(): LintFormatWriter {
  const splice = new JsonSplice<Diagnostic>(result, 2, resultWriter());
  const marker = new JsonStream<Diagnostic>([]);
  let head: LintReportHead | null = null;
  return {
    begin(h: LintReportHead): string {
      head = h;
      return splice.begin(envelope(h, marker, null));
    },
    finding: (d: Diagnostic) => splice.item(d),
    aside: () => '',
    end(tail: LintReportTail): string {
      if (head === null) throw new Error('lintJsonWriter: end() before begin()');
      return `${splice.end(envelope(head, marker, tail))}\n`;
    },
  };
}

export function formatJson(report: LintReport): string {
  return collect((w) => writeLintJson(report, w));
}
