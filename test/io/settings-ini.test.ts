/**
 * .limitsctl.ini as a file: its JSON Schema (docs/schemas/limitsctl-ini.schema.json) holds every
 * settings file of the fixtures and the docs and is in step with the rules and profiles, and a key
 * the ini reader would silently collapse (given twice, or both as `key =` and `key[] =`) is an
 * error naming the file and line (exit 2), not the last value kept.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/cli/fast-path.js';
import { RULES } from '../../src/core/lint/rules.js';
import { parseIniFile } from '../../src/io/ini.js';
import { parseSettings } from '../../src/io/settings.js';
import { REPO, runMain } from '../cli/helpers.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const SCHEMA_FILE = path.join(REPO, 'docs/schemas/limitsctl-ini.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
  properties: { profile: { enum: string[] }; rules: { propertyNames: { pattern: string }; additionalProperties: { pattern: string } } };
};
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Every .limitsctl.ini under dir (node_modules and .git left out). */
function settingsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...settingsFiles(p));
    else if (e.name === '.limitsctl.ini') out.push(p);
  }
  return out;
}

/** The ```ini blocks of the docs under a heading that names .limitsctl.ini or settings. */
function docExamples(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const docs = [path.join(REPO, 'README.md'), ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(REPO, 'docs', f))];
  for (const file of docs) {
    let heading = '';
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (/^#+ /.test(lines[i]!)) heading = lines[i]!;
      if (lines[i] !== '```ini' || !/\.limitsctl\.ini|settings/i.test(heading)) continue;
      const end = lines.indexOf('```', i + 1);
      out.push([`${path.relative(REPO, file)}:${i + 2}`, lines.slice(i + 1, end).join('\n')]);
      i = end;
    }
  }
  return out;
}

describe('docs/schemas/limitsctl-ini.schema.json', () => {
  const files = settingsFiles(path.join(REPO, 'fixtures'));
  const examples = docExamples();

  it('finds the settings files of the fixtures and the example of docs/lint.md', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(examples.map(([where]) => where.split(':')[0])).toContain('docs/lint.md');
  });

  for (const [where, text] of [...files.map((f): [string, string] => [path.relative(REPO, f), readFileSync(f, 'utf8')]), ...examples]) {
    it(`holds ${where}, which limitsctl reads`, () => {
      const data = parseIniFile(text, where);
      const ok = validate(data);
      expect(ok, JSON.stringify(validate.errors)).toBe(true);
      expect(() => parseSettings(text, path.join(REPO, '.limitsctl.ini'))).not.toThrow();
    });
  }

  it('is in step with the profiles, the rules and their severities (any letter case, as limitsctl reads them)', () => {
    expect(schema.properties.profile.enum).toEqual([...PROFILES]);
    const ruleKey = new RegExp(schema.properties.rules.propertyNames.pattern);
    for (const r of RULES) {
      for (const key of [r.code, r.name, r.code.toLowerCase(), r.name.toUpperCase()]) expect(key).toMatch(ruleKey);
    }
    expect('LC999').not.toMatch(ruleKey);
    expect('never-win').not.toMatch(ruleKey);
    const severity = new RegExp(schema.properties.rules.additionalProperties.pattern);
    for (const s of ['error', 'warning', 'info', 'off', 'OFF', 'Warning']) expect(s).toMatch(severity);
    expect('loud').not.toMatch(severity);
  });

  const refused: Array<[string, string]> = [
    ['an unknown key', 'colour = on'],
    ['an unknown section', '[rulez]\nLC203 = off'],
    ['an unknown rule', '[rules]\nLC999 = off'],
    ['an unknown severity', '[rules]\nLC203 = loud'],
    ['an unknown profile', 'profile = fedora-39'],
    ['a non-number nr-open', 'nr-open = lots'],
    ['a negated ignore pattern', 'ignore[] = !hosts/keep'],
    ['a policy entry without its value', '[policy]\nmin[] = * soft nproc'],
    ['an unknown policy key', '[policy]\nminimum[] = * soft nproc 1'],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}, as limitsctl does`, () => {
      expect(validate(parseIniFile(text, 'x.ini'))).toBe(false);
      expect(() => parseSettings(text, '/r/.limitsctl.ini')).toThrow();
    });
  }
});

describe('.limitsctl.ini keys the ini reader would collapse', () => {
  const lint = async (text: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-settings-ini-'));
    const file = path.join(dir, '.limitsctl.ini');
    writeFileSync(file, text);
    return { file, ...(await runMain(['lint', '--root', dir], { cwd: dir })) };
  };

  it('ignore = given twice: exit 2, file:line, "repeated key"', async () => {
    const r = await lint('ignore = hosts/a\nignore = hosts/b\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^limitsctl: ${r.file}:2: 'ignore' is set twice \\(lines 1 and 2\\): a repeated key`));
  });

  it('a rule given twice in [rules]: exit 2, the section named', async () => {
    const r = await lint('[rules]\nLC203 = off\nLC203 = error\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:3: [rules] 'LC203' is set twice (lines 2 and 3): a repeated key`);
  });

  it('one rule under two spellings in [rules] (code and name, or two cases): exit 2, both lines named', async () => {
    for (const [text, first, second] of [
      ['[rules]\nLC005 = off\n\nvalue-misread = error\n', 'LC005', 'value-misread'],
      ['[rules]\nLC005 = off\nlc005 = error\n', 'LC005', 'lc005'],
    ] as const) {
      const r = await lint(text);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const line = text.split('\n').indexOf(`${second} = error`) + 1;
      expect(r.stderr).toContain(`${r.file}:${line}: [rules] '${second}' and '${first}' (line 2) name the same rule, LC005 (value-misread): a repeated key`);
    }
  });

  it('ignore = and ignore[] = mixed (in either order): exit 2, both lines named', async () => {
    for (const text of ['ignore = a\nignore[] = b\n', 'ignore[] = b\nignore = a\n']) {
      const r = await lint(text);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/:2: 'ignore' is given both as ignore = \(line [12]\) and as ignore\[\] = \(line [12]\); .*write ignore\[\] = on each line/);
    }
  });

  it('ignore[] = repeated is a list, as documented', async () => {
    const s = parseSettings('ignore[] = a\nignore[] = b\n', '/r/.limitsctl.ini');
    expect(s.ignore).toEqual(['a', 'b']);
  });
});
