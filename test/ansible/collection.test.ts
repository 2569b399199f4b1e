/**
 * The Ansible collection (limitsctl.pam.limits, planned on the controller) driven by a real
 * ansible-playbook, forks 4, over four chroot hosts that have NO node and NO python: private copies
 * of the Debian 11, 12 and 13 trees .ci/hosts.sh builds with debootstrap --variant=minbase, reached
 * through community.general.chroot (via fixtures/ansible/connection_plugins/race_chroot.py, which
 * adds a log of every command and a one-shot concurrent writer) with the kernel's /proc mounted in
 * each chroot (fixtures/ansible/chroot-proc, as on a running host), gather_facts: false.
 *
 *   deb11-rhel  bullseye, a RHEL-style limits.d/90-nproc.conf (`*  soft  nproc  4096`)
 *   deb12-nonl  bookworm, limits.conf whose last line (a limit) has no final newline
 *   deb12-link  bookworm, etc/security/limits.conf a symlink to ../../srv/limits/limits.conf
 *   deb13-race  trixie, another writer appends a line between the first task's read and write
 *
 * 1. --check --diff: every host reports changes with diffs naming the real files; not one byte,
 *    mode, owner or mtime changes anywhere in the trees;
 * 2. apply (fixtures/ansible/collection/limits.yml): each task changes each host, writes only the
 *    limits files (modes, owners and the symlink kept), one read and at most one write command per
 *    task (the raced task re-plans: read and write again, keeping the other writer's line), and the
 *    REAL pam_limits of each chroot (`chroot DIR runuser -l USER -c 'ulimit …'`) gives the values;
 * 3. a re-run reports changed=0 and touches nothing;
 * 4. a query run returns the effective values pam_limits gives.
 * LIMITSCTL_COLLECTIONS_PATH runs it against an installed collection (e.g. `ansible-galaxy collection
 * install` of the built tarball) with the planner of LIMITSCTL_PATH or this checkout.
 * Skips (with the reason) when not root or without ansible / the hosts / the collection; fails
 * instead under LIMITSCTL_REQUIRE_ANSIBLE=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changedPaths, CHROOT, chrootSkipReason, COLLECTIONS, CONNECTION_PLUGINS, copyHost, type Entry, HOSTS_DIR, inChroot, PLAYBOOKS, sessionLimits,
  snapshotTree, type Suite, type Ulimits,
} from './collection-helpers.js';
import { ansibleEnv, REPO } from './helpers.js';

const skipReason = chrootSkipReason('Ansible collection tests (chroot hosts)');

interface Host { name: string; suite: Suite; profile: string }
const HOSTS: Host[] = [
  { name: 'deb11-rhel', suite: 'bullseye', profile: 'debian-11' },
  { name: 'deb12-nonl', suite: 'bookworm', profile: 'debian-12' },
  { name: 'deb12-link', suite: 'bookworm', profile: 'debian-12' },
  { name: 'deb13-race', suite: 'trixie', profile: 'debian-13' },
];
const RACE_HOST = 'deb13-race';
const RACE_LINE = 'racer           -       nofile          2345';
const CAROL_NPROC = 'carol           hard    nproc           4096';
const CAROL_NOFILE = 'carol           -       nofile          3000';
const RHEL_90 = "# Default limit for number of user's processes to prevent\n# accidental fork bombs.\n# See rhbz #432903 for reasoning.\n\n*          soft    nproc     4096\n";
const USERS = ['alice', 'bob', 'carol', 'deploy', 'dave', 'racer'] as const;
/** The files (and their directories) an apply may change on each host: nothing else. */
const MAY_CHANGE: Record<string, string[]> = {
  'deb11-rhel': ['etc/security', 'etc/security/limits.conf', 'etc/security/limits.d', 'etc/security/limits.d/90-nproc.conf'],
  'deb12-nonl': ['etc/security', 'etc/security/limits.conf'],
  'deb12-link': ['srv/limits', 'srv/limits/limits.conf'],
  'deb13-race': ['etc/security', 'etc/security/limits.conf'],
};
/** What the query is compared on: the limits the hosts' lines set (an account's other limits come
 * from the process that starts the session, which the query cannot see). */
