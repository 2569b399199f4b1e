/**
 * `--format sarif`: SARIF 2.1.0, one run, every rule in tool.driver.rules (with help text naming
 * its docs/rules.md section), 1-based regions with an exclusive end in Unicode code points.
 * helpUri and informationUri must be absolute URIs (SARIF 2.1.0 §3.49.12, §3.19.17): they are
 * given only with a documentation base URL (report.docsBase); without one the help text names the
 * section as a path in the package.
 * `writeLintSarif` writes the log in pieces (one per result), `lintSarifWriter` as the results are
 * produced; `formatSarif` is the same text as one string. Results come before `artifacts` in the
 * run (the files are known only at the end). Pure.
 *
 * Each result has `partialFingerprints` {@link FINGERPRINT_KEY}: `HASH:N`, the hash of the rule,
 * the file and the message without its line numbers, and N the occurrence of that hash in the
 * file (fingerprint.ts): GitHub code scanning matches an alert across runs by it, so a finding
 * that moved to another line stays the same alert. `automationDetails.id` (`CATEGORY/`) is there
 * only when a category is given (`lint --sarif-category`): GitHub's upload-sarif action ignores
 * its own `category` input when the log has one, and without either derives one from the
 * workflow, job and matrix values (github/codeql-action src/upload-lib.ts,
 * populateRunAutomationDetails) — a fixed id would make matrix jobs overwrite each other.
 */
import { type LintFormatWriter, type LintReport, type LintReportHead, type LintReportTail, reportPieces, ruleDocsUrl } from '../core/lint/report.js';
import type { Diagnostic, Severity } from '../core/lint/types.js';
import { Fingerprinter } from './fingerprint.js';
import { type ByteOut, collect, type ElementBytes, type ElementText, flatString, JsonSplice, jsonNumber, jsonNumberInto, JsonStream, jsonString, jsonStringBytes, lastJsonString, Stamp, utf8, utf8Cache, type Write } from './stream.js';
import type { FindingBytes } from './text.js';

/** The name of limitsctl's fingerprint in `partialFingerprints` (SARIF §3.27.17: `name/vN`). */
export const FINGERPRINT_KEY = 'limitsctlFindingHash/v1';

/** What the SARIF format takes besides the report. */
export interface SarifOptions {
  /** the analysis category: `automationDetails.id` is CATEGORY followed by `/` (unless it ends in one) */
  readonly category?: string;
}

/** A finding and its fingerprint (`HASH:N`: hash and occurrence), as a result is written. */
interface Printed {
  readonly d: Diagnostic;
  readonly hash: string;
  readonly occurrence: number;
}

/** Fingerprints findings in order (a new one per report). */
function printer(): (d: Diagnostic) => Printed {
  const f = new Fingerprinter();
  return (d) => {
    const { hash, occurrence } = f.next(d);
    return { d, hash, occurrence };
  };
}

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

/** A rule's help: a link under the documentation base URL, else the section's path in the package. */
function help(r: { code: string; name: string; description: string }, base: string | undefined) {
  const where = ruleDocsUrl(r, base);
  if (base) return { text: `${r.description} See ${where}`, markdown: `${r.description}\n\n[${r.code} ${r.name}](${where})` };
  return { text: `${r.description} See ${where} in the limitsctl package.`, markdown: `${r.description}\n\nSee \`${where}\` in the limitsctl package.` };
}

function resultOf(index: ReadonlyMap<string, number>) {
  return ({ d, hash, occurrence }: Printed) => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code) ?? 0,
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [location(d.file, d)],
    ...(d.related ? { relatedLocations: d.related.map((r, i) => ({ id: i, ...location(r.file, r, r.message) })) } : {}),
    ...(d.fix ? { properties: { fixable: true } } : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: `${hash}:${occurrence}` },
  });
}

/**
 * The text of `resultOf(index)` of a finding and its fingerprint (read from `f`, stepped on the
 * finding just before) as an element of `results` ({@link ElementText}), written by
 * hand: a result costs one JSON.stringify of its message (its location's artifactLocation is
 * written once per run of results in the same file) instead of five nested objects, a
 * pretty-printed text and a reindenting replace. Byte-identical to JSON.stringify of
 * `resultOf(index)(d)` (test/lint/formatters.test.ts compares them on random findings).
 */
