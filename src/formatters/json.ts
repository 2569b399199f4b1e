/**
 * `--format json`: a versioned envelope (documented in docs/lint.md). `writeLintJson` writes it
 * in pieces (one per finding) so that any number of findings can be printed, `lintJsonWriter` as
 * the findings are produced; `formatJson` is the same text as one string. Pure.
 */
import { type LintFormatWriter, type LintReport, type LintReportHead, type LintReportTail, reportPieces, reportTail, ruleDocsUrl } from '../core/lint/report.js';
import type { Diagnostic, RelatedLocation } from '../core/lint/types.js';
import { binaryToDisplay } from '../core/model.js';
import { type ByteOut, collect, type ElementBytes, type ElementText, flatString, JsonSplice, jsonNumber, jsonNumberInto, JsonStream, jsonString, jsonStringBytes, lastJsonString, Stamp, utf8, utf8Cache, type Write } from './stream.js';
import type { FindingBytes } from './text.js';

export const LINT_JSON_VERSION = 1;

/** The members of a related location in the order the engine makes them (and JSON.stringify writes them). */
const RELATED_KEYS = ['file', 'line', 'column', 'endLine', 'endColumn', 'message'];

/**
 * Whether `list` (a finding's `related`) is what {@link relatedText} writes as JSON.stringify
 * would: an array of plain objects whose own enumerable members are exactly file (a string),
 * line, column, endLine, endColumn (numbers) and message (a string, or left out or undefined),
 * in that order, with no toJSON. Anything else (another shape, inherited enumerable members, a
 * value of another type) is left to JSON.stringify. A for-in walk per location, no array made.
 */
function plainRelated(list: readonly RelatedLocation[]): boolean {
  if (!Array.isArray(list) || (list as { toJSON?: unknown }).toJSON !== undefined) return false;
  for (let k = 0; k < list.length; k++) {
    const x = list[k] as unknown as Record<string, unknown> | undefined;
    if (typeof x !== 'object' || x === null || Array.isArray(x) || x.toJSON !== undefined) return false;
    let n = 0;
    for (const key in x) {
      if (n >= RELATED_KEYS.length || key !== RELATED_KEYS[n]) return false;
      n++;
    }
    if (n < RELATED_KEYS.length - 1) return false;
    if (typeof x.file !== 'string' || typeof x.line !== 'number' || typeof x.column !== 'number' || typeof x.endLine !== 'number'
      || typeof x.endColumn !== 'number' || (x.message !== undefined && typeof x.message !== 'string')) return false;
  }
  return true;
}

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
 * (test/lint/formatters-written.test.ts compares them on random findings).
 */
