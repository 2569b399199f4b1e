/**
 * Every JSON document the CLI prints validates against its JSON Schema in docs/schemas (draft-07,
 * ajv, strict: every object closed with additionalProperties false): each command with --json on
 * fixtures — the demo tree, the lint fixtures, a doctor snapshot (with and without --item), the
 * systemd fixtures, edits with --dry-run, --check and a real write on temporary copies — and the
 * error envelope (a usage error, an unknown user, a missing root).
 *
 * And the schemas themselves: every command of src/cli/main.ts COMMANDS has one (a new command
 * without a schema fails here), each is named in the docs, every key carries a description, and a
 * definition shared by several files (profileSource, source, value…) is the same in each.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { PROFILES } from '../../src/core/schema.js';
import { buildScenario } from '../../fixtures/doctor/generate.mjs';
import { cli, DEMO, REPO } from '../cli/helpers.js';

const require = createRequire(import.meta.url);
type Validate = ((d: unknown) => boolean) & { errors?: unknown };
const Ajv = require('ajv') as new (o: object) => { compile(s: object): Validate };

const DIR = path.join(REPO, 'docs/schemas');
const SCHEMA_FILES = readdirSync(DIR).filter((f) => f.endsWith('.schema.json')).sort();
const schemaOf = (name: string) => JSON.parse(readFileSync(path.join(DIR, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;

/** The schema of each command's --json output: set, unset and apply share edit.schema.json. */
const SCHEMA_FOR: Record<string, string> = { set: 'edit', unset: 'edit', apply: 'edit' };
/** Commands without JSON output (yargs prints them; no tree is read). */
const NO_JSON = new Set(['completion']);
const commandNames = COMMANDS.map((c) => c.command.split(' ')[0]!);

const validators = new Map<string, Validate>();
function validator(name: string): Validate {
  let v = validators.get(name);
  if (!v) {
    v = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true }).compile(schemaOf(name));
    validators.set(name, v);
  }
  return v;
}

function expectValid(name: string, doc: unknown): void {
  const v = validator(name);
  const ok = v(doc);
  expect(v.errors ?? [], `${name}.schema.json`).toEqual([]);
  expect(ok).toBe(true);
}

let tmp = '';
let demo = '';
let units = '';
let mux = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-schemas-'));
  demo = path.join(tmp, 'demo');
  cpSync(DEMO, demo, { recursive: true });
  units = path.join(tmp, 'units');
  cpSync(path.join(REPO, 'fixtures/systemd/two-dropins'), units, { recursive: true });
  writeFileSync(path.join(tmp, 'policy.ini'), '[admin]\nnproc = 4096\nnofile = 8192\n\n[@developers]\ncore = 0\n');
  mux = path.join(tmp, 'mux');
  buildScenario('mux', mux);
});
afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

