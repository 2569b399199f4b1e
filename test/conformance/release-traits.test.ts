/**
 * What each real pam_limits.so does with the behaviours that tell releases apart: a battery of
 * tiny hand-written trees run on every module of modules.ts (Debian 11, 12, 13; unpatched
 * Linux-PAM 1.4.0, 1.5.2, 1.7.0). The test prints the matrix (module × behaviour), pins each
 * cell to what the real module was seen to do, and requires resolveLimits() under the module's
 * profile (modules.ts) to predict every session exactly, as conformance.test.ts does for random trees.
 *
 * LIMITSCTL_TRAITS_MATRIX=<file> also writes the matrix there as Markdown.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMismatches, formatReport, type Subject } from './compare.js';
import { formatProcLimits, formatTree, type GeneratedTree, writeTree } from './generate.js';
import { MODULE_IDS, type ModuleId, moduleDescriptor } from './modules.js';
import { CALLER_RLIMITS, RLIM_INFINITY, type RealModuleResult, realModuleSkipReason, runRealModuleBatch } from './real-module.js';

const INF = RLIM_INFINITY;
const enc = (s: string) => new TextEncoder().encode(s);

const skip = new Map<ModuleId, string | null>();
for (const id of MODULE_IDS) {
  const reason = await realModuleSkipReason(id);
  skip.set(id, reason);
  if (reason) console.warn(`release traits on ${id} skipped: ${reason}`);
}
const runnable = MODULE_IDS.filter((id) => skip.get(id) === null);

// RLIMIT numbers (x86-64)
const R = { cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9, locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15 } as const;

/** PID 1's limits in the battery's trees: distinct from the shim's caller values (real-module.ts). */
const PID1: Array<{ soft: bigint; hard: bigint }> = [
  { soft: INF, hard: INF }, { soft: INF, hard: INF }, { soft: INF, hard: INF }, { soft: 8_388_608n, hard: INF },
  { soft: 0n, hard: INF }, { soft: INF, hard: INF }, { soft: 7_001n, hard: 7_002n }, { soft: 4_096n, hard: 524_288n },
  { soft: 8_388_608n, hard: 8_388_608n }, { soft: INF, hard: INF }, { soft: INF, hard: INF }, { soft: 7_003n, hard: 7_004n },
  { soft: 819_200n, hard: 819_200n }, { soft: 0n, hard: 0n }, { soft: 0n, hard: 0n }, { soft: INF, hard: INF },
];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n';
const GROUP = 'root:x:0:\nalice:x:1000:\nstaff:x:2000:alice,root\n';

interface Case {
  readonly id: string;
  /** what the behaviour is, for the matrix */
  readonly title: string;
  readonly limitsConf: string | null;
  readonly dropins?: GeneratedTree['dropins'];
  readonly users: readonly string[];
  /** one cell of the matrix from the sessions (in `users` order) */
  readonly observe: (s: readonly RealModuleResult[]) => string;
}

const v = (x: bigint) => (x === INF ? 'inf' : String(x));
/** "soft:hard" of the module's setrlimit for resource r, "EPERM" appended when refused; "-" when not called. */
function call(s: RealModuleResult, r: number): string {
  const c = s.setrlimit.find((x) => x.resource === r);
  if (!c) return '-';
  return `${v(c.soft)}:${v(c.hard)}${c.errno === 1 ? ' EPERM' : c.errno ? ` errno ${c.errno}` : ''}`;
}
const result = (s: RealModuleResult) => s.pamResultName.replace(/^PAM_/, '');
/** The module's log lines that say something (not debug chatter). */
const complaints = (s: RealModuleResult) => s.log.filter((l) => !/^<7>/.test(l)).map((l) => l.replace(/^<\d+> /, ''));
/** Whether any log line (debug included: 'unknown limit item' is LOG_DEBUG in some versions) matches. */
const said = (s: RealModuleResult, re: RegExp) => s.log.some((l) => re.test(l));