function resultWriter(index: ReadonlyMap<string, number>, f: Fingerprinter): { text: ElementText<Diagnostic>; bytes: ElementBytes<Diagnostic> } {
  // the text between the values, flat and worked out once per indentation (which never changes
  // within one array), per file and per rule and severity: a result is then a dozen pieces
  let indent: string | null = null;
  let i1 = '';
  let i2 = '';
  let i3 = '';
  let i4 = '';
  let i5 = '';
  let closeRegion = '';
  // a file's physicalLocation up to the start line's value (main and related locations are at one depth)
  let physicals = new Map<string, string>();
  const physical = (file: string): string => {
    let t = physicals.get(file);
    if (t === undefined) {
      const uri = jsonString(fileUri(file));
      const artifact = file.startsWith('/') ? `{\n${i5}"uri": ${uri}\n${i4}}` : `{\n${i5}"uri": ${uri},\n${i5}"uriBaseId": "%SRCROOT%"\n${i4}}`;
      t = flatString(`{\n${i4}"artifactLocation": ${artifact},\n${i4}"region": {\n${i5}"startLine": `);
      if (physicals.size >= 1024) physicals = new Map();
      physicals.set(file, t);
    }
    return t;
  };
  const regionText = (r: ReturnType<typeof region>): string =>
    `${jsonNumber(r.startLine)}${startColumn}${jsonNumber(r.startColumn)}${endLine}${jsonNumber(r.endLine)}${endColumn}${jsonNumber(r.endColumn)}`;
  let startColumn = '';
  let endLine = '';
  let endColumn = '';
  let fingerprint = '';
  let closeLocations = '';
  let starts = new Map<string, string>(); // code and severity → the members before the message text
  let lastCode: string | null = null;
  let lastSeverity: string | null = null;
  let start = '';
  let lastFile: string | null = null;
  let fileMiddle = ''; // from after the message text to the start line's value
  const messageText = lastJsonString();
  // the bytes writer's: the message's JSON text and the pieces per rule and severity, as UTF-8
  // kept while findings alternate between rules and messages
  const messageBytes = jsonStringBytes();
  const pieceBytes = utf8Cache();
  // the same pieces as UTF-8, for the writer of bytes (made when first written after a change)
  let startColumnBytes: Uint8Array = new Uint8Array(0);
  let endLineBytes = startColumnBytes;
  let endColumnBytes = startColumnBytes;
  let closeLocationsBytes = startColumnBytes;
  let fingerprintBytes = startColumnBytes;
  let closeBytes = startColumnBytes;
  // the pieces of relatedLocations (written after closeLocations, before the fingerprint)
  let relatedHeadBytes = startColumnBytes;
  let relatedOpenBytes = startColumnBytes;
  let relatedNextBytes = startColumnBytes;
  let relatedPhysicalBytes = startColumnBytes;
  let closeRegionBytes = startColumnBytes;
  let relatedMessageBytes = startColumnBytes;
  let relatedMessageCloseBytes = startColumnBytes;
  let relatedCloseBytes = startColumnBytes;
  let relatedEndBytes = startColumnBytes;
  let emptyRelatedBytes = startColumnBytes;
  let fixableBytes = startColumnBytes;
  // a related location's physicalLocation (by file) and message as UTF-8: a few texts, over and over
  const physicalBytes = utf8Cache(64);
  const relatedStringBytes = jsonStringBytes(64);
  let startBytes: Uint8Array | null = null;
  let fileMiddleBytes: Uint8Array | null = null;
  const stamp = new Stamp();
  const COLON = utf8(':');
  /** the pieces of `d`'s result brought up to date (indentation, rule and severity, file) */
  const advance = (d: Diagnostic, at: string, unit: string): void => {
    if (at !== indent) {
      indent = at;
      i1 = `${at}${unit}`; i2 = `${i1}${unit}`; i3 = `${i2}${unit}`; i4 = `${i3}${unit}`; i5 = `${i4}${unit}`;
      startColumn = flatString(`,\n${i5}"startColumn": `);
      endLine = flatString(`,\n${i5}"endLine": `);
      endColumn = flatString(`,\n${i5}"endColumn": `);
      closeRegion = flatString(`\n${i4}}\n${i3}}`);
      closeLocations = flatString(`${closeRegion}\n${i2}}\n${i1}]`);
      physicals = new Map();
      fingerprint = flatString(`,\n${i1}"partialFingerprints": {\n${i2}${jsonString(FINGERPRINT_KEY)}: "`);
      starts = new Map();
      lastCode = null;
      lastFile = null;
      startColumnBytes = utf8(startColumn);
      endLineBytes = utf8(endLine);
      endColumnBytes = utf8(endColumn);
      closeLocationsBytes = utf8(closeLocations);
      fingerprintBytes = utf8(fingerprint);
      closeBytes = utf8(`"\n${i1}}\n${at}}`);
      relatedHeadBytes = utf8(`,\n${i1}"relatedLocations": [`);
      relatedOpenBytes = utf8(`\n${i2}{\n${i3}"id": `);
      relatedNextBytes = utf8(`,\n${i2}{\n${i3}"id": `);
      relatedPhysicalBytes = utf8(`,\n${i3}"physicalLocation": `);
      closeRegionBytes = utf8(closeRegion);
      relatedMessageBytes = utf8(`,\n${i3}"message": {\n${i4}"text": `);
      relatedMessageCloseBytes = utf8(`\n${i3}}`);
      relatedCloseBytes = utf8(`\n${i2}}`);
      relatedEndBytes = utf8(`\n${i1}]`);
      emptyRelatedBytes = utf8(`,\n${i1}"relatedLocations": []`);
      fixableBytes = utf8(`,\n${i1}"properties": {\n${i2}"fixable": true\n${i1}}`);
    }
    if (d.code !== lastCode || d.severity !== lastSeverity) {
      lastCode = d.code; lastSeverity = d.severity;
      const key = `${d.code}\u0000${d.severity}`;
      start = starts.get(key) ?? '';
      if (start === '') {
        start = flatString(`{\n${i1}"ruleId": ${jsonString(d.code)},\n${i1}"ruleIndex": ${jsonNumber(index.get(d.code) ?? 0)},\n${i1}"level": ${jsonString(LEVEL[d.severity])},\n${i1}"message": {\n${i2}"text": `);
        if (starts.size < 1024) starts.set(key, start);
      }
      startBytes = null;
    }
    if (d.file !== lastFile) {
      lastFile = d.file;
      fileMiddle = flatString(`\n${i1}},\n${i1}"locations": [\n${i2}{\n${i3}"physicalLocation": ${physical(d.file)}`);
      fileMiddleBytes = null;
    }
  };
  /** the result's bytes, piece by piece (into the output, or into the stamp) */
  const put = (o: ByteOut, lead: Uint8Array, head: Uint8Array, message: Uint8Array, middle: Uint8Array, line: number, col: number, endLine: number, endCol: number, hash: string, occurrence: number): void => {
    o.bytes(lead);
    o.bytes(head);
    o.bytes(message);
    o.bytes(middle);
    jsonNumberInto(o, line);
    o.bytes(startColumnBytes);
    jsonNumberInto(o, col);
    o.bytes(endLineBytes);
    jsonNumberInto(o, endLine);
    o.bytes(endColumnBytes);
    jsonNumberInto(o, endCol);
    o.bytes(closeLocationsBytes);
    o.bytes(fingerprintBytes);
    // the fingerprint is hex digits and a number: nothing to escape
    o.text(hash);
    o.bytes(COLON);
    o.number(occurrence);
    o.bytes(closeBytes);
  };
  /** region(x)'s numbers with the text between them (from startLine's value to endColumn's) */
  const regionInto = (o: ByteOut, x: Parameters<typeof region>[0]): void => {
    const col = x.text ? x.text.column : x.column;
    jsonNumberInto(o, x.line);
    o.bytes(startColumnBytes);
    jsonNumberInto(o, col);
    o.bytes(endLineBytes);
    jsonNumberInto(o, x.endLine);
    o.bytes(endColumnBytes);
    jsonNumberInto(o, Math.max(x.text ? x.text.endColumn : x.endColumn, x.endLine === x.line ? col : 1));
  };
  /**
   * A result with related locations or a fix, in bytes: the text writer's text of it (no stamp:
   * such results name other lines, or are few).
   */
  const relatedInto = (d: Diagnostic, o: ByteOut, lead: Uint8Array, head: Uint8Array, middle: Uint8Array, hash: string, occurrence: number): void => {
    o.bytes(lead);
    o.bytes(head);
    // the message as text, not kept as bytes: the messages of such findings name the other
    // lines, so they seldom come again (a kept array per message cost more than it saved)
    o.text(jsonString(d.message));
    o.bytes(middle);
    regionInto(o, d);
    o.bytes(closeLocationsBytes);
    const list = d.related;
    if (list !== undefined) {
      if (list.length === 0) o.bytes(emptyRelatedBytes);
      else {
        o.bytes(relatedHeadBytes);
        for (let k = 0; k < list.length; k++) {
          const x = list[k]!;
          o.bytes(k === 0 ? relatedOpenBytes : relatedNextBytes);
          o.number(k);
          o.bytes(relatedPhysicalBytes);
          o.bytes(physicalBytes(physical(x.file)));
          regionInto(o, x);
          o.bytes(closeRegionBytes);
          if (x.message) {
            o.bytes(relatedMessageBytes);
            o.bytes(relatedStringBytes(x.message));
            o.bytes(relatedMessageCloseBytes);
          }
          o.bytes(relatedCloseBytes);
        }
        o.bytes(relatedEndBytes);
      }
    }
    if (d.fix) o.bytes(fixableBytes);
    o.bytes(fingerprintBytes);
    o.text(hash);
    o.bytes(COLON);
    o.number(occurrence);
    o.bytes(closeBytes);
  };
  const bytes: ElementBytes<Diagnostic> = (d, at, unit, out, lead) => {
    const hash = f.hash;
    const occurrence = f.occurrence;
    advance(d, at, unit);
    const head = (startBytes ??= pieceBytes(start));
    const middle = (fileMiddleBytes ??= utf8(fileMiddle));
    if (d.related !== undefined || d.fix !== undefined) {
      relatedInto(d, out, lead, head, middle, hash, occurrence);
      return true;
    }
    const message = messageBytes(d.message);
    // region(d), member by member
    const col = d.text ? d.text.column : d.column;
    const endCol = Math.max(d.text ? d.text.endColumn : d.endColumn, d.endLine === d.line ? col : 1);
    // a run of results of one rule, message, file and fingerprint hash differs only in its
    // numbers: the last one's bytes with them rewritten
    if (stamp.same(lead, head, message, middle, hash)) {
      if (stamp.put(out, d.line, col, d.endLine, endCol, occurrence)) return true;
      put(stamp.begin(5), lead, head, message, middle, d.line, col, d.endLine, endCol, hash, occurrence);
      stamp.end(out);
      return true;
    }
    put(out, lead, head, message, middle, d.line, col, d.endLine, endCol, hash, occurrence);
    return true;
  };
  const text: ElementText<Diagnostic> = (d, at, unit) => {
    const hash = f.hash;
    const occurrence = f.occurrence;
    advance(d, at, unit);
    const r = region(d);
    const text = `${start}${messageText(d.message)}${fileMiddle}${regionText(r)}`;
    let more = closeLocations;
    if (d.related) {
      // each element as location(x.file, x, x.message) with its id, at the depth of `locations`' own
      let list = '';
      for (let k = 0; k < d.related.length; k++) {
        const x = d.related[k]!;
        const message = x.message ? `,\n${i3}"message": {\n${i4}"text": ${jsonString(x.message)}\n${i3}}` : '';
        list += `${k === 0 ? '' : ','}\n${i2}{\n${i3}"id": ${k},\n${i3}"physicalLocation": ${physical(x.file)}${regionText(region(x))}${closeRegion}${message}\n${i2}}`;
      }
      more += `,\n${i1}"relatedLocations": ${list === '' ? '[]' : `[${list}\n${i1}]`}`;
    }
    if (d.fix) more += `,\n${i1}"properties": {\n${i2}"fixable": true\n${i1}}`;
    // the fingerprint is hex digits and a number: nothing to escape
    return `${text}${more}${fingerprint}${hash}:${occurrence}"\n${i1}}\n${at}}`;
  };
  return { text, bytes };
}

