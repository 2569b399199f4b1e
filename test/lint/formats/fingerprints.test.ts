/**
 * GitLab Code Quality (`--format codeclimate`) against GitLab's documented fields (doc/ci/testing/
 * code_quality.md, "Implement a custom tool": description, check_name, fingerprint, severity in
 * info|minor|major|critical|blocker, location.path, location.lines.begin), and the fingerprints it
 * and SARIF carry (`partialFingerprints`): unique per finding of a report, the same in a second
 * run, and the same when an unrelated line is inserted above the findings (every finding moves
 * down a line). SARIF stays valid SARIF 2.1.0 (the validator of the existing SARIF tests), with
 * `automationDetails` only when --sarif-category names a category.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseMessage } from '../../../src/formatters/fingerprint.js';
import { FINGERPRINT_KEY } from '../../../src/formatters/sarif.js';
import { runMain } from '../../cli/helpers.js';
import { copyBadFixtures } from '../helpers.js';

const require = createRequire(import.meta.url);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-fingerprints-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const badRepo = (): string => copyBadFixtures(path.join(tmp, 'bad'));

/** A tree whose file has duplicates, a cross-line duplicate and three identical unknown-item findings. */
const LINES = [
  '* soft nproc 4096',
  '* soft nproc 4096',
  '@dev hard nofile 100',
  '@dev hard nofile 200',
  'alice soft npoc 10',
  'bob soft npoc 10',
  'alice soft npoc 10',
];
function tree(name: string, lines: readonly string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'etc/security'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/security/limits.conf'), `${lines.join('\n')}\n`);
  return dir;
}

interface Issue { description: string; check_name: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } } }
const SEVERITIES = ['info', 'minor', 'major', 'critical', 'blocker'];

async function codeQuality(cwd: string): Promise<Issue[]> {
  const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'codeclimate'], { cwd });
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout.charCodeAt(0), 'no byte order mark').not.toBe(0xfeff);
  return JSON.parse(r.stdout) as Issue[];
}

interface SarifLog { runs: Array<{ automationDetails?: { id: string }; results: Array<{ ruleId: string; message: { text: string }; locations: Array<{ physicalLocation: { region: { startLine: number } } }>; partialFingerprints: Record<string, string> }> }> }

async function sarif(cwd: string, extra: string[] = []): Promise<SarifLog> {
  const r = await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'sarif', ...extra], { cwd });
  expect(r.code, r.stderr).toBe(1);
  return JSON.parse(r.stdout) as SarifLog;
}

function sarifValidator(): ((data: unknown) => boolean) & { errors?: unknown } {
  const Ajv = require('ajv-draft-04') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  return new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
}

describe('GitLab Code Quality', () => {
  it('every issue has the documented fields and values; one per finding; fingerprints unique', async () => {
    const dir = badRepo();
    const issues = await codeQuality(dir);
    const json = JSON.parse((await runMain(['lint', '.', '--profile', 'linux-pam-1.5.2', '--format', 'json'], { cwd: dir })).stdout) as {
      results: Array<{ file: string; line: number; severity: string; code: string; rule: string; message: string }>;
    };
    expect(issues).toHaveLength(json.results.length);
    issues.forEach((x, i) => {
      const want = json.results[i]!;
      expect(Object.keys(x).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity']);
      expect(x.description).toBe(`${want.message} (${want.code} ${want.rule})`);
      expect(x.check_name).toBe(`limitsctl.${want.code}`);
      expect(x.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(SEVERITIES).toContain(x.severity);
      expect(x.severity).toBe({ error: 'major', warning: 'minor', info: 'info' }[want.severity]);
      expect(x.location).toEqual({ path: want.file, lines: { begin: want.line } });
      expect(path.isAbsolute(x.location.path), 'relative path').toBe(false);
    });
    expect(new Set(issues.map((x) => x.fingerprint)).size).toBe(issues.length);
    // a second run: the same fingerprints
    expect((await codeQuality(dir)).map((x) => x.fingerprint)).toEqual(issues.map((x) => x.fingerprint));
  });

  it('no findings: an empty array', async () => {
    const r = await runMain(['lint', '.', '--format', 'codeclimate'], { cwd: tree('clean', ['* soft nofile 4096']) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('[]\n');
  });

  it('fingerprints stay when an unrelated line is inserted above, though every line number changes', async () => {
    const before = await codeQuality(tree('cq-before', LINES));
    const after = await codeQuality(tree('cq-after', ['carol hard nofile 1024', ...LINES]));
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(after.map((x) => x.location.lines.begin)).toEqual(before.map((x) => x.location.lines.begin + 1));
    expect(after.map((x) => x.fingerprint)).toEqual(before.map((x) => x.fingerprint));
    expect(new Set(before.map((x) => x.fingerprint)).size).toBe(before.length);
  });
});

describe('SARIF fingerprints and automationDetails', () => {
  it('valid SARIF 2.1.0; a partialFingerprints entry per result, unique, HASH:occurrence', async () => {
    const log = await sarif(badRepo());
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.length).toBeGreaterThan(20);
    for (const r of results) {
      expect(Object.keys(r.partialFingerprints)).toEqual([FINGERPRINT_KEY]);
      expect(r.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}:[1-9]\d*$/);
    }
    expect(new Set(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).size).toBe(results.length);
    expect(log.runs[0]!.automationDetails).toBeUndefined();
  });

  it('the same after an unrelated line is inserted above; identical findings differ by occurrence', async () => {
    const fp = (l: SarifLog) => l.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    const before = await sarif(tree('sarif-before', LINES));
    const after = await sarif(tree('sarif-after', ['carol hard nofile 1024', ...LINES]));
    expect(after.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine))
      .toEqual(before.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine + 1));
    expect(fp(after)).toEqual(fp(before));
    const npoc = before.runs[0]!.results.filter((r) => r.ruleId === 'LC003').map((r) => r.partialFingerprints[FINGERPRINT_KEY]!);
    expect(npoc.map((f) => f.split(':')[1])).toEqual(['1', '2', '3']);
    expect(new Set(npoc.map((f) => f.split(':')[0])).size).toBe(1);
  });

  it('line numbers in messages are not part of the key; other numbers are', () => {
    expect(normaliseMessage("duplicate of line 12 ('* soft nproc 1'): x")).toBe("duplicate of line # ('* soft nproc 1'): x");
    expect(normaliseMessage('these 3 entries (lines 4–6) come')).toBe('these 3 entries (lines #) come');
    expect(normaliseMessage("'a b' (etc/security/limits.d/x.conf:7) sets")).toBe("'a b' (etc/security/limits.d/x.conf:#) sets");
    expect(normaliseMessage('nofile 1048576 is')).toBe('nofile 1048576 is');
  });

  it('--sarif-category: automationDetails.id CATEGORY/; with another format a usage error', async () => {
    const dir = tree('category', LINES);
    expect((await sarif(dir, ['--sarif-category', 'hosts'])).runs[0]!.automationDetails).toEqual({ id: 'hosts/' });
    expect((await sarif(dir, ['--sarif-category', 'limits/prod/'])).runs[0]!.automationDetails).toEqual({ id: 'limits/prod/' });
    const validate = sarifValidator();
    expect(validate(await sarif(dir, ['--sarif-category', 'hosts']))).toBe(true);
    const r = await runMain(['lint', '.', '--format', 'github', '--sarif-category', 'hosts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--sarif-category goes with --format sarif');
    expect(readFileSync(path.join(dir, 'etc/security/limits.conf'), 'utf8')).toBe(`${LINES.join('\n')}\n`);
  });
});
