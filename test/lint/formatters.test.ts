/**
 * The four formatters: SARIF validated against the SARIF 2.1.0 JSON schema (the rtm.5 schema
 * shipped by the @microsoft/jest-sarif package, a devDependency), the JSON envelope, the GitHub
 * workflow-command escaping, and the text layout.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/core/lint/report.js';
import { RULES } from '../../src/core/lint/rules.js';
import { escapeData, escapeProperty, formatGithub } from '../../src/formatters/github.js';
import { formatJson } from '../../src/formatters/json.js';
import { formatSarif } from '../../src/formatters/sarif.js';
import { formatText } from '../../src/formatters/text.js';
import { lintCase, loadCase } from './helpers.js';
import path from 'node:path';
import { FIXTURES } from './helpers.js';

const require = createRequire(import.meta.url);

function schemaValidator(): ((data: unknown) => boolean) & { errors?: unknown } {
  const Ajv = require('ajv-draft-04') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(schema);
}

async function reportOf(rule: string): Promise<LintReport> {
  const c = await loadCase(path.join(FIXTURES, rule, 'bad'));
  const diagnostics = lintCase(c);
  return {
    tool: { name: 'limitsctl', version: '0.1.0' },
    cwd: c.dir, diagnostics, files: c.targets.flatMap((t) => t.target.tree.files.map((f) => f.path)),
    rules: RULES.map((r) => ({ ...r, enabled: true })), suppressed: 0, fixed: 0, maxWarnings: null,
  };
}

describe('lint formatters', () => {
  it('sarif: valid SARIF 2.1.0 for findings with related locations, file-level findings and non-ASCII', async () => {
    const validate = schemaValidator();
    for (const rule of ['duplicate-entry', 'fatal-file', 'ignored-file', 'soft-above-hard', 'dialect-difference', 'template-placeholder']) {
      const text = formatSarif(await reportOf(rule));
      const sarif = JSON.parse(text) as { version: string; runs: Array<{ results: Array<{ ruleId: string; ruleIndex: number; locations: unknown[] }>; tool: { driver: { rules: Array<{ id: string; helpUri: string }> } } }> };
      const ok = validate(sarif);
      expect(ok, `${rule}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
      const run = sarif.runs[0]!;
      expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.code));
      for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      // no documentation base URL: no helpUri (SARIF wants an absolute URI), the help names the section
      expect(run.tool.driver.rules[0]!.helpUri).toBeUndefined();
      // with one (LIMITSCTL_DOCS_URL): an absolute helpUri and informationUri, still valid
      const base = 'https://docs.example.org/limitsctl';
      const linked = JSON.parse(formatSarif({ ...(await reportOf(rule)), tool: { name: 'limitsctl', version: '0.1.0', informationUri: `${base}/README.md` }, docsBase: base })) as typeof sarif;
      expect(validate(linked), `${rule} (with a docs base): ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
      expect(linked.runs[0]!.tool.driver.rules[0]!.helpUri).toBe(`${base}/docs/rules.md#lc001-too-few-fields`);
    }
  });

  it('sarif: a broken log is rejected by the same validator (the check is real)', () => {
    const validate = schemaValidator();
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });

  it('json: the documented envelope', async () => {
    const j = JSON.parse(formatJson(await reportOf('duplicate-entry'))) as Record<string, unknown>;
    // results come before what needs every finding (summary, files, rules): lint writes them as it finds them
    expect(Object.keys(j)).toEqual(['version', 'tool', 'results', 'summary', 'files', 'rules', 'suppressed', 'fixed']);
    expect(j.version).toBe(1);
    const results = j.results as Array<Record<string, unknown>>;
    expect(results[0]).toMatchObject({ file: 'etc/security/limits.conf', line: 1, column: 1, severity: 'warning', code: 'LC202', rule: 'duplicate-entry', fixable: true });
    expect((j.rules as Array<{ code: string }>).map((r) => r.code)).toEqual(['LC202']);
  });

  it('github: workflow commands with escaped properties and data', async () => {
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    expect(escapeData('50% a:b,c\r\n')).toBe('50%25 a:b,c%0D%0A');
    const out = formatGithub(await reportOf('duplicate-entry')).split('\n');
    expect(out[0]).toMatch(/^::warning file=etc\/security\/limits\.conf,line=1,col=1,endLine=1,endColumn=\d+,title=LC202 duplicate-entry::duplicate of line 2/);
    const info = formatGithub(await reportOf('not-applied-to-root')).split('\n')[0]!;
    expect(info.startsWith('::notice ')).toBe(true);
  });

  it('text: file:line:col severity code message, grouped by file, with a summary', async () => {
    const out = formatText(await reportOf('overridden-by-later-file'));
    expect(out).toMatch(/^etc\/security\/limits\.conf:1:1 warning LC302 this line never applies: .* \(overridden-by-later-file\)\n\n⚠ 1 problem \(0 errors, 1 warning, 0 info\) in 1 of 2 files\n$/);
    const clean = formatText({ ...(await reportOf('overridden-by-later-file')), diagnostics: [] });
    expect(clean).toBe('✔ no problems in 2 files\n');
  });
});