function resultWriter(): { text: ElementText<Diagnostic>; bytes: ElementBytes<Diagnostic> } {
  // the text between the values, flat and worked out once per indentation (which never changes
  // within one array), per file and per rule and severity: a result is then a dozen pieces
  let indent: string | null = null;
  let i = '';
  let column = '';
  let endLine = '';
  let endColumn = '';
  let close = '';
  let lastFile: string | null = null;
  let fileStart = '';
  let middles = new Map<string, string>(); // severity, code and rule → from after endColumn to the message
  let lastSeverity: string | null = null;
  let lastCode: string | null = null;
  let lastRule: string | null = null;
  let middle = '';
  const messageText = lastJsonString();
  // the bytes writer's: the message's JSON text and the pieces per rule, as UTF-8 kept while
  // findings alternate between rules and messages
  const messageBytes = jsonStringBytes();
  const pieceBytes = utf8Cache();
  // the same pieces as UTF-8, for the writer of bytes (made when first written after a change)
  let columnBytes: Uint8Array = new Uint8Array(0);
  let endLineBytes = columnBytes;
  let endColumnBytes = columnBytes;
  let closeBytes = columnBytes;
  // a related location's pieces (for the array of `related`, one level deeper than the result's members)
  let i2 = '';
  let relatedOpen = '';
  let relatedLine = '';
  let relatedColumn = '';
  let relatedEndLine = '';
  let relatedEndColumn = '';
  let relatedMessage = '';
  let relatedClose = '';
  let relatedHeadBytes = columnBytes;
  let relatedOpenBytes = columnBytes;
  let relatedNextBytes = columnBytes;
  let relatedLineBytes = columnBytes;
  let relatedColumnBytes = columnBytes;
  let relatedEndLineBytes = columnBytes;
  let relatedEndColumnBytes = columnBytes;
  let relatedMessageBytes = columnBytes;
  let relatedCloseBytes = columnBytes;
  let relatedEndBytes = columnBytes;
  let emptyRelatedBytes = columnBytes;
  // a related location's file and message as JSON text in UTF-8 (a few texts, over and over)
  const relatedStringBytes = jsonStringBytes(64);
  let fileStartBytes: Uint8Array | null = null;
  let middleBytes: Uint8Array | null = null;
  const stamp = new Stamp();
  /** the pieces of `d`'s element brought up to date (indentation, file, rule) */
  const advance = (d: Diagnostic, at: string, unit: string): void => {
    if (at !== indent) {
      indent = at;
      i = `${at}${unit}`;
      column = flatString(`,\n${i}"column": `);
      endLine = flatString(`,\n${i}"endLine": `);
      endColumn = flatString(`,\n${i}"endColumn": `);
      close = flatString(`,\n${i}"fixable": false\n${at}}`);
      columnBytes = utf8(column);
      endLineBytes = utf8(endLine);
      endColumnBytes = utf8(endColumn);
      closeBytes = utf8(close);
      i2 = `${i}${unit}`;
      const ri = `${i2}${unit}`;
      relatedOpen = flatString(`\n${i2}{\n${ri}"file": `);
      relatedLine = flatString(`,\n${ri}"line": `);
      relatedColumn = flatString(`,\n${ri}"column": `);
      relatedEndLine = flatString(`,\n${ri}"endLine": `);
      relatedEndColumn = flatString(`,\n${ri}"endColumn": `);
      relatedMessage = flatString(`,\n${ri}"message": `);
      relatedClose = flatString(`\n${i2}}`);
      relatedHeadBytes = utf8(`,\n${i}"fixable": false,\n${i}"related": [`);
      relatedOpenBytes = utf8(relatedOpen);
      relatedNextBytes = utf8(`,${relatedOpen}`);
      relatedLineBytes = utf8(relatedLine);
      relatedColumnBytes = utf8(relatedColumn);
      relatedEndLineBytes = utf8(relatedEndLine);
      relatedEndColumnBytes = utf8(relatedEndColumn);
      relatedMessageBytes = utf8(relatedMessage);
      relatedCloseBytes = utf8(relatedClose);
      relatedEndBytes = utf8(`\n${i}]\n${at}}`);
      emptyRelatedBytes = utf8(`,\n${i}"fixable": false,\n${i}"related": []\n${at}}`);
      lastFile = null;
      lastSeverity = null;
      middles = new Map();
    }
    if (d.file !== lastFile) {
      lastFile = d.file;
      fileStart = flatString(`{\n${i}"file": ${jsonString(d.file)},\n${i}"line": `);
      fileStartBytes = null;
    }
    if (d.severity !== lastSeverity || d.code !== lastCode || d.rule !== lastRule) {
      lastSeverity = d.severity; lastCode = d.code; lastRule = d.rule;
      const key = `${d.severity}\u0000${d.code}\u0000${d.rule}`;
      middle = middles.get(key) ?? '';
      if (middle === '') {
        middle = flatString(`,\n${i}"severity": ${jsonString(d.severity)},\n${i}"code": ${jsonString(d.code)},\n${i}"rule": ${jsonString(d.rule)},\n${i}"message": `);
        if (middles.size < 1024) middles.set(key, middle);
      }
      middleBytes = null;
    }
  };
  /** the element's bytes, piece by piece (into the output, or into the stamp) */
  /** a position's four numbers, each after its separator: `line` `a` `column` `b` `endLine` `c` `endColumn` */
  const position = (o: ByteOut, line: number, col: number, endLine: number, endCol: number, a: Uint8Array, b: Uint8Array, c: Uint8Array): void => {
    jsonNumberInto(o, line);
    o.bytes(a);
    jsonNumberInto(o, col);
    o.bytes(b);
    jsonNumberInto(o, endLine);
    o.bytes(c);
    jsonNumberInto(o, endCol);
  };
  const put = (o: ByteOut, lead: Uint8Array, head: Uint8Array, line: number, col: number, endLine: number, endCol: number, middle: Uint8Array, message: Uint8Array): void => {
    o.bytes(lead);
    o.bytes(head);
    position(o, line, col, endLine, endCol, columnBytes, endLineBytes, endColumnBytes);
    o.bytes(middle);
    o.bytes(message);
    o.bytes(closeBytes);
  };
  /**
   * What follows a finding's message when it has related locations (and no fix), in bytes:
   * relatedText's text of `list` (plainRelated), and the end of the element.
   */
  const relatedInto = (o: ByteOut, list: readonly RelatedLocation[]): void => {
    if (list.length === 0) {
      o.bytes(emptyRelatedBytes);
      return;
    }
    o.bytes(relatedHeadBytes);
    for (let k = 0; k < list.length; k++) {
      const x = list[k]!;
      o.bytes(k === 0 ? relatedOpenBytes : relatedNextBytes);
      o.bytes(relatedStringBytes(x.file));
      o.bytes(relatedLineBytes);
      position(o, x.line, x.column, x.endLine, x.endColumn, relatedColumnBytes, relatedEndLineBytes, relatedEndColumnBytes);
      if (x.message !== undefined) {
        o.bytes(relatedMessageBytes);
        o.bytes(relatedStringBytes(x.message));
      }
      o.bytes(relatedCloseBytes);
    }
    o.bytes(relatedEndBytes);
  };
  /** JSON.stringify(list, null, unit) with each later line prefixed by `i` (the text of relatedInto; list: plainRelated) */
  const relatedText = (list: readonly RelatedLocation[]): string => {
    if (list.length === 0) return '[]';
    let t = '[';
    for (let k = 0; k < list.length; k++) {
      const x = list[k]!;
      t += `${k === 0 ? '' : ','}${relatedOpen}${jsonString(x.file)}${relatedLine}${jsonNumber(x.line)}${relatedColumn}${jsonNumber(x.column)}${relatedEndLine}${jsonNumber(x.endLine)}${relatedEndColumn}${jsonNumber(x.endColumn)}${x.message !== undefined ? `${relatedMessage}${jsonString(x.message)}` : ''}${relatedClose}`;
    }
    return `${t}\n${i}]`;
  };
  const bytes: ElementBytes<Diagnostic> = (d, at, unit, out, lead) => {
    // a finding with a fix (few) or related locations of another shape is written as text
    const related = d.related;
    if (d.fix !== undefined || (related !== undefined && !plainRelated(related))) return false;
    advance(d, at, unit);
    const head = (fileStartBytes ??= utf8(fileStart));
    const mid = (middleBytes ??= pieceBytes(middle));
    if (related !== undefined) {
      // (findings with related locations name other lines: no run of one to stamp)
      out.bytes(lead);
      out.bytes(head);
      position(out, d.line, d.column, d.endLine, d.endColumn, columnBytes, endLineBytes, endColumnBytes);
      out.bytes(mid);
      // the message as text, not kept as bytes: the messages of such findings name the other
      // lines, so they seldom come again (a kept array per message cost more than it saved)
      out.text(jsonString(d.message));
      relatedInto(out, related);
      return true;
    }
    const message = messageBytes(d.message);
    // a run of findings of one file, rule and message differs only in its numbers: the last
    // one's bytes with them rewritten
    if (stamp.same(lead, head, mid, message, closeBytes)) {
      if (stamp.put(out, d.line, d.column, d.endLine, d.endColumn, 0)) return true;
      put(stamp.begin(4), lead, head, d.line, d.column, d.endLine, d.endColumn, mid, message);
      stamp.end(out);
      return true;
    }
    put(out, lead, head, d.line, d.column, d.endLine, d.endColumn, mid, message);
    return true;
  };
  const text: ElementText<Diagnostic> = (d, at, unit) => {
    advance(d, at, unit);
    const text = `${fileStart}${jsonNumber(d.line)}${column}${jsonNumber(d.column)}${endLine}${jsonNumber(d.endLine)}${endColumn}${jsonNumber(d.endColumn)}${middle}${messageText(d.message)}`;
    if (d.fix === undefined && d.related === undefined) return `${text}${close}`;
    let more = `,\n${i}"fixable": ${d.fix !== undefined}`;
    if (d.fix) more += `,\n${i}"fix": ${nested(fixOf(d.fix), i, unit)}`;
    if (d.related) more += `,\n${i}"related": ${plainRelated(d.related) ? relatedText(d.related) : nested(d.related, i, unit)}`;
    return `${text}${more}\n${at}}`;
  };
  return { text, bytes };
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
export function lintJsonWriter(): LintFormatWriter & FindingBytes {
  const w = resultWriter();
  const splice = new JsonSplice<Diagnostic>(result, 2, w.text, w.bytes);
  const marker = new JsonStream<Diagnostic>([]);
  let head: LintReportHead | null = null;
  return {
    begin(h: LintReportHead): string {
      head = h;
      return splice.begin(envelope(h, marker, null));
    },
    finding: (d: Diagnostic) => splice.item(d),
    findingInto: (d: Diagnostic, out: ByteOut) => splice.itemInto(d, out),
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
