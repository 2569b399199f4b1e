/**
 * Tests of the harness itself: Debian's real pam_limits.so, run through it, must show the
 * behaviour docs/pam_limits-semantics.md reports as verified. If these fail, the harness (not the
 * resolver) is wrong, and the conformance test cannot be trusted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProcLimits, type DropIn, type GeneratedTree, writeTree } from './generate.js';
import {
  CALLER_PRIORITY, CALLER_RLIMITS, RLIM_INFINITY, type RealModuleResult, realModuleSkipReason, runRealModuleBatch,
} from './real-module.js';

const skipReason = await realModuleSkipReason();
if (skipReason) console.warn(`real pam_limits.so tests skipped: ${skipReason}`);

const INF = RLIM_INFINITY;
const NOFILE = 7;
const CPU = 0;
const CORE = 4;
const NICE = 13;
const RTTIME = 15;

const PASSWD = [
  'root:x:0:0::/root:/bin/sh',
  'toor:x:0:0::/root:/bin/sh',
  'alice:x:1000:1000::/home/alice:/bin/sh',
  'carol:x:1002:2000::/home/carol:/bin/sh',
].map((l) => `${l}\n`).join('');
const GROUP = ['root:x:0:', 'alice:x:1000:', 'dev:x:2000:alice', 'wheel:x:10:alice'].map((l) => `${l}\n`).join('');

/** PID 1's limits in the fake tree: every row, nofile 4096:524288 (soft is capped to 1024). */
const PID1 = formatProcLimits(CALLER_RLIMITS.map((_, i) => (i === NOFILE ? { soft: 4096n, hard: 524288n } : { soft: 7n, hard: INF })));

interface Case {
  readonly limitsConf: string | null;
  readonly dropins?: Record<string, string>;
  readonly users: readonly string[];
  readonly pid1?: string;
  readonly nrOpen?: string;
}

const CASES = {
  userBeatsDefaultShortCircuit: { limitsConf: 'alice soft nofile 100\n* - nofile 300\n', users: ['alice', 'carol'] },
  reverseShortCircuit: { limitsConf: 'alice hard nofile 100\n* - nofile 50\n', users: ['alice'] },
  rootIgnoresStar: { limitsConf: '* hard nofile 100\n* - core 5\n', users: ['root', 'alice'] },
  rootGetsAtColonZero: { limitsConf: '@:0 soft nofile 21\n@root soft core 27\n', users: ['root', 'toor'] },
  rootName: { limitsConf: 'root soft nofile 30\n', users: ['root', 'toor'] },
  noLimitLine: { limitsConf: 'alice - maxlogins 0\nalice - nofile 5\nalice -\n', users: ['alice', 'carol'] },
  conversions: { limitsConf: 'alice - nice -5\nalice - cpu 5\nalice soft core 4\nalice - rttime 9\n', users: ['alice'] },
  nofileUnlimited: { limitsConf: 'alice - nofile unlimited\n', users: ['alice'], nrOpen: '65536\n' },
  nofileAboveNrOpen: { limitsConf: 'alice - nofile 2000000\n', users: ['alice'] },
  missingLimitsConf: { limitsConf: null, dropins: { 'a.conf': 'alice - nofile 5\n' }, users: ['alice', 'root'] },
  maxlogins: { limitsConf: 'alice - maxlogins 0\nroot - maxlogins 0\n', users: ['alice', 'root'] },
  priorityLastWins: { limitsConf: 'alice - priority 5\n* - priority 10\n', users: ['alice', 'root'] },
  nonewprivsAndChroot: { limitsConf: 'alice - nonewprivs 1\nalice - chroot /FTP/Dir\n', users: ['alice'] },
  unknownUser: { limitsConf: '', users: ['ghost'] },
  emptyPid1: { limitsConf: '', users: ['alice'], pid1: '' },
  primaryGidRange: { limitsConf: '@2000: soft core 8\n', users: ['alice', 'carol'] },
  dropinOrder: {
    limitsConf: '* soft core 1\n',
    dropins: { 'b.conf': '* soft core 3\n', 'A.conf': '* soft core 2\n', 'z.conf~': '* soft core 9\n', '.h.conf': '* soft core 9\n' },
    users: ['alice'],
  },
} satisfies Record<string, Case>;

type CaseName = keyof typeof CASES;

function toTree(c: Case, seed: number): GeneratedTree {
  const dropins: DropIn[] | null = c.dropins
    ? Object.entries(c.dropins).map(([name, text]) => ({ kind: 'file', name, bytes: Buffer.from(text) }))
    : null;
  return {
    seed,
    limitsConf: c.limitsConf === null ? null : Buffer.from(c.limitsConf),
    dropins,
    passwd: PASSWD,
    group: GROUP,
    pid1Limits: c.pid1 ?? PID1,
    nrOpen: c.nrOpen ?? '1048576\n',
    users: c.users,
  };
}

