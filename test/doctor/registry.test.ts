/**
 * The finding registry against its fixtures and its documentation, as lint's rules are
 * (test/lint/rules.test.ts):
 * - every tree under fixtures/doctor (committed, or built by generate.mjs) carries expect.json,
 *   the finding ids doctor reports for each user, in report order; diagnose must say exactly that;
 * - every registered finding is expected by at least one fixture, and every expected id is registered;
 * - every finding reported has one of the severities its definition declares;
 * - docs/doctor.md's "Finding ids" table has one row per registered finding, equal to its
 *   definition (id, severities, when), and no other row.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../src/core/doctor.js';
import { SCENARIOS } from '../../fixtures/doctor/generate.mjs';
import { doctorItemOn, doctorOn, FIX, ids, type ItemRun, itemFlags, REPO, scenario } from './helpers.js';

interface Expectation {
  readonly findings: Record<string, string[]>;
  /** `doctor --item` runs: the target and the ids reported, in order */
  readonly items?: ReadonlyArray<ItemRun & { readonly expect: string[] }>;
}

const committed = readdirSync(FIX, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const cleanups: Array<() => void> = [];
afterAll(() => { for (const c of cleanups) c(); });

/** Every fixture tree: name → root (generated ones are built once, into a temp dir). */
function trees(): Array<{ name: string; root: string }> {
  const out = committed.map((name) => ({ name, root: path.join(FIX, name) }));
  for (const name of Object.keys(SCENARIOS)) {
    const s = scenario(name);
    cleanups.push(s.cleanup);
    out.push({ name: `${name} (generated)`, root: s.root });
  }
  return out;
}

const TREES = trees();
const expectationOf = (root: string): Expectation => JSON.parse(readFileSync(path.join(root, 'expect.json'), 'utf8')) as Expectation;

describe('fixtures carry their expected findings', () => {
  it('every committed tree has an expect.json', () => {
    expect(committed.length).toBeGreaterThanOrEqual(4);
    for (const name of committed) expect(existsSync(path.join(FIX, name, 'expect.json')), `fixtures/doctor/${name}/expect.json`).toBe(true);
  });

  for (const { name, root } of TREES) {
    it(`${name}: doctor reports exactly the expected findings for each user`, () => {
      const want = expectationOf(root).findings;
      expect(Object.keys(want).length).toBeGreaterThan(0);
      const severities = new Map(FINDINGS.map((d) => [d.id, d.severities]));
      for (const [user, list] of Object.entries(want)) {
        const r = doctorOn(root, user);
        expect(ids(r), `${name} --user ${user}`).toEqual(list);
        for (const f of r.findings) expect(severities.get(f.id), `${f.id} reported as ${f.severity}`).toContain(f.severity);
      }
      for (const run of expectationOf(root).items ?? []) {
        const r = doctorItemOn(root, run);
        expect(ids(r), `${name} ${itemFlags(run)}`).toEqual(run.expect);
        for (const f of r.findings) expect(severities.get(f.id), `${f.id} reported as ${f.severity}`).toContain(f.severity);
      }
    });
  }

  it('every registered finding is expected by a fixture, and every expected id is registered', () => {
    const expected = new Set(TREES.flatMap(({ root }) => [...Object.values(expectationOf(root).findings).flat(), ...(expectationOf(root).items ?? []).flatMap((r) => r.expect)]));
    const registered = new Set<string>(FINDINGS.map((d) => d.id));
    expect([...registered].filter((id) => !expected.has(id)), 'findings without a fixture').toEqual([]);
    expect([...expected].filter((id) => !registered.has(id)), 'expected ids that are not registered').toEqual([]);
  });
});

describe('the registry and docs/doctor.md', () => {
  it('ids are unique and in kebab-case; each definition names its severities and when it fires', () => {
    const all = FINDINGS.map((d) => d.id);
    expect(new Set(all).size).toBe(all.length);
    for (const d of FINDINGS) {
      expect(d.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(d.severities.length).toBeGreaterThan(0);
      expect(d.when.length).toBeGreaterThan(10);
      expect(d.when).not.toContain('|');
    }
  });

  it('each finding is in its own file, named by its id', () => {
    const files = readdirSync(path.join(REPO, 'src/core/doctor/findings')).filter((f) => f.endsWith('.ts')).sort();
    expect(files).toEqual(FINDINGS.map((d) => `${d.id}.ts`).sort());
    for (const d of FINDINGS) {
      expect(readFileSync(path.join(REPO, 'src/core/doctor/findings', `${d.id}.ts`), 'utf8')).toContain(`id: '${d.id}',`);
    }
  });

  it('docs/doctor.md has one row per finding, equal to its definition, and no other', () => {
    const doc = readFileSync(path.join(REPO, 'docs/doctor.md'), 'utf8');
    const start = doc.indexOf('### Finding ids\n');
    expect(start, 'a "### Finding ids" section').toBeGreaterThan(0);
    const end = doc.indexOf('\n## ', start);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.map((l) => l.match(/^\| `([^`]+)` \|/)?.[1]);
    expect(documented.filter((id) => !FINDINGS.some((d) => d.id === id)), 'documented ids that are not registered').toEqual([]);
    for (const d of FINDINGS) {
      expect(rows, `the row of ${d.id}`).toContain(`| \`${d.id}\` | ${d.severities.join('/')} | ${d.when} |`);
    }
    expect(rows.length).toBe(FINDINGS.length);
  });
});
