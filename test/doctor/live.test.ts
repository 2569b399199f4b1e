/**
 * End to end on the running system, as root: a throwaway user whose fork() really fails.
 *
 * 1. useradd a uniquely named user;
 * 2. start its processes with a low nproc (prlimit lowers the limit — allowed without
 *    CAP_SYS_RESOURCE — then setpriv drops to the user) until the next fork fails with EAGAIN;
 *    bash run the same way reports "fork: Resource temporarily unavailable";
 * 3. `limitsctl doctor --user` names nproc, the count, the limit and the top command;
 * 4. raise the limit with `limitsctl set` on a test tree, open the next session through the real
 *    pam_limits.so (test/doctor/native/session.c, conf= pointing at the test tree) and show that it
 *    gets the new limit and can fork; doctor on that tree sees both generations.
 * Every process of the user is killed (by PID, found by uid) and the user deleted afterwards,
 * whatever happens. Elsewhere the suite is skipped with the reason printed.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, tempDir } from './helpers.js';

const LIMIT = 12;
const NEW_LIMIT = 64;
const EXTRA = 20;

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function skipReason(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return `needs root to create a throwaway user (running as uid ${process.getuid?.()})`;
  for (const tool of ['useradd', 'userdel', 'prlimit', 'setpriv', 'perl', 'bash']) if (!has(tool)) return `${tool} is not installed`;
  return null;
}

const reason = skipReason();
if (reason) console.log(`[doctor live test skipped] ${reason}`);

/** PIDs whose real uid is `uid`, from /proc. */
function pidsOf(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const m = readFileSync(`/proc/${name}/status`, 'latin1').match(/^Uid:\s+(\d+)\s+(\d+)/m);
      if (m && (Number(m[1]) === uid || Number(m[2]) === uid)) out.push(Number(name));
    } catch { /* vanished */ }
  }
  return out;
}

/** SIGKILL every process of `uid`, one PID at a time, until none is left. */
async function killUid(uid: number): Promise<number> {
  for (let round = 0; round < 100; round++) {
    const pids = pidsOf(uid);
    if (pids.length === 0) return round;
    for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    await sleep(50);
  }
  return -1;
}

/** Perl that forks children running `sleep` until a fork fails, then reports and waits. */
const FORK_UNTIL_FAIL = String.raw`
  $| = 1; my $n = 0;
  while ($n < 1000) {
    my $p = fork();
    if (!defined $p) { print "FORK FAILED after $n: $!\n"; last }
    if ($p == 0) { exec("sleep", "3600"); exit 1 }
    $n++;
  }
  print "READY\n"; sleep 3600;`;

/** Perl that prints its nproc limit, forks N sleepers, reports, and waits. */
const FORK_N = (n: number) => String.raw`
  $| = 1;
  open(my $f, "<", "/proc/self/limits") or die; while (<$f>) { print "LIMIT $1 $2\n" if /^Max processes\s+(\S+)\s+(\S+)/ }
  my $n = 0;
  for (1..${n}) { my $p = fork(); if (!defined $p) { print "FORK FAILED after $n: $!\n"; last } if ($p == 0) { exec("sleep", "3600"); exit 1 } $n++ }
  print "FORKED $n\n"; sleep 3600;`;

