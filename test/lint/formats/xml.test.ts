/**
 * `--format junit` and `--format checkstyle`: well-formed XML 1.0 read back by a real parser
 * (fast-xml-parser, a devDependency: its validator for well-formedness, its parser for the values),
 * plus the one thing it does not check, the XML 1.0 Char production (no control characters other
 * than tab, LF, CR; no U+FFFE/U+FFFF; no lone surrogates). On the bad lint fixtures (findings),
 * a clean tree (none: a passing testcase), and hostile messages and paths (`]]>`, markup, quotes,
 * control characters, CR LF, non-ASCII, astral characters, a lone surrogate) whose text must come
 * back as written (control characters as the visible `\u0007`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { LintReport } from '../../../src/core/lint/report.js';
import { RULES } from '../../../src/core/lint/rules.js';
import type { Diagnostic } from '../../../src/core/lint/types.js';
import { formatCheckstyle } from '../../../src/formatters/checkstyle.js';
import { formatJunit } from '../../../src/formatters/junit.js';
import { REPO, runMain } from '../../cli/helpers.js';
import { copyBadFixtures } from '../helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-xml-formats-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const ARRAYS = new Set(['testsuites.testsuite', 'testsuites.testsuite.testcase', 'checkstyle.file', 'checkstyle.file.error']);

/** The document parsed, after checking that it is well-formed XML 1.0 with the declaration. */
function parse(xml: string): Record<string, unknown> {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'), 'declaration first, no byte order mark').toBe(true);
  const ok = XMLValidator.validate(xml);
  expect(ok, JSON.stringify(ok)).toBe(true);
  expect(NOT_XML_CHAR.exec(xml), 'a character XML 1.0 does not allow').toBeNull();
  const parser = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, parseAttributeValue: false, parseTagValue: false,
    htmlEntities: true, isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
  });
  return parser.parse(xml) as Record<string, unknown>;
}

interface Case { classname: string; name: string; file?: string; failure?: { message: string; type: string; '#text'?: string }; skipped?: { message: string } }
interface Suite { name: string; testcase?: Case[] }
const suitesOf = (doc: Record<string, unknown>) => (doc.testsuites as { testsuite: Suite[] }).testsuite;
interface CsFile { name: string; error?: Array<{ line: string; column: string; severity: string; message: string; source: string }> }
const filesOf = (doc: Record<string, unknown>) => (doc.checkstyle as { file?: CsFile[] }).file ?? [];

/** Every bad lint fixture side by side: findings of every rule, errors and warnings. */
const badRepo = (): string => copyBadFixtures(path.join(tmp, 'bad'));

