/**
 * The resolver against the real thing: for hundreds of seeded random trees (and every fixture
 * tree with accounts), every session Debian's pam_limits.so opens must match what
 * resolveLimits() predicts — each rlimit's soft and hard value, setpriority, nonewprivs, chroot
 * and the PAM result.
 *
 * Reproduce or widen a run with LIMITSCTL_CONFORMANCE_SEED (first seed, default 1) and
 * LIMITSCTL_CONFORMANCE_TREES (how many, default 500).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Identity, parsePasswd } from '../../src/core/accounts.js';
import { parseProcLimits, type ProcLimits, type Resolution, type ResolveOptions, resolveLimits } from '../../src/core/resolve.js';
import { RLIMIT_ITEMS, type RlimitItem } from '../../src/core/schema.js';
import { loadIdentity, UnknownUserError } from '../../src/io/accounts.js';
import { type LoadedTree, loadTree } from '../../src/io/tree.js';
import { formatTree, generateTree, visible, writeTree } from './generate.js';
import {
  CALLER_PRIORITY, CALLER_RLIMITS, type RealModuleResult, realModuleSkipReason, runRealModuleBatch,
} from './real-module.js';

const skipReason = await realModuleSkipReason();
if (skipReason) console.warn(`conformance against the real pam_limits.so skipped: ${skipReason}`);

const FIRST_SEED = Number(process.env.LIMITSCTL_CONFORMANCE_SEED ?? 1);
const TREE_COUNT = Number(process.env.LIMITSCTL_CONFORMANCE_TREES ?? 500);
const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
/** Mismatching sessions printed in full; the rest are only counted. */
const REPORT_LIMIT = 8;

/** One tree to compare on: a generated one (with its seed) or a fixture. */
interface Subject {
  readonly label: string;
  readonly dir: string;
  readonly users: readonly string[];
  /** the tree as text, for the failure report */
  readonly text: () => string;
}

type Resolver = (tree: LoadedTree, identity: Identity, options: ResolveOptions) => Resolution;

interface Mismatch {
  readonly subject: Subject;
  readonly user: string;
  /** e.g. "nofile soft", "setpriority", "PAM result" */
  readonly what: string;
  readonly real: string;
  readonly resolver: string;
  readonly log: readonly string[];
}

/** What the real module should have done, according to the resolver. */
interface Expected {
  readonly result: string;
  readonly setrlimit: ReadonlyMap<number, { readonly soft: bigint | null; readonly hard: bigint | null }>;
  readonly setpriority: number | null;
  readonly nonewprivs: boolean;
  readonly chroot: string | null;
}

/** The getrlimit values the shim gives the module, keyed by item. */
const PROCESS_LIMITS: ProcLimits = Object.fromEntries(RLIMIT_ITEMS.map((item, i) => [item, CALLER_RLIMITS[i]!]));

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/** The tree's fake /proc, read the way pam_limits reads the real one. */
function procOptions(dir: string): ResolveOptions {
  const limits = readOptional(join(dir, 'proc/1/limits'));
  // value_from_file(): strtoull of the first line, at least one digit.
  const nrOpen = /^\d+/.exec(readOptional(join(dir, 'proc/sys/fs/nr_open')) ?? '');
  return {
    profile: 'debian',
    pid1Limits: limits === null ? null : parseProcLimits(limits),
    nrOpen: nrOpen ? BigInt(nrOpen[0]) : null,
    processLimits: PROCESS_LIMITS,
    initialPriority: CALLER_PRIORITY,
  };
}

const NOTHING: Omit<Expected, 'result'> = { setrlimit: new Map(), setpriority: null, nonewprivs: false, chroot: null };

function expectedFor(dir: string, tree: LoadedTree, options: ResolveOptions, user: string, resolve: Resolver): Expected {
  let identity: Identity;
  try {
    identity = loadIdentity(dir, user);
  } catch (e) {
    if (e instanceof UnknownUserError) return { result: 'PAM_USER_UNKNOWN', ...NOTHING };
    throw e;
  }
  const r = resolve(tree, identity, options);
  return {
    result: r.result,
    setrlimit: new Map(r.calls.setrlimit.map((c) => [c.resource, { soft: c.soft, hard: c.hard }])),
    setpriority: r.calls.setpriority,
    nonewprivs: r.calls.nonewprivs,
    chroot: r.calls.chroot,
  };
}

const show = (v: bigint | number | string | boolean | null | undefined): string =>
  v === undefined ? 'no call' : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(visible(v)) : String(v);

/** Every difference between one real session and the resolver's prediction. */
function differences(real: RealModuleResult, exp: Expected): Array<{ what: string; real: string; resolver: string }> {
  const out: Array<{ what: string; real: string; resolver: string }> = [];
  const check = (what: string, a: bigint | number | string | boolean | null | undefined, b: typeof a) => {
    if (a !== b) out.push({ what, real: show(a), resolver: show(b) });
  };
  check('PAM result', real.pamResultName, exp.result);
  RLIMIT_ITEMS.forEach((item: RlimitItem, resource) => {
    const got = real.setrlimit.find((c) => c.resource === resource);
    const want = exp.setrlimit.get(resource);
    if (!got || !want) {
      check(`setrlimit(${item})`, got ? `${got.soft}:${got.hard}` : undefined, want ? `${want.soft}:${want.hard}` : undefined);
      return;
    }
    check(`${item} soft`, got.soft, want.soft);
    check(`${item} hard`, got.hard, want.hard);
  });
  check('setpriority', real.setpriority, exp.setpriority);
  check('nonewprivs', real.nonewprivs, exp.nonewprivs);
  check('chroot', real.chroot, exp.chroot);
  return out;
}