/** [schema, argv (ROOT, UNITS, MUX, TMP filled in), exit code] — every --json command on a fixture. */
const RUNS: Array<[string, string[], number]> = [
  ['files', ['files', '--root', 'ROOT', '--json'], 0],
  ['files', ['files', '--root', 'REPO/fixtures/lint/fatal-file/bad', '--json'], 1],
  ['get', ['get', 'nproc', '--user', 'admin', '--root', 'ROOT', '--json'], 0],
  ['get', ['get', 'priority', '--user', 'admin', '--root', 'ROOT', '--json'], 0],
  ['get', ['get', 'nofile', '--user', 'postgres', '--root', 'ROOT', '--profile', 'linux-pam-1.7.2', '--json'], 0],
  ['get', ['get', 'nofile', '--unit', 'x', '--root', 'UNITS', '--json'], 0],
  ['effective', ['effective', '--user', 'admin', '--root', 'ROOT', '--json'], 0],
  ['effective', ['effective', '--user', 'root', '--root', 'ROOT', '--json'], 0],
  ['effective', ['effective', '--user', 'ghost', '--uid', '7000', '--groups', 'developers', '--root', 'ROOT', '--json'], 0],
  ['effective', ['effective', '--unit', 'x', '--root', 'UNITS', '--json'], 0],
  ['effective', ['effective', '--unit', 'y', '--root', 'REPO/fixtures/systemd/defaults-only', '--json'], 0],
  ['explain', ['explain', 'nproc', '--user', 'admin', '--root', 'ROOT', '--all', '--json'], 0],
  ['explain', ['explain', 'nofile', '--user', 'root', '--root', 'ROOT', '--json'], 0],
  ['explain', ['explain', 'nofile', '--unit', 'x', '--root', 'UNITS', '--json'], 0],
  ['lint', ['lint', '--root', 'ROOT', '--json'], 0],
  ['lint', ['lint', 'REPO/fixtures/lint', '--json'], 1],
  ['lint', ['lint', 'REPO/fixtures/lint/duplicate-entry/bad/etc/security/limits.conf', '--json'], 0],
  ['lint', ['lint', 'REPO/fixtures/lint/duplicate-entry/bad', '--fix', '--dry-run', '--json'], 0],
  ['profiles', ['profiles', '--json'], 0],
  ['profiles', ['profiles', 'rhel-7', '--json'], 0],
  ['demo', ['demo', '--root', 'ROOT', '--json'], 0],
  ['doctor', ['doctor', '--root', 'MUX', '--user', 'admin', '--json'], 1],
  ['doctor', ['doctor', '--root', 'MUX', '--user', 'admin', '--item', 'nofile', '--json'], 0],
  ['edit', ['set', 'nproc', '4096', '--user', 'admin', '--root', 'ROOT', '--dry-run', '--json'], 0],
  ['edit', ['set', 'core', '0', '--all', '--type', 'hard', '--root', 'ROOT', '--check', '--json'], 0],
  ['edit', ['set', 'nproc', '4096', '--user', 'admin', '--root', 'ROOT', '--check', '--json'], 1],
  ['edit', ['set', 'nproc', '100', '--group', 'developers', '--root', 'ROOT', '--dry-run', '--json'], 0],
  ['edit', ['unset', 'nproc', '--user', 'admin', '--root', 'ROOT', '--dry-run', '--json'], 0],
  ['edit', ['apply', 'TMP/policy.ini', '--root', 'ROOT', '--dry-run', '--json'], 0],
  ['edit', ['set', 'nofile', '4096', '--unit', 'x', '--root', 'UNITS', '--dry-run', '--json'], 0],
  ['edit', ['unset', 'nofile', '--unit', 'x', '--root', 'UNITS', '--dry-run', '--json'], 0],
  // a real write (last: it changes the copy), with its backup
  ['edit', ['set', 'nofile', '2048', '--user', 'admin', '--root', 'ROOT', '--backup', '--json'], 0],
  // the error envelope: a usage error, an unknown user, a missing root
  ['error', ['get', 'nproc', '--user', 'admin', '--root', 'ROOT', '--bogus', '--json'], 2],
  ['error', ['get', 'nproc', '--user', 'nobody-here', '--root', 'ROOT', '--json'], 2],
  ['error', ['files', '--root', 'TMP/no-such-root', '--json'], 2],
  ['error', ['lint', '--format', 'json', 'TMP/no-such-file.conf'], 2],
];

function argv(a: string[]): string[] {
  return a.map((x) => x.replace(/^ROOT$/, demo).replace(/^UNITS$/, units).replace(/^MUX$/, mux).replace(/^TMP/, tmp).replace(/^REPO/, REPO));
}

describe('every --json output validates against its docs/schemas file', () => {
  for (const [schema, args, code] of RUNS) {
    it(`${args.join(' ')} → ${schema}.schema.json`, () => {
      const r = cli(argv(args));
      expect(r.code, r.stderr).toBe(code);
      expectValid(schema, JSON.parse(r.stdout));
    });
  }

  it('a command added later is run here too (its schema exists and its output validates)', () => {
    const covered = new Set(RUNS.map(([, a]) => a[0]!));
    const missing = commandNames.filter((c) => !NO_JSON.has(c) && !covered.has(c));
    // rules (issue 16, item 3) prints the rule table: run it plainly when it exists
    for (const c of missing) {
      expect(existsSync(path.join(DIR, `${SCHEMA_FOR[c] ?? c}.schema.json`)), `docs/schemas/${c}.schema.json`).toBe(true);
      const r = cli([c, '--json']);
      expect(r.code, `${c} --json: ${r.stderr}`).toBe(0);
      expectValid(SCHEMA_FOR[c] ?? c, JSON.parse(r.stdout));
    }
  });
});