const QUERIED: Record<string, [item: string, half: 'soft' | 'hard', ulimit: keyof Ulimits][]> = {
  alice: [['nofile', 'soft', 'nofileSoft'], ['nofile', 'hard', 'nofileHard'], ['nproc', 'soft', 'nprocSoft']],
  bob: [['nofile', 'soft', 'nofileSoft'], ['nofile', 'hard', 'nofileHard'], ['nproc', 'soft', 'nprocSoft']],
  deploy: [['nofile', 'soft', 'nofileSoft'], ['nofile', 'hard', 'nofileHard'], ['core', 'hard', 'coreHard'], ['nproc', 'soft', 'nprocSoft']],
  carol: [['nproc', 'soft', 'nprocSoft'], ['nproc', 'hard', 'nprocHard']],
  dave: [['nproc', 'soft', 'nprocSoft']],
};
const CONTENT_DIRS = ['etc', 'srv', 'root', 'tmp', 'var/tmp', 'home'];

let tmp = '';
let connLog = '';
const rootOf = (h: string) => path.join(tmp, 'hosts', h);
const timings: Record<string, number> = {};

/** The users and traps of one host (useradd inside the chroot, as on a real machine). */
function prepare(h: Host): void {
  const root = rootOf(h.name);
  inChroot(root, 'groupadd developers && for u in alice bob carol deploy dave racer; do useradd -m -s /bin/bash "$u"; done && usermod -a -G developers bob');
  const conf = path.join(root, 'etc/security/limits.conf');
  const text = readFileSync(conf, 'latin1');
  expect(text.endsWith('# End of file\n'), `${h.suite}'s limits.conf ends with "# End of file"`).toBe(true);
  const body = text.slice(0, -'# End of file\n'.length);
  if (h.name === 'deb12-nonl') writeFileSync(conf, `${body}${CAROL_NOFILE}\n${CAROL_NPROC}`, 'latin1');
  else writeFileSync(conf, `${body}${CAROL_NOFILE}\n${CAROL_NPROC}\n# End of file\n`, 'latin1');
  if (h.name === 'deb11-rhel') writeFileSync(path.join(root, 'etc/security/limits.d/90-nproc.conf'), RHEL_90);
  if (h.name === 'deb12-link') {
    mkdirSync(path.join(root, 'srv/limits'), { recursive: true });
    renameSync(conf, path.join(root, 'srv/limits/limits.conf'));
    symlinkSync('../../srv/limits/limits.conf', conf);
  }
}

interface Run { code: number; out: AnsibleJson; stderr: string }
interface AnsibleJson {
  plays: { tasks: { task: { name: string }; hosts: Record<string, TaskResult> }[] }[];
  stats: Record<string, { changed: number; failures: number; unreachable: number; ok: number }>;
}
interface TaskResult {
  changed?: boolean; failed?: boolean; msg?: string; warnings?: string[]; profile?: unknown;
  diff?: { before_header?: string; after_header?: string; before?: string; after?: string }[] | { before_header?: string; after_header?: string };
  limits?: Record<string, Record<string, { soft?: unknown; hard?: unknown }>>;
}

