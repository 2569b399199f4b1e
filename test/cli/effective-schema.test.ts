import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cli, DEMO, REPO } from './helpers.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const schema = JSON.parse(readFileSync(path.join(REPO, 'docs/schemas/effective.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('effective --json validates against docs/schemas/effective.schema.json', () => {
  for (const [user, extra] of [['admin', []], ['root', []], ['postgres', ['--profile', 'linux-pam-1.7.2']], ['ghost', ['--uid', '7000', '--groups', 'developers']]] as const) {
    it(`${user} ${extra.join(' ')}`, () => {
      const r = cli(['effective', '--user', user, '--root', DEMO, '--json', ...extra]);
      expect(r.code).toBe(0);
      const ok = validate(JSON.parse(r.stdout));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('the schema rejects a wrong document (so the check can fail)', () => {
    const good = JSON.parse(cli(['effective', '--user', 'admin', '--root', DEMO, '--json']).stdout) as Record<string, unknown>;
    expect(validate({ ...good, applied: 'yes' })).toBe(false);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, limits: { npoc: { soft: 1, hard: 1, softFrom: null, hardFrom: null } } })).toBe(false);
  });
});