describe.skipIf(skipReason !== null)("Debian's pam_limits.so through the harness", () => {
  const results = new Map<CaseName, RealModuleResult[]>();
  let root = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'limitsctl-real-module-test-'));
    const names = Object.keys(CASES) as CaseName[];
    const jobs = [];
    for (const [i, name] of names.entries()) {
      const dir = join(root, name);
      await writeTree(dir, toTree(CASES[name], i));
      jobs.push({ dir, users: CASES[name].users });
    }
    const out = await runRealModuleBatch(jobs);
    names.forEach((name, i) => results.set(name, out[i]!));
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const session = (name: CaseName, user: string): RealModuleResult => {
    const r = results.get(name)?.find((x) => x.user === user);
    if (!r) throw new Error(`no result for ${name}/${user}`);
    return r;
  };
  const limit = (name: CaseName, user: string, resource: number) =>
    session(name, user).setrlimit.find((c) => c.resource === resource);

  it('a `*` line cannot set hard when its soft half is outranked (the `-` short-circuit)', () => {
    expect(limit('userBeatsDefaultShortCircuit', 'alice', NOFILE)).toMatchObject({ soft: 100n, hard: 524288n });
    expect(limit('userBeatsDefaultShortCircuit', 'carol', NOFILE)).toMatchObject({ soft: 300n, hard: 300n });
    expect(limit('reverseShortCircuit', 'alice', NOFILE)).toMatchObject({ soft: 50n, hard: 100n });
  });

  it('Debian: root ignores `*`, and the PID-1 nofile soft limit is capped at 1024', () => {
    expect(limit('rootIgnoresStar', 'root', NOFILE)).toMatchObject({ soft: 1024n, hard: 524288n });
    expect(limit('rootIgnoresStar', 'root', CORE)).toMatchObject({ soft: 7n, hard: INF });
    expect(limit('rootIgnoresStar', 'alice', NOFILE)).toMatchObject({ soft: 100n, hard: 100n });
    expect(limit('rootIgnoresStar', 'alice', CORE)).toMatchObject({ soft: 5120n, hard: 5120n });
  });

  it('Debian: `@:0` applies to every uid-0 account, `@root` to none, the name `root` only to root', () => {
    expect(limit('rootGetsAtColonZero', 'root', NOFILE)?.soft).toBe(21n);
    expect(limit('rootGetsAtColonZero', 'toor', NOFILE)?.soft).toBe(21n);
    expect(limit('rootGetsAtColonZero', 'root', CORE)?.soft).toBe(7n);
    expect(limit('rootName', 'root', NOFILE)?.soft).toBe(30n);
    expect(limit('rootName', 'toor', NOFILE)?.soft).toBe(1024n);
  });

  it('a matching `<domain> -` line applies nothing at all and succeeds', () => {
    const alice = session('noLimitLine', 'alice');
    expect(alice).toMatchObject({ pamResultName: 'PAM_SUCCESS', setpriority: null, nonewprivs: false, chroot: null });
    expect(alice.setrlimit).toEqual([]);
    expect(session('noLimitLine', 'carol').setrlimit).toHaveLength(16);
  });

  it('converts nice, cpu minutes and core KiB; rttime is an unknown item in 1.5.2', () => {
    expect(limit('conversions', 'alice', NICE)).toMatchObject({ soft: 25n, hard: 25n });
    expect(limit('conversions', 'alice', CPU)).toMatchObject({ soft: 300n, hard: 300n });
    expect(limit('conversions', 'alice', CORE)?.soft).toBe(4096n);
    expect(limit('conversions', 'alice', RTTIME)).toMatchObject({ soft: 7n, hard: INF });
  });

  it('nofile unlimited becomes fs.nr_open', () => {
    expect(limit('nofileUnlimited', 'alice', NOFILE)).toMatchObject({ soft: 65536n, hard: 65536n, errno: 0 });
  });

  it('a nofile hard limit above nr_open is refused with EPERM, which Debian ignores', () => {
    expect(limit('nofileAboveNrOpen', 'alice', NOFILE)).toMatchObject({ soft: 2000000n, hard: 2000000n, errno: 1 });
    expect(session('nofileAboveNrOpen', 'alice').pamResultName).toBe('PAM_SUCCESS');
  });

  it('a missing limits.conf is PAM_SERVICE_ERR and nothing is applied (1.5.2)', () => {
    for (const user of ['alice', 'root']) {
      expect(session('missingLimitsConf', user)).toMatchObject({ pamResultName: 'PAM_SERVICE_ERR', setrlimit: [], setpriority: null });
    }
  });

  it('maxlogins 0 denies everyone but uid 0, after the limits were set', () => {
    const alice = session('maxlogins', 'alice');
    expect(alice.pamResultName).toBe('PAM_PERM_DENIED');
    expect(alice.setrlimit).toHaveLength(16);
    expect(alice.conversation.join()).toContain('too many logins');
    expect(session('maxlogins', 'root').pamResultName).toBe('PAM_SUCCESS');
  });

  it('priority: the last matching line wins whatever its rank; otherwise the caller keeps its own', () => {
    expect(session('priorityLastWins', 'alice').setpriority).toBe(10);
    expect(session('priorityLastWins', 'root').setpriority).toBe(CALLER_PRIORITY);
  });

  it('nonewprivs calls prctl; chroot gets the lower-cased path', () => {
    expect(session('nonewprivsAndChroot', 'alice')).toMatchObject({ nonewprivs: true, chroot: '/ftp/dir' });
  });

  it('an unknown user is PAM_USER_UNKNOWN', () => {
    expect(session('unknownUser', 'ghost')).toMatchObject({ pamResultName: 'PAM_USER_UNKNOWN', setrlimit: [] });
  });

  it('an empty /proc/1/limits gives the Debian fallbacks; nice, rtprio and rttime are left alone', () => {
    const calls = session('emptyPid1', 'alice').setrlimit;
    expect(calls.map((c) => c.resource)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(calls[NOFILE]).toMatchObject({ soft: 1024n, hard: 1024n });
    expect(calls[CORE]).toMatchObject({ soft: 0n, hard: INF });
  });

  it('`@min:` compares the primary gid only', () => {
    expect(limit('primaryGidRange', 'alice', CORE)?.soft).toBe(7n);
    expect(limit('primaryGidRange', 'carol', CORE)?.soft).toBe(8192n);
  });

  it('limits.d is read in byte order after limits.conf, and only *.conf without a leading dot', () => {
    expect(limit('dropinOrder', 'alice', CORE)?.soft).toBe(3072n);
  });
});
