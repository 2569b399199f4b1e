/**
 * `limitsctl rules [RULE..] [--json]`: the rule table, one rule in full, JSON valid against
 * docs/schemas/rules.schema.json and holding every rule of the registry, docs links that name
 * existing sections of docs/rules.md, and an unknown rule as a usage error with a did-you-mean.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/lint/rules.js';
import { REPO, runMain } from './helpers.js';

const require = createRequire(import.meta.url);

function validator(): ((d: unknown) => boolean) & { errors?: unknown } {
  const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const schema = JSON.parse(readFileSync(path.join(REPO, 'docs/schemas/rules.schema.json'), 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}

/** GitHub's heading anchors of docs/rules.md. */
function anchors(): Set<string> {
  const md = readFileSync(path.join(REPO, 'docs/rules.md'), 'utf8');
  return new Set([...md.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
}

interface RulesJson { version: number; rules: Array<{ code: string; name: string; severity: string; fixable: boolean; docs: string }> }

describe('limitsctl rules', () => {
  it('lists every rule: code, name, default severity, fixable, what it finds', async () => {
    const r = await runMain(['rules']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const rule of RULES) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`${rule.code} `));
      expect(line, rule.code).toBeDefined();
      expect(line).toContain(rule.name);
      expect(line).toContain(rule.severity);
      expect(line).toContain(rule.description);
    }
  });

  it('--json: valid against docs/schemas/rules.schema.json, every rule, links to existing sections', async () => {
    const r = await runMain(['rules', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as RulesJson;
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.rules.map((x) => x.code)).toEqual(RULES.map((x) => x.code));
    const have = anchors();
    for (const x of doc.rules) {
      const anchor = /^docs\/rules\.md#(.+)$/.exec(x.docs)?.[1];
      expect(anchor && have.has(anchor), `${x.code}: ${x.docs}`).toBe(true);
    }
    expect(doc.rules.find((x) => x.code === 'LC202')).toMatchObject({ name: 'duplicate-entry', severity: 'warning', fixable: true });
  });

  it('the schema is a real check: a wrong document fails it', () => {
    const validate = validator();
    expect(validate({ version: 1, rules: [{ code: 'LC1', name: 'x', category: 'syntax', severity: 'error', fixable: false, description: 'd', docs: 'docs/rules.md#x' }] })).toBe(false);
    expect(validate({ rules: [] })).toBe(false);
  });

  it('named rules, by code (any case) or name, in full and in the order given', async () => {
    const r = await runMain(['rules', 'never-wins', 'lc202', 'LC202']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.indexOf('LC203 never-wins')).toBeGreaterThanOrEqual(0);
    expect(r.stdout.indexOf('LC202 duplicate-entry')).toBeGreaterThan(r.stdout.indexOf('LC203 never-wins'));
    expect(r.stdout.match(/LC202 duplicate-entry/g)).toHaveLength(1);
    expect(r.stdout).toContain('docs:     docs/rules.md#lc202-duplicate-entry');
    const j = JSON.parse((await runMain(['rules', 'LC003', '--json'])).stdout) as RulesJson;
    expect(j.rules.map((x) => x.code)).toEqual(['LC003']);
  });

  it('LIMITSCTL_DOCS_URL moves the links under it', async () => {
    const r = await runMain(['rules', 'LC003', '--json'], { env: { LIMITSCTL_DOCS_URL: 'https://docs.example.org/limitsctl/' } });
    expect((JSON.parse(r.stdout) as RulesJson).rules[0]!.docs).toBe('https://docs.example.org/limitsctl/docs/rules.md#lc003-unknown-item');
    const bad = await runMain(['rules'], { env: { LIMITSCTL_DOCS_URL: 'not a url' } });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });

  it('an unknown rule: exit 2, nothing on stdout, a did-you-mean', async () => {
    for (const [word, guess] of [['LC2O2', 'LC202'], ['never-win', 'never-wins'], ['dupliate-entry', 'duplicate-entry']] as const) {
      const r = await runMain(['rules', word]);
      expect(r.code, word).toBe(2);
      expect(r.stdout, word).toBe('');
      expect(r.stderr, word).toContain(`unknown rule '${word}' (did you mean '${guess}'?)`);
    }
    const none = await runMain(['rules', 'zzzzzzzzzz']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("unknown rule 'zzzzzzzzzz'");
    expect(none.stderr).not.toContain('did you mean');
  });
});
