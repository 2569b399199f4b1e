/**
 * The resolver against the real thing: for hundreds of seeded random trees (and every fixture
 * tree with accounts), every session each real pam_limits.so of modules.ts opens (Debian 11, 12,
 * 13; unpatched Linux-PAM 1.4.0, 1.5.2, 1.7.0) must match what resolveLimits() predicts under
 * that module's profile — each rlimit's soft and hard value, setpriority, nonewprivs, chroot and
 * the PAM result.
 *
 * Reproduce or widen a run with LIMITSCTL_CONFORMANCE_SEED (first seed, default 1),
 * LIMITSCTL_CONFORMANCE_TREES (how many for Debian 12, default 500) and
 * LIMITSCTL_CONFORMANCE_TREES_OTHERS (for each other module, default 300 or the Debian 12 count if
 * smaller), and LIMITSCTL_CONFORMANCE_MODULES (comma-separated module ids, default all).
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePasswd } from '../../src/core/accounts.js';
import { resolveLimits } from '../../src/core/resolve.js';
import type { ProfileName } from '../../src/core/schema.js';
import { findMismatches, formatReport, readOptional, type Resolver, type Subject } from './compare.js';
import { formatTree, generateTree, visible, writeTree } from './generate.js';
import { MODULE_IDS, type ModuleId, moduleDescriptor } from './modules.js';
import { type RealModuleResult, realModuleSkipReason, runRealModuleBatch } from './real-module.js';

const FIRST_SEED = Number(process.env.LIMITSCTL_CONFORMANCE_SEED ?? 1);
const TREE_COUNT = Number(process.env.LIMITSCTL_CONFORMANCE_TREES ?? 500);
const OTHERS_COUNT = Number(process.env.LIMITSCTL_CONFORMANCE_TREES_OTHERS ?? Math.min(300, TREE_COUNT));
const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const SELECTED = (process.env.LIMITSCTL_CONFORMANCE_MODULES?.split(',') ?? MODULE_IDS) as ModuleId[];

const treeCount = (id: ModuleId) => (id === 'debian-12' ? TREE_COUNT : OTHERS_COUNT);

const skip = new Map<ModuleId, string | null>();
for (const id of SELECTED) {
  const reason = await realModuleSkipReason(id);
  skip.set(id, reason);
  if (reason) console.warn(`conformance against the real pam_limits.so (${id}) skipped: ${reason}`);
}
console.log(`conformance seeds ${FIRST_SEED}..${FIRST_SEED + Math.max(...SELECTED.map(treeCount)) - 1}`);

/**
 * For each module (whose profile is in modules.ts), a neighbouring profile that differs from it in
 * traits the random trees exercise: resolving as the neighbour must be caught.
 */
const NEIGHBOUR: Record<ModuleId, ProfileName> = {
  'debian-11': 'linux-pam-1.4',
  'debian-12': 'linux-pam-1.5.2',
  'debian-13': 'linux-pam-1.7.0',
  'linux-pam-1.4.0': 'linux-pam-1.5.2',
  'linux-pam-1.5.2': 'linux-pam-1.7.0',
  'linux-pam-1.7.0': 'linux-pam-1.5.2',
};

/** Fixture trees that have accounts (etc/passwd), at any depth under fixtures/. */
function fixtureSubjects(dir = FIXTURES): Subject[] {
  const passwd = readOptional(join(dir, 'etc/passwd'));
  if (passwd !== null) {
    return [{
      label: `fixture ${relative(FIXTURES, dir) || '.'}`,
      dir,
      users: parsePasswd(passwd).map((u) => u.name),
      text: () => listFiles(dir),
    }];
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => statSync(join(dir, n)).isDirectory()).flatMap((n) => fixtureSubjects(join(dir, n)));
}

function listFiles(dir: string, root = dir): string {
  return readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return listFiles(p, root);
    return `--- ${relative(root, p)}\n${visible(readOptional(p) ?? '(unreadable)')}`;
  }).join('\n');
}

/** Resolvers that are wrong on purpose: the comparison must catch each of them. */
const limitsDReversed: Resolver = (t, id, o) => resolveLimits({ ...t, files: [t.files[0]!, ...t.files.slice(1).reverse()] }, id, o);

/** nofile soft one too high wherever the resolver calls setrlimit(RLIMIT_NOFILE). */
const offByOne: Resolver = (t, id, o) => {
  const r = resolveLimits(t, id, o);
  const setrlimit = r.calls.setrlimit.map((c) => (c.item === 'nofile' && c.soft !== null ? { ...c, soft: c.soft + 1n } : c));
  return { ...r, calls: { ...r.calls, setrlimit } };
};

let scratch = '';
const generated: Subject[] = [];
let fixtures: Subject[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'limitsctl-conformance-trees-'));
  const count = Math.max(0, ...SELECTED.filter((id) => skip.get(id) === null).map(treeCount));
  for (let seed = FIRST_SEED; seed < FIRST_SEED + count; seed++) {
    const tree = generateTree(seed);
    const dir = join(scratch, String(seed));
    await writeTree(dir, tree);
    generated.push({ label: `seed ${seed}`, dir, users: tree.users, text: () => formatTree(tree) });
  }
  fixtures = fixtureSubjects();
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

for (const id of SELECTED) {
  const { profile } = moduleDescriptor(id);
  const neighbour = NEIGHBOUR[id];
  const count = treeCount(id);
  describe.skipIf(skip.get(id) !== null)(`resolveLimits (profile ${profile}) agrees with the real pam_limits.so of ${moduleDescriptor(id).description}`, () => {
    let subjects: Subject[] = [];
    let real: RealModuleResult[][] = [];

    beforeAll(async () => {
      subjects = [...generated.slice(0, count), ...fixtures];
      const started = Date.now();
      real = await runRealModuleBatch(subjects, { module: id });
      console.log(`${id}: ${subjects.length} trees, ${real.flat().length} sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 600_000);

    it(`matches on every session of ${count} random trees and the fixtures`, () => {
      const sessions = real.flat().length;
      expect(sessions).toBeGreaterThanOrEqual(count * 4);
      const mismatches = findMismatches(subjects, real, profile);
      expect(mismatches.length, `${id}, profile ${profile}: ${formatReport(mismatches)}`).toBe(0);
    });

    it(`notices a wrong profile: ${neighbour}`, () => {
      expect(findMismatches(subjects, real, neighbour).length).toBeGreaterThan(0);
    });

    it('notices a broken resolver: limits.d read in reverse order', () => {
      expect(findMismatches(subjects, real, profile, limitsDReversed).length).toBeGreaterThan(0);
    });

    it('notices a broken resolver: nofile soft off by one, in exactly the sessions that set nofile', () => {
      const nofileSessions = real.flat().filter((s) => s.setrlimit.some((c) => c.resource === 7)).length;
      const mismatches = findMismatches(subjects, real, profile, offByOne);
      // Debian 11/12 set nofile in every session (from PID 1); the others only where a line sets it
      expect(nofileSessions).toBeGreaterThan(id === 'debian-11' || id === 'debian-12' ? count : count / 10);
      expect(mismatches.every((m) => m.what === 'nofile soft')).toBe(true);
      expect(mismatches).toHaveLength(nofileSessions);
    });
  });
}