function playbook(name: string, file: string, args: string[], extraEnv: Record<string, string> = {}): Run {
  const inventory = path.join(tmp, 'inventory.ini');
  const t0 = performance.now();
  const r = spawnSync('ansible-playbook', ['-i', inventory, '-f', '4', ...args, file], {
    cwd: tmp, encoding: 'utf8', maxBuffer: 256 << 20,
    env: ansibleEnv(tmp, {
      ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
      ANSIBLE_CONNECTION_PLUGINS: CONNECTION_PLUGINS,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      LIMITSCTL_CONN_LOG: connLog,
      // an installed copy (LIMITSCTL_COLLECTIONS_PATH) is not inside a checkout: name the planner's checkout
      ...(process.env.LIMITSCTL_COLLECTIONS_PATH ? { LIMITSCTL_PATH: process.env.LIMITSCTL_PATH ?? REPO } : {}),
      ...extraEnv,
    }),
  });
  timings[name] = performance.now() - t0;
  let out: AnsibleJson;
  try {
    out = JSON.parse(r.stdout) as AnsibleJson;
  } catch {
    throw new Error(`${name}: ansible-playbook exited ${r.status} without JSON output:\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.status ?? -1, out, stderr: r.stderr };
}
const results = (run: Run, host: string) => run.out.plays.flatMap((p) => p.tasks.map((t) => ({ name: t.task.name, r: t.hosts[host]! })));
const failures = (run: Run) => Object.entries(run.out.stats).filter(([, s]) => s.failures || s.unreachable)
  .map(([h]) => `${h}: ${results(run, h).filter((x) => x.r?.failed).map((x) => `${x.name}: ${x.r.msg}`).join('; ')}`);
const diffHeaders = (r: TaskResult) => (Array.isArray(r.diff) ? r.diff : r.diff ? [r.diff] : []).flatMap((d) => [d.before_header, d.after_header]).filter(Boolean) as string[];
/** Commands per task (worker pid) for each host, from the connection log, in log order. */
function commandLog(): Map<string, { pid: string; n: number; race: boolean }[]> {
  const byHost = new Map<string, Map<string, { pid: string; n: number; race: boolean }>>();
  for (const line of existsSync(connLog) ? readFileSync(connLog, 'utf8').split('\n').filter(Boolean) : []) {
    const [dir, pid, n, status] = line.split('\t') as [string, string, string, string];
    const host = path.basename(dir);
    if (!byHost.has(host)) byHost.set(host, new Map());
    const m = byHost.get(host)!;
    const e = m.get(pid) ?? { pid, n: 0, race: false };
    e.n = Math.max(e.n, Number(n));
    if (status === 'race') e.race = true;
    m.set(pid, e);
  }
  return new Map([...byHost].map(([h, m]) => [h, [...m.values()]]));
}

const snapshots = () => Object.fromEntries(HOSTS.map((h) => [h.name, snapshotTree(rootOf(h.name), CONTENT_DIRS)]));
const allLimits = () => Object.fromEntries(HOSTS.map((h) => [h.name, Object.fromEntries(USERS.map((u) => [u, sessionLimits(rootOf(h.name), u)]))])) as Record<string, Record<string, Ulimits>>;

describe.skipIf(skipReason !== null)('limitsctl.pam.limits over chroot hosts without node', () => {
  let before: Record<string, Record<string, Ulimits>> = {};
  let afterApply: Record<string, Map<string, Entry>> = {};
  let applied: Run;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-collection-'));
    mkdirSync(path.join(tmp, 'hosts'));
    mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
    writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
    connLog = path.join(tmp, 'connection.log');
    const t0 = performance.now();
    for (const h of HOSTS) copyHost(h.suite, rootOf(h.name));
    timings['copy 4 hosts'] = performance.now() - t0;
    for (const h of HOSTS) prepare(h);
    writeFileSync(path.join(tmp, 'inventory.ini'), [
      '[chroots]',
      ...HOSTS.map((h) => `${h.name} ansible_host=${rootOf(h.name)}${h.name === RACE_HOST ? ' race_host=true' : ''}`),
      '[chroots:vars]',
      'ansible_connection=race_chroot',
      `ansible_chroot_exe=${CHROOT}`,
      '',
    ].join('\n'));
    before = allLimits();
  }, 300_000);

  afterAll(() => {
    console.log(`collection tests (hosts from ${HOSTS_DIR}): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the hosts have neither node nor python, and pam_limits reads their trees', () => {
    for (const h of HOSTS) {
      const found = inChroot(rootOf(h.name), 'for p in node nodejs python python3; do command -v "$p" || true; done');
      expect(found, `${h.name}: node or python found`).toBe('');
      // the traps are in force before any change: pam_limits reads carol's lines and the RHEL file
      expect(before[h.name]!.carol!).toMatchObject({ nofileSoft: '3000', nofileHard: '3000', nprocHard: '4096' });
      if (h.name === 'deb11-rhel') expect(before[h.name]!.alice!.nprocSoft).toBe('4096');
      // and the values the playbook asks for are not there yet (the checks below can fail)
      expect(before[h.name]!.alice!.nofileSoft).not.toBe('8192');
      expect(before[h.name]!.deploy!.coreHard).not.toBe('0');
    }
  });

  it('--check --diff reports the changes with real paths and writes nothing', () => {
    const snap = snapshots();
    const run = playbook('check', path.join(PLAYBOOKS, 'limits.yml'), ['--check', '--diff']);
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    for (const h of HOSTS) {
      expect(changedPaths(snap[h.name]!, snapshotTree(rootOf(h.name), CONTENT_DIRS)), `${h.name}: changed by --check`).toEqual([]);
      expect(run.out.stats[h.name]!.changed, `${h.name}: tasks reported changed`).toBe(6);
      const rs = results(run, h.name);
      const confHeaders = diffHeaders(rs[0]!.r);
      expect(confHeaders.some((x) => (h.name === 'deb12-link' ? /\/(etc\/security|srv\/limits)\/limits\.conf/ : /\/etc\/security\/limits\.conf/).test(x)), `${h.name}: ${JSON.stringify(confHeaders)}`).toBe(true);
      if (h.name === 'deb11-rhel') expect(diffHeaders(rs[3]!.r).some((x) => x.includes('/etc/security/limits.d/90-nproc.conf'))).toBe(true);
    }
    expect(readFileSync(connLog, 'utf8')).not.toMatch(/\trace$/m);
  }, 300_000);

  it('apply: every host changes, only its limits files, and the real pam_limits gives the values', () => {
    const snap = snapshots();
    rmSync(connLog, { force: true });
    applied = playbook('apply', path.join(PLAYBOOKS, 'limits.yml'), [], {
      LIMITSCTL_RACE_FILE: 'etc/security/limits.conf', LIMITSCTL_RACE_MARK: path.join(tmp, 'race.mark'), LIMITSCTL_RACE_LINE: RACE_LINE,
    });
    expect(failures(applied)).toEqual([]);
    expect(applied.code).toBe(0);
    afterApply = snapshots();
    const log = commandLog();
    for (const h of HOSTS) {
      const root = rootOf(h.name);
      expect(applied.out.stats[h.name]!.changed, `${h.name}: tasks changed`).toBe(6);
      expect(JSON.stringify(results(applied, h.name)[0]!.r.profile), `${h.name}: profile`).toContain(h.profile);
      // only the limits files (and their directories, for the rename) changed: no temp file left
      const changed = changedPaths(snap[h.name]!, afterApply[h.name]!);
      expect(changed.filter((p) => !MAY_CHANGE[h.name]!.includes(p)), `${h.name}: unexpected changes`).toEqual([]);
      const real = h.name === 'deb12-link' ? 'srv/limits/limits.conf' : 'etc/security/limits.conf';
      expect(changed).toContain(real);
      const st = statSync(path.join(root, real));
      expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o644, 0, 0]);
      // one read and at most one write command per task; the raced task read and wrote again
      const tasks = log.get(h.name) ?? [];
      expect(tasks.length, `${h.name}: tasks in the command log`).toBe(6);
      for (const t of tasks) expect(t.n, `${h.name}: commands of one task`).toBeLessThanOrEqual(t.race ? 4 : 2);
      expect(tasks.filter((t) => t.race).length).toBe(h.name === RACE_HOST ? 1 : 0);
    }
    // the raced task re-planned: read + write, then read + write again
    const raced = log.get(RACE_HOST)!.find((t) => t.race)!;
    expect(raced.n).toBe(4);
    // traps: the symlink is still the same symlink; the line without a newline is intact
    expect(afterApply['deb12-link']!.get('etc/security/limits.conf')).toEqual(snap['deb12-link']!.get('etc/security/limits.conf'));
    const nonl = readFileSync(path.join(rootOf('deb12-nonl'), 'etc/security/limits.conf'), 'latin1');
    expect(nonl).toContain(`\n${CAROL_NPROC}\n`);
    expect(nonl.endsWith('\n')).toBe(true);
    expect(readFileSync(path.join(rootOf(RACE_HOST), 'etc/security/limits.conf'), 'latin1')).toContain(`${RACE_LINE}\n`);

    const after = allLimits();
    for (const h of HOSTS) {
      const got = after[h.name]!;
      const dave = before[h.name]!.dave!;
      expect(got.alice, h.name).toMatchObject({ nofileSoft: '8192', nofileHard: '8192', nprocSoft: '2048' });
      expect(got.bob, h.name).toMatchObject({ nofileSoft: '4096', nofileHard: '16384', nprocSoft: '2048' });
      expect(got.deploy, h.name).toMatchObject({ nofileSoft: '12288', nofileHard: '12288', coreHard: '0', nprocSoft: '2048' });
      // carol's nofile line is gone (she gets what an account without lines gets); her nproc line stays
      expect(got.carol, h.name).toMatchObject({ nofileSoft: dave.nofileSoft, nofileHard: dave.nofileHard, nprocHard: '4096', nprocSoft: '2048' });
      expect(got.dave, h.name).toMatchObject({ nofileSoft: dave.nofileSoft, nofileHard: dave.nofileHard, nprocSoft: '2048' });
      // the other writer's line was kept
      expect(got.racer, h.name).toMatchObject(h.name === RACE_HOST ? { nofileSoft: '2345', nofileHard: '2345' } : { nofileSoft: dave.nofileSoft });
    }
  }, 300_000);

  it('a re-run reports changed=0 and touches nothing', () => {
    expect(applied, 'the apply test ran').toBeDefined();
    rmSync(connLog, { force: true });
    const run = playbook('re-run', path.join(PLAYBOOKS, 'limits.yml'), []);
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    const log = commandLog();
    for (const h of HOSTS) {
      expect(run.out.stats[h.name]!.changed, h.name).toBe(0);
      expect(changedPaths(afterApply[h.name]!, snapshotTree(rootOf(h.name), CONTENT_DIRS)), h.name).toEqual([]);
      // nothing to write: one command (the read) per task
      expect((log.get(h.name) ?? []).map((t) => t.n), h.name).toEqual([1, 1, 1, 1, 1, 1]);
    }
  }, 300_000);

  it('a query run returns the effective values the real pam_limits gives', () => {
    expect(applied, 'the apply test ran').toBeDefined();
    const run = playbook('query', path.join(PLAYBOOKS, 'query.yml'), []);
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    const session = allLimits();
    for (const h of HOSTS) {
      expect(run.out.stats[h.name]!.changed, h.name).toBe(0);
      expect(changedPaths(afterApply[h.name]!, snapshotTree(rootOf(h.name), CONTENT_DIRS)), h.name).toEqual([]);
      const limits = results(run, h.name)[0]!.r.limits;
      expect(limits, `${h.name}: no 'limits' in the query result`).toBeDefined();
      const str = (v: unknown) => (v === -1 || v === 'infinity' ? 'unlimited' : String(v));
      for (const [u, checks] of Object.entries(QUERIED)) {
        const s = session[h.name]![u]!;
        const q = limits![u];
        expect(q, `${h.name}: no ${u} in the query result`).toBeDefined();
        expect(checks.map(([item, half]) => str(q![item]?.[half])), `${h.name} ${u}: ${checks.map((c) => c.join('.')).join(', ')}`)
          .toEqual(checks.map(([, , k]) => s[k]));
      }
    }
  }, 300_000);
});
