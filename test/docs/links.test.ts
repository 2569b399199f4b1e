/**
 * Links that resolve. Neither the files of the npm package (`npm pack --dry-run` list: bin/, dist/,
 * docs/, README.md, CHANGELOG.md, ansible/library/) nor any output of `limitsctl lint` (text, json,
 * sarif, github) holds a URL outside the allow-list below; rule links name sections of
 * docs/rules.md that exist; with LIMITSCTL_DOCS_URL set, lint's links are under that URL (the one
 * configurable place, docs/lint.md "Documentation links"), and a bad value is a usage error.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES_DOC, ruleDocsUrl } from '../../src/core/lint/report.js';
import { RULES } from '../../src/core/lint/rules.js';
import { REPO, runMain } from '../cli/helpers.js';

/** The URLs allowed anywhere, each with why (documented in docs/lint.md, "Documentation links"). */
const ALLOWED: ReadonlyArray<{ test: (url: string) => boolean; why: string }> = [
  { test: (u) => u === 'https://json.schemastore.org/sarif-2.1.0.json', why: 'the SARIF schema a SARIF log names in $schema' },
  { test: (u) => u === 'http://json-schema.org/draft-07/schema#', why: 'the JSON Schema meta-schema of docs/schemas' },
  { test: (u) => u.startsWith('file://'), why: 'file: URIs of the linted files in SARIF' },
  { test: (u) => /^https?:\/\/([a-z0-9-]+\.)*example\.(org|com)(\/|$)/.test(u), why: 'documentation examples (RFC 2606 names)' },
];

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>)\]\\]*/gi;
/** Host names written without a scheme that would still be read as an address. */
const BARE_RE = /\b(?:www\.[a-z0-9-]+\.[a-z]+|github\.com\/[\w.-]+)/gi;

function outsiders(text: string, extra: (u: string) => boolean = () => false): string[] {
  const urls = [...text.matchAll(URL_RE)].map((m) => m[0]);
  const bare = [...text.matchAll(BARE_RE)].map((m) => m[0]).filter((b) => !urls.some((u) => u.includes(b)));
  return [...urls.filter((u) => !ALLOWED.some((a) => a.test(u)) && !extra(u)), ...bare];
}

/** GitHub's heading anchors of a markdown file. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    out.add(m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

const RULES_ANCHORS = anchors(readFileSync(path.join(REPO, RULES_DOC), 'utf8'));
/** every docs/rules.md#anchor named in `text`, and whether it exists */
function missingAnchors(text: string): string[] {
  return [...text.matchAll(/rules\.md#([\w-]+)/g)].map((m) => m[1]!).filter((a) => !RULES_ANCHORS.has(a));
}

let depText: string | undefined;
/** The text of every .js, .json and licence file of the installed production dependencies (npm ls --omit=dev). */
function dependencyText(): string {
  if (depText !== undefined) return depText;
  const dirs = execFileSync('npm', ['ls', '--all', '--omit=dev', '--parseable'], { cwd: REPO, encoding: 'utf8' })
    .split('\n').filter((d) => d !== '' && d !== REPO);
  const parts: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(c|m)?js$|\.json$|^licen[cs]e/i.test(e.name)) parts.push(readFileSync(p, 'latin1'));
    }
  };
  for (const d of dirs) walk(d);
  return (depText = parts.join('\n'));
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-links-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A tree with findings of many rules: every bad lint fixture side by side. */
let repo: string | undefined;
function lintRepo(): string {
  if (repo) return repo;
  const dir = (repo = path.join(tmp, 'repo'));
  const fixtures = path.join(REPO, 'fixtures/lint');
  for (const name of readdirSync(fixtures)) {
    cpSync(path.join(fixtures, name, 'bad'), path.join(dir, name), { recursive: true, verbatimSymlinks: true });
  }
  return dir;
}

