/**
 * `limitsctl profiles`: the profile table as users see it — every row, `?` exactly on the cells
 * the table marks unsure, aliases, one profile in full, and `--json` valid against
 * docs/schemas/profiles.schema.json and equal to the table in src/core/schema.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_ALIASES, PROFILE_NAMES, PROFILES, profileInfo } from '../../src/core/schema.js';
import { REPO, runMain } from './helpers.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const schema = JSON.parse(readFileSync(path.join(REPO, 'docs/schemas/profiles.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface ProfileJson {
  name: string; title: string; package: string; pamVersion: string; aliases: string[];
  os: Array<Record<string, string>>; traits: Record<string, unknown>; unsure: string[];
}

async function json(argv: string[]): Promise<{ profiles: ProfileJson[] }> {
  const r = await runMain(['profiles', ...argv, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { profiles: ProfileJson[] };
}

describe('profiles --json', () => {
  it('validates against docs/schemas/profiles.schema.json and is the table of src/core/schema.ts, in order', async () => {
    const doc = await json([]);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.profiles.map((p) => p.name)).toEqual([...PROFILE_NAMES]);
    for (const p of doc.profiles) {
      const info = profileInfo(p.name as (typeof PROFILE_NAMES)[number]);
      expect(p).toEqual({
        name: info.name, title: info.title, package: info.package, pamVersion: info.pamVersion, aliases: [...info.aliases],
        os: info.os.map((o) => ({ ...o })), traits: { ...info.traits }, unsure: [...info.unsure],
      });
    }
    // every alias is listed under the profile it stands for
    for (const [alias, name] of Object.entries(PROFILE_ALIASES)) {
      expect(doc.profiles.find((p) => p.aliases.includes(alias))?.name, alias).toBe(name);
    }
  });

  it('names (profiles or aliases) select rows, each once, in the order given; --profile NAME is one name', async () => {
    const doc = await json(['rhel-7', 'debian', 'debian-12']);
    expect(validate(doc)).toBe(true);
    expect(doc.profiles.map((p) => p.name)).toEqual(['rhel-7', 'debian-12']);
    expect((await json(['--profile', 'upstream-1.7'])).profiles.map((p) => p.name)).toEqual(['linux-pam-1.7.2']);
  });

  it('the schema rejects a wrong document (so the check can fail)', async () => {
    const good = await json(['rhel-7']);
    const p = good.profiles[0]!;
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ profiles: [{ ...p, traits: { ...p.traits, reading: 'sscanf' } }] })).toBe(false);
    expect(validate({ profiles: [{ ...p, unsure: ['colour'] }] })).toBe(false);
    expect(validate({ profiles: [{ ...p, os: [{ version: '7' }] }] })).toBe(false);
    const { traits: _t, ...noTraits } = p;
    expect(validate({ profiles: [noTraits] })).toBe(false);
  });
});

describe('profiles (text)', () => {
  it('one row per profile; ? only on rows with unsure cells; aliases and the footer', async () => {
    const r = await runMain(['profiles']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    for (const p of PROFILES) {
      const row = lines.filter((l) => l.startsWith(`${p.name} `));
      expect(row, p.name).toHaveLength(1);
      expect(row[0]!.includes(p.title), p.name).toBe(true);
      expect(row[0]!.includes(p.package), p.name).toBe(true);
      expect(row[0]!.includes('?'), `${p.name}: unsure ${p.unsure.join(',')}`).toBe(p.unsure.length > 0);
    }
    expect(r.stdout).toMatch(/Aliases: debian = debian-12, upstream = linux-pam-1\.5\.2, upstream-1\.7 = linux-pam-1\.7\.2/);
    expect(r.stdout).toMatch(/\? = not known for sure .*docs\/profiles\.md/);
    // what a release really does with nofile unlimited
    expect(lines.find((l) => l.startsWith('rhel-7 '))).toMatch(/infinity: denied/);
    expect(lines.find((l) => l.startsWith('debian-11 '))).toMatch(/infinity: ignored/);
    expect(lines.find((l) => l.startsWith('rhel-8 '))).toMatch(/nr-open/);
  });

  it('one profile in full: traits, os-release patterns, gated items, aliases, unsure cells', async () => {
    const rhel = await runMain(['profiles', 'rhel-7']);
    expect(rhel.code).toBe(0);
    expect(rhel.stdout).toMatch(/^rhel-7 — RHEL 7, pam-1\.1\.8-23\.el7$/m);
    expect(rhel.stdout).toMatch(/nofile unlimited: +infinity: .*DENIED \(PAM_PERM_DENIED\)/);
    expect(rhel.stdout).toMatch(/nonewprivs no \(Linux-PAM >= 1\.5\.0\); rttime no .*chroot no/);
    expect(rhel.stdout).toMatch(/ID=rhel VERSION_ID=7/);
    expect(rhel.stdout).toMatch(/not known for sure: +nothing/);

    const deb = await runMain(['profiles', 'debian']);
    expect(deb.stdout).toMatch(/^debian-12 — Debian 12/m);
    expect(deb.stdout).toMatch(/debian is an alias of debian-12/);
    expect(deb.stdout).toMatch(/VERSION_CODENAME=bookworm/);

    const d13 = await runMain(['profiles', 'debian-13']);
    expect(d13.stdout).toMatch(/PID 1 baseline: +no$/m);
    expect(d13.stdout).toMatch(/maxlogins counting: +logind/);

    const arch = await runMain(['profiles', 'arch']);
    expect(arch.stdout).toMatch(/Linux-PAM: +1\.7\.1\?$/m);
    expect(arch.stdout).toMatch(/not known for sure: +pamVersion, maxlogins/);
  });

  it('an unknown name, auto, or a name and --profile together: exit 2, nothing on stdout', async () => {
    const typo = await runMain(['profiles', 'rhel7']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown profile 'rhel7' \(did you mean 'rhel-7'\?\)/);
    expect(typo.stdout).toBe('');
    const auto = await runMain(['profiles', 'auto']);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(/'auto' is not a profile/);
    const both = await runMain(['profiles', 'rhel-7', '--profile', 'debian']);
    expect(both.code).toBe(2);
    const asJson = await runMain(['profiles', 'centos7', '--json']);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ error: { code: 'input' } });
  });

  it('reads nothing: a --root that does not exist is not looked at', async () => {
    const r = await runMain(['profiles', 'alpine', '--root', path.join(REPO, 'no-such-tree')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^alpine — Alpine Linux/m);
  });
});

describe('the manual and docs/profiles.md name every profile', () => {
  it('docs/limitsctl.1 (--profile) and docs/profiles.md list every profile and alias', () => {
    const man = readFileSync(path.join(REPO, 'docs/limitsctl.1'), 'utf8').replace(/\\-/g, '-');
    const doc = readFileSync(path.join(REPO, 'docs/profiles.md'), 'utf8');
    for (const name of [...PROFILE_NAMES, ...Object.keys(PROFILE_ALIASES)]) {
      expect(man, `docs/limitsctl.1: ${name}`).toMatch(new RegExp(`(^|[\\s(,])${name.replace(/\./g, '\\.')}([\\s),]|\\.(\\s|$)|$)`, 'm'));
      expect(doc, `docs/profiles.md: ${name}`).toContain(`| ${name} |`.replace(/^\| (debian|upstream|upstream-1\.7) \|$/, '| `$1` |'));
    }
  });
});