/** Spawn, and resolve with stdout once `until` matches it (or reject after a timeout). */
function startAndWait(cmd: string, args: string[], until: RegExp, ms = 20_000): Promise<{ child: ChildProcess; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not print ${until} within ${ms} ms; stdout: ${out}; stderr: ${err}`)), ms);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) { clearTimeout(timer); resolve({ child, out }); }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { if (!until.test(out)) { clearTimeout(timer); reject(new Error(`${cmd} exited ${code}; stdout: ${out}; stderr: ${err}`)); } });
  });
}

describe.skipIf(reason !== null)('live: a throwaway user whose fork() really fails', () => {
  const name = `ldoc${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let uid = -1;
  let gid = -1;
  let work = '';
  let tree = '';
  let created = false;

  beforeAll(() => {
    execFileSync('useradd', ['--no-create-home', '--user-group', '--shell', '/bin/sh', '--comment', 'limitsctl doctor live test', name]);
    created = true;
    uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    work = tempDir('limitsctl-doctor-live-');
    tree = path.join(work, 'tree');
    console.log(`[doctor live] user ${name} (uid ${uid}); work dir ${work}`);
  });

  afterAll(async () => {
    try {
      if (uid > 0) {
        const rounds = await killUid(uid);
        if (rounds < 0) console.log(`[doctor live] processes of uid ${uid} survived: ${pidsOf(uid).join(' ')}`);
      }
    } finally {
      if (created) {
        // userdel refuses while a process of the user still exists; give the kernel a moment
        for (let i = 0; i < 20; i++) {
          if (spawnSync('userdel', [name], { stdio: 'ignore' }).status === 0) break;
          await killUid(uid);
          await sleep(100);
        }
        if (spawnSync('getent', ['group', name], { stdio: 'ignore' }).status === 0) spawnSync('groupdel', [name], { stdio: 'ignore' });
        expect(spawnSync('getent', ['passwd', name], { stdio: 'ignore' }).status).not.toBe(0);
      }
      if (work) rmSync(work, { recursive: true, force: true });
      expect(pidsOf(uid)).toEqual([]);
    }
  }, 60_000);

  const asUser = (limit: number, ...cmd: string[]) => ['prlimit', [`--nproc=${limit}:${limit}`, '--', 'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...cmd]] as const;

  it(`with nproc ${LIMIT}, the ${LIMIT + 1}th task cannot be created: EAGAIN`, async () => {
    const [cmd, args] = asUser(LIMIT, 'perl', '-e', FORK_UNTIL_FAIL);
    const { out } = await startAndWait(cmd, [...args], /READY/);
    expect(out).toContain(`FORK FAILED after ${LIMIT - 1}: Resource temporarily unavailable`);
    expect(pidsOf(uid)).toHaveLength(LIMIT);
  }, 30_000);

  it('bash as that user reports the classic "fork: Resource temporarily unavailable"', () => {
    // bash retries a failing fork for ~15 s before it gives up
    const [cmd, args] = asUser(LIMIT, 'bash', '-c', 'for i in 1 2; do sleep 1 & done; wait');
    const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: 40_000 });
    console.log(`[doctor live] bash: ${r.stderr.trim().split('\n').pop()}`);
    expect(r.stderr).toMatch(/bash: fork: (retry: )?Resource temporarily unavailable/);
  }, 45_000);

  it('doctor --user names nproc, the count, the limit and the top command; exit 1', () => {
    const text = cli(['doctor', '--user', name]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`nproc exhausted: ${name} runs ${LIMIT} tasks and the limit is ${LIMIT} — fork\\(\\) fails with EAGAIN`));
    expect(text.stdout).toMatch(new RegExp(`^ +${LIMIT - 1} × sleep +${LIMIT - 1} proc`, 'm'));
    const r = cli(['doctor', '--user', name, '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe('exhausted');
    expect(j.findings[0]).toMatchObject({ id: 'nproc-exhausted', usage: { used: LIMIT, limit: LIMIT } });
    expect(j.nproc).toMatchObject({ tasks: LIMIT, processes: LIMIT, bindingSoft: LIMIT });
    expect(j.nproc.topCommands[0]).toMatchObject({ command: 'sleep', processes: LIMIT - 1 });
    // started by prlimit/setpriv, not through PAM: the configuration never applied to them
    expect(j.nproc.runningLimits[0]).toMatchObject({ soft: LIMIT, hard: LIMIT });
    console.log(`[doctor live] doctor: ${j.verdict} (cgroup ${j.cgroups.version}, systemd ${j.systemd.running ? 'running' : 'not running'})`);
  });

  it(`limitsctl set raises it on a test tree; the next session (real pam_limits) gets ${NEW_LIMIT} and can fork`, async () => {
    mkdirSync(path.join(tree, 'etc/security'), { recursive: true });
    writeFileSync(path.join(tree, 'etc/security/limits.conf'), '# limitsctl doctor live test\n');
    writeFileSync(path.join(tree, 'etc/passwd'), execFileSync('getent', ['passwd', name], { encoding: 'utf8' }));
    writeFileSync(path.join(tree, 'etc/group'), execFileSync('getent', ['group', name], { encoding: 'utf8' }));
    writeFileSync(path.join(tree, 'etc/os-release'), readFileSync('/etc/os-release'));
    const set = cli(['set', 'nproc', String(NEW_LIMIT), '--user', name, '--root', tree]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(readFileSync(path.join(tree, 'etc/security/limits.conf'), 'utf8')).toMatch(new RegExp(`^${name}\\s+-\\s+nproc\\s+${NEW_LIMIT}$`, 'm'));
    expect(cli(['get', 'nproc', '--user', name, '--root', tree]).stdout).toMatch(new RegExp(`soft ${NEW_LIMIT} .*hard ${NEW_LIMIT}`));

    // the next session: the real pam_limits.so reads the test tree (conf=), then the user forks
    const session = buildSessionOpener(work);
    let out: string;
    if (session) {
      const confdir = path.join(work, 'pam.d');
      mkdirSync(confdir, { recursive: true });
      writeFileSync(path.join(confdir, 'limitsctl-doctor-live'), `session required pam_limits.so conf=${path.join(tree, 'etc/security/limits.conf')}\n`);
      ({ out } = await startAndWait(session, [confdir, 'limitsctl-doctor-live', name, 'perl', '-e', FORK_N(EXTRA)], /FORKED \d+/));
    } else {
      console.log('[doctor live] gcc or the PAM headers are missing: starting the next session with prlimit and the value `limitsctl get` reports');
      const [cmd, args] = asUser(NEW_LIMIT, 'perl', '-e', FORK_N(EXTRA));
      ({ out } = await startAndWait(cmd, [...args], /FORKED \d+/));
    }
    console.log(`[doctor live] next session (${session ? 'real pam_limits.so, conf= the test tree' : 'prlimit fallback'}): ${out.trim().split('\n').join('; ')}`);
    expect(out).toContain(`LIMIT ${NEW_LIMIT} ${NEW_LIMIT}`);
    expect(out).toContain(`FORKED ${EXTRA}`);
    expect(out).not.toContain('FORK FAILED');

    // doctor on the test tree with the live /proc: both generations, and which one matches
    const j = JSON.parse(cli(['doctor', '--root', tree, '--proc', '/proc', '--sys', '/sys', '--user', name, '--json']).stdout);
    expect(j.nproc.configured).toMatchObject({ soft: NEW_LIMIT, hard: NEW_LIMIT, softFrom: { file: 'etc/security/limits.conf', line: 2, domain: name } });
    expect(j.nproc.tasks).toBe(LIMIT + 1 + EXTRA);
    const groups = j.nproc.runningLimits.map((g: { soft: number; matchesConfig: boolean; processes: number }) => [g.soft, g.matchesConfig, g.processes]);
    expect(groups).toEqual([[LIMIT, false, LIMIT], [NEW_LIMIT, true, 1 + EXTRA]]);
    // the old processes are still stuck; the fix is a new session, not another edit
    const f = j.findings.find((x: { id: string }) => x.id === 'nproc-exhausted');
    expect(f.fixes.map((x: { description: string }) => x.description).join('\n')).toMatch(new RegExp(`configuration already allows more \\(soft nproc ${NEW_LIMIT}, `));
  }, 60_000);
});

/** Compile test/doctor/native/session.c; null when gcc or libpam's headers are missing. */
function buildSessionOpener(dir: string): string | null {
  if (!has('gcc')) return null;
  const out = path.join(dir, 'session');
  const r = spawnSync('gcc', ['-O1', '-Wall', '-o', out, path.join(REPO, 'test/doctor/native/session.c'), '-lpam'], { encoding: 'utf8' });
  return r.status === 0 ? out : null;
}