/** Compares every session of every subject; `resolve` is resolveLimits or a deliberately broken variant. */
function findMismatches(subjects: readonly Subject[], real: readonly RealModuleResult[][], resolve: Resolver): Mismatch[] {
  const out: Mismatch[] = [];
  subjects.forEach((subject, i) => {
    const tree = loadTree(subject.dir, { profile: 'debian' });
    const options = procOptions(subject.dir);
    for (const session of real[i]!) {
      const base = { subject, user: session.user, log: session.log };
      try {
        const diffs = differences(session, expectedFor(subject.dir, tree, options, session.user, resolve));
        for (const d of diffs) out.push({ ...base, ...d });
      } catch (e) {
        out.push({ ...base, what: 'resolver threw', real: '', resolver: String((e as Error).stack ?? e) });
      }
    }
  });
  return out;
}

function formatReport(mismatches: readonly Mismatch[]): string {
  const bySession = new Map<string, Mismatch[]>();
  for (const m of mismatches) {
    const key = `${m.subject.label}\0${m.user}`;
    bySession.set(key, [...(bySession.get(key) ?? []), m]);
  }
  const parts = [`${mismatches.length} mismatches in ${bySession.size} sessions (real module vs resolver):`];
  let shown = 0;
  const treesShown = new Set<Subject>();
  for (const group of bySession.values()) {
    if (shown++ >= REPORT_LIMIT) break;
    const { subject, user, log } = group[0]!;
    parts.push(`\n=== ${subject.label}, user ${user}`);
    for (const m of group) parts.push(`  ${m.what}: real ${m.real}, resolver ${m.resolver}`);
    if (log.length) parts.push(`  module log:\n${log.map((l) => `    ${l}`).join('\n')}`);
    if (!treesShown.has(subject)) {
      treesShown.add(subject);
      parts.push(subject.text().replace(/^/gm, '  | '));
    }
  }
  if (bySession.size > REPORT_LIMIT) parts.push(`\n… and ${bySession.size - REPORT_LIMIT} more sessions`);
  return parts.join('\n');
}

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
const BROKEN: ReadonlyArray<readonly [string, Resolver]> = [
  ['upstream semantics on a Debian module', (t, id, o) => resolveLimits(t, id, { ...o, profile: 'upstream' })],
  ['limits.d read in reverse order', (t, id, o) => resolveLimits({ ...t, files: [t.files[0]!, ...t.files.slice(1).reverse()] }, id, o)],
];

/** nofile soft one too high wherever the resolver calls setrlimit(RLIMIT_NOFILE). */
const offByOne: Resolver = (t, id, o) => {
  const r = resolveLimits(t, id, o);
  const setrlimit = r.calls.setrlimit.map((c) => (c.item === 'nofile' && c.soft !== null ? { ...c, soft: c.soft + 1n } : c));
  return { ...r, calls: { ...r.calls, setrlimit } };
};

describe.skipIf(skipReason !== null)('resolveLimits agrees with the real pam_limits.so (Debian 12)', () => {
  let scratch = '';
  let subjects: Subject[] = [];
  let real: RealModuleResult[][] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'limitsctl-conformance-trees-'));
    for (let seed = FIRST_SEED; seed < FIRST_SEED + TREE_COUNT; seed++) {
      const tree = generateTree(seed);
      const dir = join(scratch, String(seed));
      await writeTree(dir, tree);
      subjects.push({ label: `seed ${seed}`, dir, users: tree.users, text: () => formatTree(tree) });
    }
    subjects = [...subjects, ...fixtureSubjects()];
    real = await runRealModuleBatch(subjects);
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it(`matches on every session of ${TREE_COUNT} random trees and the fixtures`, () => {
    const sessions = real.flat().length;
    expect(sessions).toBeGreaterThanOrEqual(TREE_COUNT * 4);
    const mismatches = findMismatches(subjects, real, resolveLimits);
    expect(mismatches.length, formatReport(mismatches)).toBe(0);
  });

  it.each(BROKEN)('notices a broken resolver: %s', (_name, broken) => {
    expect(findMismatches(subjects, real, broken).length).toBeGreaterThan(0);
  });

  it('notices a broken resolver: nofile soft off by one, in exactly the sessions that set nofile', () => {
    const nofileSessions = real.flat().filter((s) => s.setrlimit.some((c) => c.resource === 7)).length;
    const mismatches = findMismatches(subjects, real, offByOne);
    expect(nofileSessions).toBeGreaterThan(TREE_COUNT);
    expect(mismatches.every((m) => m.what === 'nofile soft')).toBe(true);
    expect(mismatches).toHaveLength(nofileSessions);
  });
});