describe('the schemas', () => {
  it('every command of COMMANDS with JSON output has a schema', () => {
    for (const c of commandNames.filter((x) => !NO_JSON.has(x))) {
      expect(SCHEMA_FILES, `${c}: docs/schemas/${SCHEMA_FOR[c] ?? c}.schema.json`).toContain(`${SCHEMA_FOR[c] ?? c}.schema.json`);
    }
  });

  it('every schema file is named in the docs (docs/json.md lists them all)', () => {
    const json = readFileSync(path.join(REPO, 'docs/json.md'), 'utf8');
    for (const f of SCHEMA_FILES) expect(json, f).toContain(`schemas/${f}`);
  });

  it('every output schema pins its version, is closed and compiles', () => {
    const outputs = [...new Set([...commandNames.filter((c) => !NO_JSON.has(c)).map((c) => SCHEMA_FOR[c] ?? c), 'error'])];
    for (const name of outputs) {
      const s = schemaOf(name);
      validator(name); // compiles in strict mode
      // the top level (or each alternative of oneOf) requires version and allows no other keys
      const tops = (s.oneOf as Array<{ $ref: string }> | undefined)?.map((o) => (s.definitions as Record<string, Record<string, unknown>>)[o.$ref.split('/').pop()!]!) ?? [s];
      for (const t of tops) {
        expect(t.additionalProperties, name).toBe(false);
        expect(t.required, name).toContain('version');
        expect((t.properties as Record<string, { const?: unknown }>).version!.const, name).toEqual(expect.any(Number));
      }
    }
  });

  it('every key carries a description (directly or through its definition)', () => {
    for (const f of SCHEMA_FILES.filter((x) => x !== 'limitsctl-ini.schema.json' && x !== 'rules.schema.json')) {
      const s = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Record<string, unknown>;
      const defs = (s.definitions ?? {}) as Record<string, { description?: string }>;
      const bare: string[] = [];
      const walk = (node: unknown, at: string): void => {
        if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${at}/${i}`)); return; }
        if (!node || typeof node !== 'object') return;
        const o = node as Record<string, unknown>;
        if (o.properties && typeof o.properties === 'object') {
          for (const [k, v] of Object.entries(o.properties as Record<string, { description?: string; $ref?: string }>)) {
            const viaRef = v.$ref ? defs[v.$ref.split('/').pop()!]?.description : undefined;
            if (!v.description && !viaRef) bare.push(`${at}/properties/${k}`);
          }
        }
        for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
      };
      walk(s, f);
      expect(bare, f).toEqual([]);
    }
  });

  it('a definition used by several schemas is the same in each', () => {
    const seen = new Map<string, { file: string; text: string }>();
    for (const f of SCHEMA_FILES) {
      const defs = (JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { definitions?: Record<string, unknown> }).definitions ?? {};
      for (const [name, d] of Object.entries(defs)) {
        const text = JSON.stringify(d);
        const first = seen.get(name);
        if (first) expect(text, `definitions/${name}: ${f} differs from ${first.file}`).toBe(first.text);
        else seen.set(name, { file: f, text });
      }
    }
  });

  it('profileName names every release profile of src/core/schema.ts, and only those', () => {
    const names = new Set(PROFILES.map((p) => p.name));
    const defs = schemaOf('effective').definitions as Record<string, { enum: string[] }>;
    expect(new Set(defs.profileName!.enum)).toEqual(names);
  });

  it('the schemas reject a wrong document (so the checks above can fail)', () => {
    const good = JSON.parse(cli(['effective', '--user', 'admin', '--root', DEMO, '--json']).stdout) as Record<string, unknown>;
    const v = validator('effective');
    expect(v({ ...good, extra: 1 })).toBe(false);
    expect(v({ ...good, version: 1 })).toBe(false);
    expect(v({ ...good, limits: { nproc: { soft: 1, hard: 1, soft_from: null, hard_from: null } } })).toBe(false);
    const err = validator('error');
    expect(err({ version: 1, error: { code: 'usage', message: 'x' } })).toBe(true);
    expect(err({ error: { code: 'usage', message: 'x' } })).toBe(false);
    expect(err({ version: 1, error: { code: 'oops', message: 'x' } })).toBe(false);
  });
});
