/** `limitsctl doctor` through the built CLI (bin/limitsctl.js → dist/) on the snapshot fixtures. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, FIX, scenario } from './helpers.js';

const tree = (name: string) => path.join(FIX, name);

describe('limitsctl doctor (built CLI)', () => {
  let mux: { root: string; cleanup: () => void };
  beforeAll(() => { mux = scenario('mux'); });
  afterAll(() => mux.cleanup());

  it('mux: names nproc, the count, the limit, the line and the top command; exit 1', () => {
    const r = cli(['doctor', '--root', mux.root, '--user', 'admin']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^EXHAUSTED {2}nproc exhausted: admin runs 1,024 tasks and the limit is 1,024 — fork\(\) fails with EAGAIN$/m);
    expect(r.stdout).toMatch(/CRITICAL nproc exhausted/);
    expect(r.stdout).toMatch(/configured {5}soft 1024 \(etc\/security\/limits\.d\/90-nproc\.conf:5 \*\)/);
    expect(r.stdout).toMatch(/^ +512 × ssh: … \[mux\] +512 proc {2}← SSH multiplexing masters/m);
    expect(r.stdout).toContain(`$ limitsctl set nproc 4096 --user admin --type soft --at-least --root ${mux.root} --dry-run`);
  });

  it('mux --json: the documented envelope', () => {
    const r = cli(['doctor', '--root', mux.root, '--user', 'admin', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 2, tool: { name: 'limitsctl' }, status: 'exhausted', exitCode: 1, user: { name: 'admin', uid: 1000 }, profile: 'debian-12' });
    expect(Object.keys(j)).toEqual(['version', 'tool', 'status', 'exitCode', 'verdict', 'user', 'profile', 'sources', 'findings', 'nproc', 'system', 'cgroups', 'systemd', 'pam', 'sshd', 'problems']);
    expect(j.findings[0]).toMatchObject({ id: 'nproc-exhausted', severity: 'critical', usage: { used: 1024, limit: 1024, percent: 100, unit: 'tasks' } });
    expect(j.nproc.configured).toMatchObject({ soft: 1024, hard: 63445, softFrom: { file: 'etc/security/limits.d/90-nproc.conf', line: 5, domain: '*' } });
    expect(j.nproc.topCommands[0]).toMatchObject({ command: 'ssh: … [mux]', processes: 512, tasks: 512, hint: 'ssh-mux' });
    expect(j.nproc.runningLimits[0]).toMatchObject({ soft: 1024, hard: 63445, percent: 100, matchesConfig: true });
    expect(j.cgroups.version).toBe('v2');
    expect(j.pam.services.find((s: { service: string }) => s.service === 'sshd').pamLimits[0]).toMatchObject({ file: 'etc/pam.d/sshd', line: 13, control: 'required' });
  });

  it('a snapshot without sys/ reads no live /sys and says what is missing', () => {
    const s = scenario('no-sys');
    try {
      const j = JSON.parse(cli(['doctor', '--root', s.root, '--user', 'admin', '--json']).stdout);
      expect(j.sources.sys).toBe(path.join(s.root, 'sys'));
      expect(j.cgroups.version).toBe('none'); // this machine's /sys has cgroups; the snapshot has none
      expect(j.cgroups.nodes.filter((n: { pidsMax: unknown }) => n.pidsMax !== null)).toEqual([]);
      expect(j.problems[0]).toMatch(/^the snapshot has no sys\/ \(.*\/sys\): cgroup pids limits .* were not read, and the live \/sys is not read/);
      expect(j.findings.map((f: { id: string }) => f.id)).toEqual(['proc-unreadable']);
      // --sys names a directory explicitly, the live one included
      const live = JSON.parse(cli(['doctor', '--root', s.root, '--sys', '/sys', '--user', 'admin', '--json']).stdout);
      expect(live.sources.sys).toBe('/sys');
      expect(live.problems.join('\n')).not.toMatch(/no sys\//);
    } finally {
      s.cleanup();
    }
  });

  it('a snapshot without proc/ is refused (exit 2), naming what is missing, instead of reading the live /proc', () => {
    const s = scenario('no-sys');
    try {
      rmSync(path.join(s.root, 'proc'), { recursive: true });
      const r = cli(['doctor', '--root', s.root, '--user', 'admin']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/has no proc\/: doctor reads no live \/proc for a snapshot.*--proc DIR/);
    } finally {
      s.cleanup();
    }
  });

  it('fatal-missing: SESSIONS FAIL, exit 1, never OK', () => {
    const s = scenario('fatal-missing');
    try {
      const r = cli(['doctor', '--root', s.root, '--user', 'admin']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^SESSIONS FAIL {2}Every session through sshd, login, sudo/m);
      expect(r.stdout).not.toMatch(/^OK /m);
      const j = JSON.parse(cli(['doctor', '--root', s.root, '--user', 'admin', '--json']).stdout);
      expect(j).toMatchObject({ status: 'sessions-fail', exitCode: 1 });
    } finally {
      s.cleanup();
    }
  });

  it('healthy: exit 0', () => {
    const r = cli(['doctor', '--root', tree('healthy'), '--user', 'admin']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK {2}No limit is near/m);
  });

  it('stale: near the service\'s limit, exit 1, the drop-in to write', () => {
    const r = cli(['doctor', '--root', tree('stale'), '--user', 'admin']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NEAR LIMIT {2}nproc nearly exhausted: admin runs 497 of 512 tasks \(97 %\)/m);
    expect(r.stdout).toContain('# /etc/systemd/system/myapp.service.d/60-nproc.conf');
    expect(r.stdout).toMatch(/512:512 +2 proc +484 tasks +97 % +myapp\.service +≠ configured/);
  });

  it('system: pid_max, threads-max, cgroup and ENOMEM findings, exit 1', () => {
    const j = JSON.parse(cli(['doctor', '--root', tree('system'), '--user', 'admin', '--json']).stdout);
    expect(j.status).toBe('near-limit');
    expect(j.findings.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['commit-limit', 'cgroup-pids', 'pid-max', 'threads-max', 'low-memory', 'zombies', 'logind-user-tasks-max']));
  });

  it('pam: the table of login paths; exit 0', () => {
    const r = cli(['doctor', '--root', tree('pam'), '--user', 'alice']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}runuser +NO /m);
    expect(r.stdout).toMatch(/^ {2}sshd +yes .*UsePAM no \(etc\/ssh\/sshd_config\.d\/40-hardening\.conf:2\)/m);
    expect(r.stdout).toMatch(/^ {2}su-l +yes .*via su-l → su → system-auth/m);
  });

  it('--proc and --sys point anywhere; a bad one is a usage error (exit 2)', () => {
    const r = cli(['doctor', '--root', tree('healthy'), '--proc', path.join(mux.root, 'proc'), '--sys', path.join(mux.root, 'sys'), '--user', 'admin', '--json']);
    expect(JSON.parse(r.stdout).nproc.tasks).toBe(1024);
    const bad = cli(['doctor', '--root', tree('healthy'), '--proc', '/nonexistent/proc', '--user', 'admin']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--proc \/nonexistent\/proc cannot be listed \(ENOENT\)/);
    const nouser = cli(['doctor', '--root', tree('healthy'), '--user', 'nosuchuser']);
    expect(nouser.code).toBe(2);
    expect(nouser.stderr).toMatch(/unknown user 'nosuchuser'/);
  });

  it('without --user: SUDO_USER', () => {
    const r = cli(['doctor', '--root', tree('healthy'), '--json'], { env: { SUDO_USER: 'admin' } });
    expect(JSON.parse(r.stdout).user.name).toBe('admin');
  });

  it('colour only when asked', () => {
    expect(cli(['doctor', '--root', tree('healthy'), '--user', 'admin']).stdout).not.toContain('\u001b[');
    expect(cli(['doctor', '--root', tree('healthy'), '--user', 'admin', '--color']).stdout).toContain('\u001b[');
  });
});
