/**
 * Comparing a real pam_limits.so with resolveLimits(): what the resolver predicts for one
 * session (under one profile), every difference from what the module did, and a readable report.
 * Used by conformance.test.ts (random trees) and release-traits.test.ts (hand-written trees).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../../src/core/accounts.js';
import { parseProcLimits, type ProcLimits, type Resolution, type ResolveOptions, resolveLimits } from '../../src/core/resolve.js';
import { type ProfileName, RLIMIT_ITEMS, type RlimitItem } from '../../src/core/schema.js';
import { loadIdentity, UnknownUserError } from '../../src/io/accounts.js';
import { type LoadedTree, loadTree } from '../../src/io/tree.js';
import { visible } from './generate.js';
import { CALLER_PRIORITY, CALLER_RLIMITS, type RealModuleResult, SHIM_DEFAULT_NR_OPEN } from './real-module.js';

/** Mismatching sessions printed in full; the rest are only counted. */
const REPORT_LIMIT = 8;

/** One tree to compare on: a generated one (with its seed) or a fixture. */
export interface Subject {
  readonly label: string;
  readonly dir: string;
  readonly users: readonly string[];
  /** the tree as text, for the failure report */
  readonly text: () => string;
}

export type Resolver = (tree: LoadedTree, identity: Identity, options: ResolveOptions) => Resolution;

export interface Mismatch {
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

export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/** The tree's fake /proc, read the way pam_limits reads the real one, for `profile`. */
export function procOptions(dir: string, profile: ProfileName): ResolveOptions {
  const limits = readOptional(join(dir, 'proc/1/limits'));
  // value_from_file(): strtoull of the first line, at least one digit.
  const nrOpen = /^\d+/.exec(readOptional(join(dir, 'proc/sys/fs/nr_open')) ?? '');
  return {
    profile,
    pid1Limits: limits === null ? null : parseProcLimits(limits),
    nrOpen: nrOpen ? BigInt(nrOpen[0]) : null,
    // the shim's simulated kernel: the same number, or SHIM_DEFAULT_NR_OPEN when the file has none
    // (the module cannot read it, but the kernel still refuses a nofile hard limit above its own)
    kernelNrOpen: nrOpen ? BigInt(nrOpen[0]) : SHIM_DEFAULT_NR_OPEN,
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

/**
 * Compares every session of every subject, read and resolved as `profile`; `resolve` is
 * resolveLimits or a deliberately broken variant.
 */
export function findMismatches(subjects: readonly Subject[], real: readonly RealModuleResult[][], profile: ProfileName, resolve: Resolver = resolveLimits): Mismatch[] {
  const out: Mismatch[] = [];
  subjects.forEach((subject, i) => {
    const tree = loadTree(subject.dir, { profile });
    const options = procOptions(subject.dir, profile);
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

export function formatReport(mismatches: readonly Mismatch[]): string {
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