const CASES: readonly Case[] = [
  {
    id: 'nofile-unlimited', title: '`* - nofile unlimited`: nofile call, PAM result',
    limitsConf: '* - nofile unlimited\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.nofile)} ${result(s!)}`,
  },
  {
    id: 'nonewprivs', title: '`* - nonewprivs 1`: prctl, or unknown item',
    limitsConf: '* - nonewprivs 1\n', users: ['alice'],
    observe: ([s]) => `${s!.nonewprivs ? 'prctl' : said(s!, /unknown limit item/) ? 'unknown item' : 'nothing'} ${result(s!)}`,
  },
  {
    id: 'missing-conf', title: 'limits.conf missing: PAM result',
    limitsConf: null, users: ['alice'],
    observe: ([s]) => `${result(s!)}${s!.setrlimit.length ? ' (limits set)' : ''}`,
  },
  {
    id: 'dangling-dropin', title: 'dangling limits.d/*.conf symlink: PAM result',
    limitsConf: '* soft core 5\n', dropins: [{ kind: 'symlink', name: 'gone.conf', target: '/nonexistent/gone.conf' }], users: ['alice'],
    observe: ([s]) => `${result(s!)} core ${call(s!, R.core)}`,
  },
  {
    id: 'rttime', title: '`* - rttime 5000`: rttime call',
    limitsConf: '* - rttime 5000\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.rttime)}${said(s!, /unknown limit item/) ? ' (unknown item)' : ''} ${result(s!)}`,
  },
  {
    id: 'root-exempt', title: 'root under `* hard nproc 50`, `@staff hard core 7`, `root hard fsize 9` (nproc/core/fsize hard)',
    limitsConf: '* hard nproc 50\n@staff hard core 7\nroot hard fsize 9\n', users: ['root', 'alice'],
    observe: ([root, alice]) => {
      const hard = (s: RealModuleResult, r: number) => call(s, r).split(':')[1] ?? '-';
      return `root ${hard(root!, R.nproc)}/${hard(root!, R.core)}/${hard(root!, R.fsize)}; alice ${hard(alice!, R.nproc)}/${hard(alice!, R.core)}/${hard(alice!, R.fsize)}`;
    },
  },
  {
    id: 'unconfigured', title: 'items not configured (`alice soft core 5` only): where cpu, nproc, nofile, nice come from',
    limitsConf: 'alice soft core 5\n', users: ['alice'],
    observe: ([s]) => {
      // each value tagged with where it equals: PID 1's limits or the caller's (getrlimit)
      const tag = (x: bigint, pid1: bigint, caller: bigint) => (x === pid1 ? '(pid1)' : x === caller ? '(caller)' : '');
      const src = (r: number) => {
        const c = s!.setrlimit.find((x) => x.resource === r);
        if (!c) return '-';
        const p = PID1[r]!;
        const k = CALLER_RLIMITS[r]!;
        return `${v(c.soft)}${tag(c.soft, p.soft, k.soft)}:${v(c.hard)}${tag(c.hard, p.hard, k.hard)}`;
      };
      return `calls ${s!.setrlimit.length}; nproc ${src(R.nproc)} nofile ${src(R.nofile)} cpu ${src(R.cpu)} nice ${src(R.nice)}`;
    },
  },
  {
    id: 'eperm', title: '`* hard nofile 2000000` (> nr_open) + `* soft nproc 55`: PAM result, nproc still set',
    limitsConf: '* soft nproc 55\n* hard nofile 2000000\n', users: ['alice'],
    observe: ([s]) => `${result(s!)} nofile ${call(s!, R.nofile)} nproc ${call(s!, R.nproc)}`,
  },
  {
    id: 'chroot', title: '`alice - chroot /srv/jail`: chroot call',
    limitsConf: 'alice - chroot /srv/jail\n', users: ['alice'],
    observe: ([s]) => `${s!.chroot === null ? (said(s!, /unknown limit item/) ? 'unknown item' : 'no chroot') : `chroot ${s!.chroot}`} ${result(s!)}`,
  },
  {
    id: 'long-line', title: 'a 1100-byte line `alice hard nproc 99<spaces>alice hard core 42`: nproc/core hard',
    limitsConf: `alice hard nproc 99${' '.repeat(1100 - 'alice hard nproc 99'.length - 'alice hard core 42'.length)}alice hard core 42\n`,
    users: ['alice'],
    observe: ([s]) => `nproc ${call(s!, R.nproc).split(':')[1] ?? '-'} core ${call(s!, R.core).split(':')[1] ?? '-'}`,
  },
  {
    id: 'aligned-unlimited', title: 'column-aligned `*   soft   nofile   unlimited` (#761)',
    limitsConf: '*     soft    nofile     unlimited\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.nofile)} ${result(s!)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'aligned-core', title: 'column-aligned `*   soft   core   unlimited`',
    limitsConf: '*     soft    core       unlimited\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.core)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'aligned-nonewprivs', title: 'column-aligned `*   -   nonewprivs   1` (#761)',
    limitsConf: '*     -       nonewprivs    1\n', users: ['alice'],
    observe: ([s]) => `${s!.nonewprivs ? 'prctl' : 'no prctl'}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'maxlogins-1', title: '`alice - maxlogins 1` (utmp: empty, count 1; logind: no sessions)',
    limitsConf: 'alice - maxlogins 1\n', users: ['alice'],
    observe: ([s]) => `${result(s!)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'maxlogins-0', title: '`alice - maxlogins 0`',
    limitsConf: 'alice - maxlogins 0\n', users: ['alice'],
    observe: ([s]) => `${result(s!)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'unlimited-trailing', title: '`* soft core unlimited 20`: a word after `unlimited`',
    limitsConf: '* soft core unlimited 20\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.core)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
  {
    id: 'rest-of-line', title: '`* soft nofile 10 20`: value is the 4th word, or the rest of the line',
    limitsConf: '* soft nofile 10 20\n', users: ['alice'],
    observe: ([s]) => `${call(s!, R.nofile)}${complaints(s!).length ? ` (${complaints(s!)[0]})` : ''}`,
  },
];

function treeFor(c: Case): GeneratedTree {
  return {
    seed: 0,
    limitsConf: c.limitsConf === null ? null : enc(c.limitsConf),
    dropins: c.dropins ?? null,
    passwd: PASSWD,
    group: GROUP,
    pid1Limits: formatProcLimits(PID1),
    nrOpen: '1048576\n',
    users: c.users,
  };
}

/**
 * What each module was seen to do: the printed matrix, each cell checked against pam_limits.c of
 * its version and, for Debian, debian/patches-applied (027 root exemption and PID 1 baseline,
 * 032 EPERM not fatal, 008 chroot, pam-limits-nofile-fd-setsize-cap) of the source package.
 */
const OBSERVED: Record<ModuleId, Record<string, string>> = {
  'debian-11': {
    'nofile-unlimited': 'inf:inf EPERM SUCCESS',
    'nonewprivs': 'unknown item SUCCESS',
    'missing-conf': 'SERVICE_ERR',
    'dangling-dropin': 'SERVICE_ERR core -',
    'rttime': 'inf:inf (unknown item) SUCCESS',
    'root-exempt': 'root 7002/inf/9216; alice 50/7168/inf',
    'unconfigured': 'calls 16; nproc 7001(pid1):7002(pid1) nofile 1024:524288(pid1) cpu inf(pid1):inf(pid1) nice 0(pid1):0(pid1)',
    'eperm': 'SUCCESS nofile 1024:2000000 EPERM nproc 55:7002',
    'chroot': 'chroot /srv/jail SUCCESS',
    'long-line': 'nproc 99 core 43008',
    'aligned-unlimited': '524288:524288 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'no prctl',
    'maxlogins-1': 'SUCCESS',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': 'inf:inf',
    'rest-of-line': '10:524288',
  },
  'debian-12': {
    'nofile-unlimited': '1048576:1048576 SUCCESS',
    'nonewprivs': 'prctl SUCCESS',
    'missing-conf': 'SERVICE_ERR',
    'dangling-dropin': 'SERVICE_ERR core -',
    'rttime': 'inf:inf (unknown item) SUCCESS',
    'root-exempt': 'root 7002/inf/9216; alice 50/7168/inf',
    'unconfigured': 'calls 16; nproc 7001(pid1):7002(pid1) nofile 1024:524288(pid1) cpu inf(pid1):inf(pid1) nice 0(pid1):0(pid1)',
    'eperm': 'SUCCESS nofile 1024:2000000 EPERM nproc 55:7002',
    'chroot': 'chroot /srv/jail SUCCESS',
    'long-line': 'nproc 99 core 43008',
    'aligned-unlimited': '524288:524288 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'prctl',
    'maxlogins-1': 'SUCCESS',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': 'inf:inf',
    'rest-of-line': '10:524288',
  },
  'debian-13': {
    'nofile-unlimited': '1048576:1048576 SUCCESS',
    'nonewprivs': 'prctl SUCCESS',
    'missing-conf': 'SUCCESS',
    'dangling-dropin': 'SUCCESS core 5120:inf',
    'rttime': '- (unknown item) SUCCESS',
    'root-exempt': 'root -/-/9216; alice 50/7168/-',
    'unconfigured': 'calls 1; nproc - nofile - cpu - nice -',
    'eperm': 'SUCCESS nofile 1111:2000000 EPERM nproc 55:4000',
    'chroot': 'chroot /srv/jail SUCCESS',
    'long-line': 'nproc 99 core -',
    'aligned-unlimited': '2222:2222 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'prctl',
    'maxlogins-1': 'SUCCESS (pam_limits(limitsctl-conformance:session): Maxlogin limit needs to be 2 or higher with systemd-logind)',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': '-',
    'rest-of-line': '10:2222',
  },
  'linux-pam-1.4.0': {
    'nofile-unlimited': 'inf:inf EPERM PERM_DENIED',
    'nonewprivs': 'unknown item SUCCESS',
    'missing-conf': 'SERVICE_ERR',
    'dangling-dropin': 'SERVICE_ERR core -',
    'rttime': '- (unknown item) SUCCESS',
    'root-exempt': 'root 50/7168/9216; alice 50/7168/-',
    'unconfigured': 'calls 1; nproc - nofile - cpu - nice -',
    'eperm': 'PERM_DENIED nofile 1111:2000000 EPERM nproc 55:4000',
    'chroot': 'unknown item SUCCESS',
    'long-line': 'nproc 99 core 43008',
    'aligned-unlimited': '2222:2222 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'no prctl',
    'maxlogins-1': 'SUCCESS',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': 'inf:inf',
    'rest-of-line': '10:2222',
  },
  'linux-pam-1.5.2': {
    'nofile-unlimited': '1048576:1048576 SUCCESS',
    'nonewprivs': 'prctl SUCCESS',
    'missing-conf': 'SERVICE_ERR',
    'dangling-dropin': 'SERVICE_ERR core -',
    'rttime': '- (unknown item) SUCCESS',
    'root-exempt': 'root 50/7168/9216; alice 50/7168/-',
    'unconfigured': 'calls 1; nproc - nofile - cpu - nice -',
    'eperm': 'PERM_DENIED nofile 1111:2000000 EPERM nproc 55:4000',
    'chroot': 'unknown item SUCCESS',
    'long-line': 'nproc 99 core 43008',
    'aligned-unlimited': '2222:2222 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'prctl',
    'maxlogins-1': 'SUCCESS',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': 'inf:inf',
    'rest-of-line': '10:2222',
  },
  'linux-pam-1.7.0': {
    'nofile-unlimited': '1048576:1048576 SUCCESS',
    'nonewprivs': 'prctl SUCCESS',
    'missing-conf': 'SUCCESS',
    'dangling-dropin': 'SUCCESS core 5120:inf',
    'rttime': '- (unknown item) SUCCESS',
    'root-exempt': 'root 50/7168/9216; alice 50/7168/-',
    'unconfigured': 'calls 1; nproc - nofile - cpu - nice -',
    'eperm': 'PERM_DENIED nofile 1111:2000000 EPERM nproc 55:4000',
    'chroot': 'unknown item SUCCESS',
    'long-line': 'nproc 99 core -',
    'aligned-unlimited': '2222:2222 SUCCESS',
    'aligned-core': 'inf:inf',
    'aligned-nonewprivs': 'prctl',
    'maxlogins-1': 'SUCCESS (pam_limits(limitsctl-conformance:session): Maxlogin limit needs to be 2 or higher with systemd-logind)',
    'maxlogins-0': 'PERM_DENIED',
    'unlimited-trailing': '-',
    'rest-of-line': '10:2222',
  },
};

describe.skipIf(runnable.length === 0)('release traits of the real pam_limits.so modules', () => {
  let scratch = '';
  const matrix = new Map<ModuleId, Map<string, string>>();
  const subjects: Subject[] = [];
  const real = new Map<ModuleId, RealModuleResult[][]>();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'limitsctl-release-traits-'));
    const jobs = [];
    for (const c of CASES) {
      const dir = join(scratch, c.id);
      const tree = treeFor(c);
      await writeTree(dir, tree);
      jobs.push({ dir, users: c.users });
      subjects.push({ label: `case ${c.id}`, dir, users: c.users, text: () => formatTree(tree) });
    }
    for (const id of runnable) {
      const results = await runRealModuleBatch(jobs, { module: id });
      real.set(id, results);
      matrix.set(id, new Map(CASES.map((c, i) => [c.id, c.observe(results[i]!)])));
    }
    const lines = [
      `| behaviour | ${runnable.join(' | ')} |`,
      `|---|${runnable.map(() => '---').join('|')}|`,
      ...CASES.map((c) => `| ${c.title} | ${runnable.map((id) => matrix.get(id)!.get(c.id)!.replace(/\|/g, '\\|')).join(' | ')} |`),
    ];
    const text = `${lines.join('\n')}\n`;
    console.log(`real pam_limits.so release traits (${runnable.map((id) => moduleDescriptor(id).description).join('; ')}):\n${text}`);
    if (process.env.LIMITSCTL_TRAITS_MATRIX) writeFileSync(process.env.LIMITSCTL_TRAITS_MATRIX, text);
  }, 300_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it.each(runnable)('%s: resolveLimits under the module\'s profile predicts every session', (id) => {
    const { profile } = moduleDescriptor(id);
    const mismatches = findMismatches(subjects, real.get(id)!, profile);
    expect(mismatches.length, `${id}, profile ${profile}: ${formatReport(mismatches)}`).toBe(0);
  });

  it.each(runnable)('%s behaves as observed', (id) => {
    expect(Object.fromEntries(matrix.get(id)!)).toEqual(OBSERVED[id]);
  });
});