describe('links in the package and in lint output', () => {
  it('every file of the package holds only allowed URLs and names existing docs/rules.md sections', () => {
    // --ignore-scripts: dist/ is already built (npm test builds it); pack would rebuild it
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const top of ['bin/', 'dist/', 'docs/', 'README.md', 'CHANGELOG.md', 'ansible/library/']) {
      expect(files.some((f) => f.startsWith(top)), `the package has ${top}`).toBe(true);
    }
    const bad: string[] = [];
    for (const f of files) {
      const text = readFileSync(path.join(REPO, f), 'latin1');
      // the bundled CLI and library carry their production dependencies' code and licence notices verbatim:
      // an address found in the installed source of one of them is theirs, not a link of ours
      const theirs = /^dist\/(limitsctl(-[a-z]+)?|index)\.cjs$/.test(f) ? (u: string) => dependencyText().includes(u) : undefined;
      for (const u of outsiders(text, theirs)) bad.push(`${f}: ${u}`);
      for (const a of missingAnchors(text)) bad.push(`${f}: rules.md#${a} is no section of docs/rules.md`);
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it('every rule links to a section of docs/rules.md shipped in the package', () => {
    for (const r of RULES) {
      const link = ruleDocsUrl(r);
      expect(link, r.code).toMatch(/^docs\/rules\.md#/);
      expect(missingAnchors(link), `${r.code}: ${link}`).toEqual([]);
    }
  });

  it('lint text, json, sarif and github: no URL outside the allow-list; links name existing sections', async () => {
    const dir = lintRepo();
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', format], { cwd: dir, env: { LIMITSCTL_DOCS_URL: '' } });
      expect(r.code, `${format}: ${r.stderr}`).toBe(1);
      expect(outsiders(r.stdout + r.stderr), format).toEqual([]);
      expect(missingAnchors(r.stdout), format).toEqual([]);
      if (format === 'sarif') {
        const driver = (JSON.parse(r.stdout) as { runs: Array<{ tool: { driver: { informationUri?: string; rules: Array<{ helpUri?: string; help: { text: string } }> } } }> }).runs[0]!.tool.driver;
        expect(driver.informationUri).toBeUndefined(); // SARIF wants an absolute URI: none without a base
        expect(driver.rules.filter((x) => x.helpUri !== undefined)).toEqual([]);
        expect(driver.rules[0]!.help.text).toMatch(/See docs\/rules\.md#lc001-too-few-fields in the limitsctl package\.$/);
      }
      if (format === 'json') {
        const j = JSON.parse(r.stdout) as { rules: Array<{ docs: string }> };
        expect(j.rules.length).toBeGreaterThan(10);
        for (const x of j.rules) expect(x.docs).toMatch(/^docs\/rules\.md#lc\d{3}-[a-z-]+$/);
      }
    }
  });

  it('LIMITSCTL_DOCS_URL moves every link under it; a bad value is a usage error', async () => {
    const dir = lintRepo();
    const base = 'https://docs.internal.test/limitsctl/v0.1.0';
    const under = (u: string) => u.startsWith(`${base}/`);
    for (const format of ['json', 'sarif']) {
      const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', format], { cwd: dir, env: { LIMITSCTL_DOCS_URL: `${base}/` } });
      expect(r.code, r.stderr).toBe(1);
      expect(outsiders(r.stdout, under), format).toEqual([]);
      expect(missingAnchors(r.stdout), format).toEqual([]);
      expect(r.stdout).toContain(`${base}/docs/rules.md#lc001-too-few-fields`);
    }
    const sarif = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '-f', 'sarif'], { cwd: dir, env: { LIMITSCTL_DOCS_URL: base } });
    const driver = (JSON.parse(sarif.stdout) as { runs: Array<{ tool: { driver: { informationUri: string; rules: Array<{ helpUri: string }> } } }> }).runs[0]!.tool.driver;
    expect(driver.informationUri).toBe(`${base}/README.md`);
    expect(driver.rules[0]!.helpUri).toBe(`${base}/docs/rules.md#lc001-too-few-fields`);
    for (const bad of ['docs.example.org', 'ftp://x.example.org/', 'https://x.example.org/?a=1', 'https://x.example.org/#top', 'http://x\n::error::y']) {
      const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2'], { cwd: dir, env: { LIMITSCTL_DOCS_URL: bad } });
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^limitsctl: LIMITSCTL_DOCS_URL=".*" is not an absolute http\(s\) URL/);
      // the value is quoted: a newline in it cannot start a line of its own (a forged ::error:: annotation)
      expect(r.stderr.split('\n').filter((l) => l.startsWith('::')), bad).toEqual([]);
      expect(r.stdout, bad).toBe('');
    }
  });
});