/**
 * The log. `results` comes before `artifacts` (the files, known once every tree has been linted),
 * so that results can be written as they are produced; without a tail `artifacts` is left out
 * (JsonSplice reads only what precedes `results` then).
 */
function sarifLog(head: LintReportHead, results: unknown, files: readonly string[] | null, options: SarifOptions): object {
  const rules = head.rules;
  const cwd = head.cwd.endsWith('/') ? head.cwd : `${head.cwd}/`;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: head.tool.name,
          version: head.tool.version,
          semanticVersion: head.tool.version,
          ...(head.tool.informationUri ? { informationUri: head.tool.informationUri } : {}),
          rules: rules.map((r) => ({
            id: r.code,
            name: r.name,
            shortDescription: { text: r.description },
            fullDescription: { text: r.description },
            help: help(r, head.docsBase),
            ...(head.docsBase ? { helpUri: ruleDocsUrl(r, head.docsBase) } : {}),
            defaultConfiguration: { level: LEVEL[r.severity], enabled: r.enabled },
            properties: { category: r.category, fixable: r.fixable },
          })),
        },
      },
      ...(options.category !== undefined ? { automationDetails: { id: automationId(options.category) } } : {}),
      originalUriBaseIds: { '%SRCROOT%': { uri: fileUri(cwd.startsWith('/') ? cwd : `/${cwd}`) } },
      columnKind: 'unicodeCodePoints',
      results,
      ...(files ? { artifacts: files.map(artifact) } : {}),
    }],
  };
}