function cleanTree(): string {
  const dir = path.join(tmp, 'clean');
  mkdirSync(path.join(dir, 'etc/security/limits.d'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/security/limits.conf'), '* soft nofile 4096\n* hard nofile 8192\n');
  writeFileSync(path.join(dir, 'etc/security/limits.d/10-app.conf'), '@app - nproc 2048\n');
  return dir;
}

const HOSTILE_MESSAGES = [
  'CDATA end ]]> and markup <testcase name="x"/> & &amp; \'single\' "double"',
  'bell \u0007 nul \u0000 escape \u001b vertical tab \u000b form feed \u000c',
  'CR LF\r\nand tab\there, U+FFFE \ufffe U+FFFF \uffff',
  '# Zoë — café, 日本語, an astral 𝄞 and 🙂, a lone surrogate \ud800 here',
];
const HOSTILE_FILE = 'etc/security/limits.d/a&b <"c">\u0007.conf';

function hostileReport(maxWarnings: number | null = null): LintReport {
  const base = { line: 3, column: 5, endLine: 3, endColumn: 9 };
  const diagnostics: Diagnostic[] = HOSTILE_MESSAGES.flatMap((message, i) => [
    { ...base, line: i + 1, code: 'LC003', rule: 'unknown-item', severity: 'error' as const, message, file: HOSTILE_FILE },
    { ...base, line: i + 1, code: 'LC202', rule: 'duplicate-entry', severity: 'warning' as const, message, file: HOSTILE_FILE },
  ]);
  return {
    tool: { name: 'limitsctl', version: '0.1.0' }, cwd: '/work', diagnostics, files: [HOSTILE_FILE, 'etc/security/limits.conf'],
    rules: RULES.map((r) => ({ ...r, enabled: true })), suppressed: 0, fixed: 0, maxWarnings,
  };
}

/** What a message reads as after the XML round trip: control characters shown as \uXXXX, a lone surrogate as U+FFFD. */
function shown(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

describe('junit', () => {
  it('findings: a testsuite per file, a failure per error (message, file:line:col), warnings listed as skipped', async () => {
    const dir = badRepo();
    const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'junit'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse((await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'json'], { cwd: dir })).stdout) as {
      results: Array<{ file: string; line: number; severity: string; code: string; message: string }>;
    };
    const suites = suitesOf(parse(r.stdout));
    const fileSuites = suites.filter((s) => s.name !== 'limitsctl');
    expect(fileSuites.map((s) => s.name)).toEqual([...new Set(json.results.map((x) => x.file))]);
    const cases = fileSuites.flatMap((s) => s.testcase ?? []);
    expect(cases).toHaveLength(json.results.length);
    const failures = cases.filter((c) => c.failure);
    expect(failures).toHaveLength(json.results.filter((x) => x.severity === 'error').length);
    expect(cases.filter((c) => c.skipped)).toHaveLength(json.results.filter((x) => x.severity !== 'error').length);
    json.results.forEach((x, i) => {
      const c = cases[i]!;
      expect(c.classname).toBe(`limitsctl.${x.code}`);
      expect(c.name.startsWith(`${x.file}:${x.line}:`), c.name).toBe(true);
      expect(c.file).toBe(x.file);
      if (x.severity === 'error') {
        expect(c.failure!.message).toBe(x.message);
        expect(c.failure!['#text']).toContain(`${x.file}:${x.line}:`);
      } else {
        expect(c.skipped!.message).toBe(`${x.severity}: ${x.message}`);
      }
    });
  });

  it('a clean run: passing testcases, one per file looked at', async () => {
    const r = await runMain(['lint', '.', '--format', 'junit'], { cwd: cleanTree() });
    expect(r.code, r.stderr).toBe(0);
    const suites = suitesOf(parse(r.stdout));
    expect(suites.map((s) => s.name)).toEqual(['limitsctl']);
    const cases = suites[0]!.testcase!;
    expect(cases.map((c) => c.file)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/10-app.conf']);
    expect(cases.every((c) => c.failure === undefined && c.skipped === undefined)).toBe(true);
  });

  it('--max-warnings: one testcase that fails exactly when the run fails on warnings', async () => {
    const dir = path.join(REPO, 'fixtures/lint/duplicate-entry/bad');
    for (const [max, code] of [[0, 1], [100, 0]] as const) {
      const r = await runMain(['lint', dir, '--format', 'junit', '--max-warnings', String(max)]);
      expect(r.code, r.stderr).toBe(code);
      const mw = suitesOf(parse(r.stdout)).find((s) => s.name === 'limitsctl')!.testcase!.find((c) => c.name.startsWith('max-warnings'))!;
      expect(mw.failure !== undefined, `--max-warnings ${max}`).toBe(code === 1);
    }
    // --quiet shows no warning, but they still count for the exit code and so for the testcase
    const quiet = await runMain(['lint', dir, '--format', 'junit', '--max-warnings', '0', '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(1);
    const suites = suitesOf(parse(quiet.stdout));
    expect(suites.flatMap((s) => s.testcase ?? []).filter((c) => c.skipped)).toEqual([]);
    const mw = suites.find((s) => s.name === 'limitsctl')!.testcase!.find((c) => c.name.startsWith('max-warnings'))!;
    expect(mw.failure?.message).toBe('4 warnings, more than --max-warnings 0');
  });

  it('hostile messages and paths: well-formed, and every text comes back as written', () => {
    const report = hostileReport(0);
    const xml = formatJunit(report);
    const suites = suitesOf(parse(xml));
    expect(suites[0]!.name).toBe(shown(HOSTILE_FILE));
    const cases = suites[0]!.testcase!;
    expect(cases).toHaveLength(report.diagnostics.length);
    report.diagnostics.forEach((d, i) => {
      const c = cases[i]!;
      expect(c.file).toBe(shown(HOSTILE_FILE));
      if (d.severity === 'error') {
        expect(c.failure!.message).toBe(shown(d.message));
        // element text: CR survives as &#13;, LF and tab as themselves
        expect(c.failure!['#text']).toBe(shown(`${d.file}:${d.line}:${d.column} error ${d.code} ${d.message} (${d.rule})`));
      } else {
        expect(c.skipped!.message).toBe(shown(`warning: ${d.message}`));
      }
    });
    // the clean file of the report is a passing testcase; 4 warnings > 0 fail max-warnings
    const last = suites.at(-1)!.testcase!;
    expect(last.map((c) => c.name)).toEqual(['etc/security/limits.conf: no problems', 'max-warnings: at most 0 warnings']);
    expect(last[1]!.failure!.message).toBe('4 warnings, more than --max-warnings 0');
  });

  it('an empty report is still a document with a passing testcase', () => {
    const xml = formatJunit({ ...hostileReport(), diagnostics: [], files: [] });
    expect(suitesOf(parse(xml))[0]!.testcase!.map((c) => c.name)).toEqual(['lint: no files']);
  });
});

describe('checkstyle', () => {
  it('findings: a <file> per file with an <error> per finding (line, column, severity, message, source)', async () => {
    const dir = badRepo();
    const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'checkstyle'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse((await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'json'], { cwd: dir })).stdout) as {
      results: Array<{ file: string; line: number; severity: string; code: string; rule: string; message: string }>; files: string[];
    };
    const doc = parse(r.stdout);
    expect((doc.checkstyle as { version: string }).version).toBe('4.3');
    const files = filesOf(doc);
    // every file looked at, those with findings first (in the order of the findings)
    expect(new Set(files.map((f) => f.name))).toEqual(new Set(json.files));
    const errors = files.flatMap((f) => (f.error ?? []).map((e) => ({ file: f.name, ...e })));
    expect(errors).toHaveLength(json.results.length);
    json.results.forEach((x, i) => {
      const e = errors[i]!;
      expect(e).toMatchObject({ file: x.file, line: String(x.line), severity: x.severity, message: `${x.message} (${x.rule})`, source: `limitsctl.${x.code}` });
      expect(Number(e.column)).toBeGreaterThanOrEqual(1);
    });
  });

  it('a clean run: every file listed, no errors', async () => {
    const r = await runMain(['lint', '.', '--format', 'checkstyle'], { cwd: cleanTree() });
    expect(r.code, r.stderr).toBe(0);
    const files = filesOf(parse(r.stdout));
    expect(files.map((f) => f.name)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/10-app.conf']);
    expect(files.every((f) => f.error === undefined)).toBe(true);
  });

  it('hostile messages and paths: well-formed, and every text comes back as written', () => {
    const report = hostileReport();
    const files = filesOf(parse(formatCheckstyle(report)));
    expect(files.map((f) => f.name)).toEqual([shown(HOSTILE_FILE), 'etc/security/limits.conf']);
    expect(files[0]!.error!.map((e) => e.message)).toEqual(report.diagnostics.map((d) => shown(`${d.message} (${d.rule})`)));
  });
});