/** `automationDetails.id` of a category: GitHub reads the part up to the last `/` as the category. */
export function automationId(category: string): string {
  return category.endsWith('/') ? category : `${category}/`;
}

function ruleIndex(head: LintReportHead): Map<string, number> {
  return new Map(head.rules.map((r, i) => [r.code, i]));
}

/** The SARIF log as an object (every result in memory at once; for small reports). */
export function lintSarif(report: LintReport, options: SarifOptions = {}): object {
  return sarifLog(report, report.diagnostics.map(printer()).map(resultOf(ruleIndex(report))), report.files, options);
}

/** Writes `formatSarif(report)` to `write`, one result at a time. */
export function writeLintSarif(report: LintReport, write: Write, options: SarifOptions = {}): void {
  for (const piece of lintSarifPieces(report, options)) write(piece);
}

/** The pieces of `formatSarif(report)`, one result at a time as they are asked for. */
export function lintSarifPieces(report: LintReport, options: SarifOptions = {}): Generator<string, void, undefined> {
  return reportPieces(lintSarifWriter(options), report);
}

/**
 * The SARIF format written as results are produced ({@link LintFormatWriter}): the same text as
 * `formatSarif` of the complete report. A --fix --dry-run diff has no place in SARIF: the caller
 * prints it on stderr.
 */
export function lintSarifWriter(options: SarifOptions = {}): LintFormatWriter & FindingBytes {
  let splice: JsonSplice<Diagnostic> | null = null;
  let head: LintReportHead | null = null;
  const marker = new JsonStream<Diagnostic>([]);
  // each finding is fingerprinted, then written: the element writers read its fingerprint from
  // `f` (no object per finding)
  const f = new Fingerprinter();
  return {
    begin(h: LintReportHead): string {
      head = h;
      const index = ruleIndex(h);
      const w = resultWriter(index, f);
      const result = resultOf(index);
      splice = new JsonSplice<Diagnostic>((d) => result({ d, hash: f.hash, occurrence: f.occurrence }), 2, w.text, w.bytes);
      return splice.begin(sarifLog(h, marker, null, options));
    },
    finding(d: Diagnostic): string {
      if (splice === null) throw new Error('lintSarifWriter: finding() before begin()');
      f.step(d);
      return splice.item(d);
    },
    findingInto(d: Diagnostic, out: ByteOut): void {
      if (splice === null) throw new Error('lintSarifWriter: finding() before begin()');
      f.step(d);
      splice.itemInto(d, out);
    },
    aside: () => '',
    end(tail: LintReportTail): string {
      if (splice === null || head === null) throw new Error('lintSarifWriter: end() before begin()');
      return `${splice.end(sarifLog(head, marker, tail.files, options))}\n`;
    },
  };
}

export function formatSarif(report: LintReport, options: SarifOptions = {}): string {
  return collect((w) => writeLintSarif(report, w, options));
}
