/**
 * Each snapshot fixture under fixtures/doctor, diagnosed by the core function (facts read by
 * src/io/live.ts, findings by src/core/doctor.ts). cli.test.ts runs the same trees through the
 * built CLI.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, Finding } from '../../src/core/doctor.js';
import { doctorOn, FIX, ids, scenario } from './helpers.js';

function find(r: DoctorReport, id: string): Finding {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}; have ${ids(r).join(', ')}`);
  return f;
}

describe('healthy: nothing near a limit', () => {
  const r = doctorOn(path.join(FIX, 'healthy'), 'admin');
  it('exit 0, status ok, no warning', () => {
    expect(r.status).toBe('ok');
    expect(r.exitCode).toBe(0);
    expect(r.findings.filter((f) => f.severity === 'critical' || f.severity === 'warning')).toEqual([]);
    expect(r.verdict).toMatch(/No limit is near: admin runs 4 tasks of 1,024 allowed/);
  });
  it('counts admin\'s tasks and reads the configured nproc with provenance', () => {
    expect(r.nproc.tasks).toBe(4);
    expect(r.nproc.processes).toBe(4);
    const c = r.nproc.configured!;
    expect(c.soft).toBe(1024n);
    expect(c.softFrom).toEqual({ file: 'etc/security/limits.d/90-nproc.conf', line: 5, domain: '*' });
    expect(c.hard).toBe(63445n); // Debian: PID 1's limit
    expect(c.hardOrigin).toMatch(/PID 1/);
    expect(r.nproc.limitGroups).toHaveLength(1);
    expect(r.nproc.limitGroups[0]!.matchesConfig).toBe(true);
  });
  it('finds pam_limits in every login path, through @include where needed', () => {
    const byName = new Map(r.pam.services.map((s) => [s.service, s]));
    for (const s of ['sshd', 'login', 'su', 'su-l', 'sudo', 'runuser', 'runuser-l', 'cron', 'systemd-user']) {
      expect(byName.get(s)?.hits.length, s).toBeGreaterThan(0);
    }
    expect(byName.get('su-l')!.hits[0]!.via).toEqual(['su-l', 'su']);
    expect(byName.get('common-session')!.hits).toEqual([]);
    expect(r.sshd.usePamEffective).toBe(true);
    expect(r.sshd.usePam).toEqual({ value: 'yes', file: 'etc/ssh/sshd_config', line: 5 });
    expect(r.pam.module).toBe('lib/x86_64-linux-gnu/security/pam_limits.so');
  });
  it('cgroup v2: the user slice and its TasksMax from the vendor drop-in', () => {
    expect(r.cgroups.version).toBe('v2');
    const slice = r.cgroups.nodes.find((n) => n.kind === 'user-slice')!;
    expect(slice).toMatchObject({ path: '/user.slice/user-1000.slice', pidsMax: 41873n, pidsCurrent: 5n });
    expect(r.systemd.running).toBe(true);
    expect(r.systemd.userSliceTasksMax).toMatchObject({ value: '33%', file: 'usr/lib/systemd/system/user-.slice.d/10-defaults.conf' });
    expect(r.systemd.userSliceTasksMaxResolved).toBe(41873); // 33 % of min(pid_max, threads-max)
  });
  it('root is exempt from nproc', () => {
    const root = doctorOn(path.join(FIX, 'healthy'), 'root');
    expect(ids(root)).toContain('nproc-root-exempt');
    expect(root.exitCode).toBe(0);
  });
});

describe('mux: 512 SSH multiplexing masters exhaust nproc (generated bulk)', () => {
  let r: DoctorReport;
  let cleanup = () => {};
  beforeAll(() => {
    const s = scenario('mux');
    cleanup = s.cleanup;
    r = doctorOn(s.root, 'admin');
  });
  afterAll(() => cleanup());

  it('nproc exhausted: 1024 tasks, limit 1024, critical, exit 1', () => {
    expect(r.status).toBe('exhausted');
    expect(r.exitCode).toBe(1);
    const f = find(r, 'nproc-exhausted');
    expect(f.severity).toBe('critical');
    expect(f.usage).toMatchObject({ used: 1024, limit: 1024, ratio: 1 });
    expect(r.findings[0]).toBe(f);
    expect(f.details.join('\n')).toMatch(/etc\/security\/limits\.d\/90-nproc\.conf:5 \*/);
    expect(f.fixes.map((x) => x.command)).toContain('limitsctl set nproc 4096 --user admin --type soft --at-least --dry-run');
  });
  it('groups the masters into one line and names the pattern', () => {
    const top = r.nproc.top[0]!;
    expect(top).toMatchObject({ command: 'ssh: … [mux]', processes: 512, tasks: 512, hint: 'ssh-mux' });
    expect(top.example).toBe('ssh: /home/admin/.ssh/cm-admin@host1.fleet.example:22 [mux]');
    const f = find(r, 'ssh-mux-masters');
    expect(f.severity).toBe('warning');
    expect(f.title).toMatch(/^512 SSH multiplexing masters/);
    expect(f.details.join('\n')).toMatch(/512 distinct control paths/);
    expect(f.fixes.some((x) => x.file?.content.includes('ControlPersist'))).toBe(true);
    expect(r.nproc.top[1]).toMatchObject({ command: 'ssh', processes: 502 });
    expect(r.nproc.top[2]).toMatchObject({ command: 'python3 pssh', tasks: 6 });
  });
  it('session processes match the configuration (the limit is the problem, not staleness)', () => {
    expect(ids(r)).not.toContain('nproc-limit-mismatch');
    expect(r.nproc.limitGroups[0]!.units.map((u) => u.unit)).toContain('session-7.scope');
  });
});

describe('mux-argv: 1,020 SSH masters started in the background keep their argv (generated bulk)', () => {
  let r: DoctorReport;
  let cleanup = () => {};
  beforeAll(() => {
    const s = scenario('mux-argv');
    cleanup = s.cleanup;
    r = doctorOn(s.root, 'admin');
  });
  afterAll(() => cleanup());

  it('names them as SSH masters, with their count, not only "1,020 × ssh"', () => {
    expect(r.exitCode).toBe(1);
    const top = r.nproc.top[0]!;
    expect(top).toMatchObject({ command: 'ssh (ControlMaster, in the background)', processes: 1020, tasks: 1020, hint: 'ssh-mux' });
    // the foreground clients with the same options are not masters
    expect(r.nproc.top.find((t) => t.command === 'ssh')).toMatchObject({ processes: 4 });
    const f = find(r, 'ssh-mux-masters');
    expect(f.severity).toBe('warning');
    expect(f.title).toMatch(/^1,020 SSH multiplexing masters \(ControlMaster \+ ControlPersist\) hold 1,020 of admin's 1,028 tasks/);
    expect(f.details.join('\n')).toMatch(/1,020 distinct control paths; ControlPersist 15m on their command lines/);
  });
  it('the same advice: ssh -O exit with the control path, a shorter ControlPersist, and the nproc finding repeats it', () => {
    const f = find(r, 'ssh-mux-masters');
    const cmds = f.fixes.map((x) => x.command ?? '');
    expect(cmds).toContain("ssh -O exit -o ControlPath=/home/admin/.ssh/cm-%r@%h:%p node1.fleet.example");
    expect(f.fixes.map((x) => x.description).join('\n')).toMatch(/shorter ControlPersist .*-o ControlPersist=60s instead of 15m/);
    expect(cmds.some((c) => c.startsWith("pkill -u admin -f '^(/usr/bin/)?ssh"))).toBe(true);
    const ex = find(r, 'nproc-exhausted');
    expect(ex.details.join('\n')).toMatch(/Most tasks: 1,020 × ssh \(ControlMaster, in the background\)/);
    expect(ex.fixes[0]!.description).toMatch(/see ssh-mux-masters/);
  });
});

describe('fatal configuration: a file pam_limits cannot read refuses sessions (generated)', () => {
  const trees: Array<() => void> = [];
  const built = (name: string) => { const s = scenario(name); trees.push(s.cleanup); return s.root; };
  afterAll(() => { for (const c of trees) c(); });

  it('Debian 12 without limits.conf: critical per required login path, exit 1, never OK nor "keep the caller\'s limits"', () => {
    const r = doctorOn(built('fatal-missing'), 'admin');
    expect(r.status).toBe('sessions-fail');
    expect(r.exitCode).toBe(1);
    const [crit, notice] = r.findings.filter((f) => f.id === 'pam-limits-fatal');
    expect(r.findings[0]).toBe(crit);
    expect(crit!.severity).toBe('critical');
    expect(r.verdict).toBe(crit!.title);
    expect(crit!.title).toMatch(/^Every session through sshd, login, sudo, runuser, runuser-l, cron, systemd-user fails: pam_limits cannot read etc\/security\/limits\.conf and returns PAM_SERVICE_ERR/);
    expect(crit!.details[0]).toMatch(/^sshd: etc\/pam\.d\/sshd:13 session required pam_limits\.so → etc\/security\/limits\.conf is missing: Debian 12's pam_limits returns PAM_SERVICE_ERR .*Linux-PAM before 1\.5\.3.*'required' makes the session fail/);
    expect(crit!.fixes[0]!.command).toBe('install -m 644 /dev/null /etc/security/limits.conf');
    // su's pam_limits is optional: those sessions continue, without pam_limits' limits
    expect(notice!.severity).toBe('notice');
    expect(notice!.title).toMatch(/su, su-l .*continue/);
    expect(notice!.details[0]).toMatch(/'optional' ignores the error/);
    const text = r.findings.map((f) => [f.title, ...f.details].join('\n')).join('\n');
    expect(text).not.toMatch(/keep the (caller's )?limits of the process/i);
    expect(ids(r)).not.toContain('config-not-applied');
  });

  it('the same tree on a release that skips a missing limits.conf (Linux-PAM 1.5.3 and later): no finding, exit 0', () => {
    const root = built('fatal-missing');
    writeFileSync(path.join(root, 'etc/os-release'), 'ID=fedora\nVERSION_ID=44\n');
    const r = doctorOn(root, 'admin');
    expect(r.profile).toBe('fedora');
    expect(ids(r)).not.toContain('pam-limits-fatal');
    expect(r.exitCode).toBe(0);
  });

  it('a missing conf= file is fatal in every version: sshd (required) fails, cron ([... default=ignore]) continues', () => {
    const r = doctorOn(built('fatal-conf'), 'admin');
    expect(r.profile).toBe('fedora'); // Linux-PAM 1.7.2
    expect(r.exitCode).toBe(1);
    const [crit, notice] = r.findings.filter((f) => f.id === 'pam-limits-fatal');
    expect(crit!.severity).toBe('critical');
    expect(crit!.title).toMatch(/^Every session through sshd fails: pam_limits cannot read etc\/security\/limits-sshd\.conf/);
    expect(crit!.details[0]).toMatch(/conf=\/etc\/security\/limits-sshd\.conf → .*PAM_SERVICE_ERR — in every Linux-PAM version, Fedora 44 \/ rawhide included/);
    expect(notice!.severity).toBe('notice');
    expect(notice!.details[0]).toMatch(/^cron: .*\[success=ok default=ignore\].*ignores the error/);
    expect(find(r, 'pam-limits-conf').details.join('\n')).toMatch(/limits-sshd\.conf → cannot be read: see pam-limits-fatal/);
  });
});

describe('stale: running limits differ from the configuration', () => {
  const r = doctorOn(path.join(FIX, 'stale'), 'admin');
  it('the service is near its own limit: warning, exit 1', () => {
    expect(r.exitCode).toBe(1);
    expect(r.status).toBe('near-limit');
    const f = find(r, 'nproc-near-limit');
    expect(f.usage).toMatchObject({ used: 497, limit: 512 });
    // the fix is a systemd drop-in, not limits.conf
    const dropIn = f.fixes.find((x) => x.file)!;
    expect(dropIn.file).toEqual({ path: '/etc/systemd/system/myapp.service.d/60-nproc.conf', content: '[Service]\nLimitNPROC=4096\n' });
  });
  it('explains each differing group by where it runs', () => {
    const f = find(r, 'nproc-limit-mismatch');
    const text = f.details.join('\n');
    expect(text).toMatch(/512:512/);
    expect(text).toMatch(/myapp\.service .*systemd never reads limits\.conf.*DefaultLimitNPROC=512 \(usr\/lib\/systemd\/system\.conf\.d\/20-vendor\.conf:3\)/);
    expect(text).toMatch(/1024:63445/);
    expect(text).toMatch(/session-2\.scope .*started by .*sshd.*before the configuration changed/);
    // cron jobs went through PAM: they match
    expect(text).not.toMatch(/cron\.service/);
    const groups = r.nproc.limitGroups.map((g) => [`${g.limit!.soft}:${g.limit!.hard}`, g.matchesConfig]);
    expect(groups).toEqual([['512:512', false], ['1024:63445', false], ['4096:8192', true]]);
  });
  it('systemd drop-in precedence: file name order across directories, /etc hides /usr/lib', () => {
    expect(r.systemd.system.DefaultLimitNPROC).toEqual({ value: '512', file: 'usr/lib/systemd/system.conf.d/20-vendor.conf', line: 3 });
    expect(r.systemd.system.DefaultTasksMax).toEqual({ value: '4096', file: 'usr/lib/systemd/system.conf.d/20-vendor.conf', line: 4 });
    expect(r.systemd.files).toEqual(expect.arrayContaining([
      'etc/systemd/system.conf', 'run/systemd/system.conf.d/05-early.conf', 'etc/systemd/system.conf.d/10-limits.conf',
      'usr/lib/systemd/system.conf.d/20-vendor.conf',
    ]));
    expect(r.systemd.files).not.toContain('usr/lib/systemd/system.conf.d/10-limits.conf');
  });
  it('a thread-heavy process is pointed out', () => {
    const f = find(r, 'thread-heavy-process');
    expect(f.title).toMatch(/^PID 3000 \(java -jar myapp\.jar\) runs 480 threads/);
  });
});

describe('system: pid_max, threads-max, cgroup pids, strict overcommit', () => {
  const r = doctorOn(path.join(FIX, 'system'), 'admin');
  it('every system-wide reason is reported with its numbers; exit 1', () => {
    expect(r.exitCode).toBe(1);
    expect(find(r, 'pid-max').usage).toMatchObject({ used: 3739, limit: 4096 });
    expect(find(r, 'threads-max').usage).toMatchObject({ used: 3739, limit: 4100 });
    const cg = find(r, 'cgroup-pids');
    expect(cg.usage).toMatchObject({ used: 36, limit: 38 });
    expect(cg.details.join('\n')).toMatch(/TasksMax=38 \(etc\/systemd\/system\/user-1000\.slice\.d\/60-admin\.conf:3\)/);
    expect(cg.fixes[0]!.command).toBe('systemctl set-property --runtime user-1000.slice TasksMax=4096');
    const mem = find(r, 'commit-limit');
    expect(mem.title).toMatch(/ENOMEM/);
    expect(mem.usage).toMatchObject({ used: 3990000, limit: 4030796, unit: 'KiB' });
    expect(ids(r)).toContain('low-memory');
  });
  it('findings are ordered by severity, then by how full the limit is', () => {
    const order = r.findings.map((f) => f.severity);
    expect([...order].sort((a, b) => ['critical', 'warning', 'notice', 'info'].indexOf(a) - ['critical', 'warning', 'notice', 'info'].indexOf(b))).toEqual(order);
    const ratios = r.findings.filter((f) => f.severity === 'warning' && f.usage).map((f) => f.usage!.ratio);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
  });
  it('zombies and the ignored logind setting', () => {
    expect(find(r, 'zombies').details[0]).toMatch(/12 of them are children of PID 1203 \(make\)/);
    expect(r.nproc.top.find((t) => t.command === 'sh <defunct>')).toMatchObject({ processes: 12, zombies: 12 });
    expect(find(r, 'logind-user-tasks-max').title).toMatch(/UserTasksMax=12000/);
    expect(r.systemd.userSliceTasksMax).toMatchObject({ value: '38', file: 'etc/systemd/system/user-1000.slice.d/60-admin.conf' });
  });
  it('nproc itself is fine here', () => {
    expect(ids(r)).not.toContain('nproc-exhausted');
    expect(r.nproc.tasks).toBe(35);
  });
});

describe('pam: does pam_limits apply at all?', () => {
  const r = doctorOn(path.join(FIX, 'pam'), 'alice');
  const svc = (name: string) => r.pam.services.find((s) => s.service === name)!;
  it('sshd: the first UsePAM wins, from a drop-in included at the top', () => {
    expect(r.sshd.usePam).toEqual({ value: 'no', file: 'etc/ssh/sshd_config.d/40-hardening.conf', line: 2 });
    expect(r.sshd.usePamEffective).toBe(false);
    expect(find(r, 'sshd-usepam-off').severity).toBe('warning');
    expect(find(r, 'nproc-limit-mismatch').details.join('\n')).toMatch(/sshd runs without PAM/);
  });
  it('include, substack and jumps', () => {
    expect(svc('su-l').hits[0]).toMatchObject({ file: 'etc/pam.d/system-auth', line: 13, via: ['su-l', 'su', 'system-auth'] });
    expect(svc('crond').hits[0]!.mayBeSkipped[0]).toMatch(/password-auth:10 \[success=1 default=ignore\] pam_succeed_if\.so service in crond.*jumps over it/);
    expect(svc('su').hits[0]!.mayBeSkipped).toEqual([]); // the crond jump in system-auth comes after pam_limits
    expect(find(r, 'pam-limits-skippable').title).toMatch(/sshd, crond/);
  });
  it('missing pam_limits, a missing include, conf=', () => {
    expect(find(r, 'pam-limits-missing').title).toMatch(/runuser, atd/);
    expect(find(r, 'pam-include-missing').details[0]).toMatch(/atd:7: include common-session: file not found/);
    const conf = find(r, 'pam-limits-conf');
    expect(conf.details[0]).toMatch(/conf=\/etc\/security\/limits-console\.conf → nproc soft unknown, hard 200/);
  });
  it('upstream profile: only soft is configured, hard stays the caller\'s', () => {
    expect(r.nproc.configured).toMatchObject({ soft: 2048n, hard: null, softFrom: { file: 'etc/security/limits.conf', line: 2, domain: '@users' } });
  });
  it('cgroup v1 (systemd hybrid): pids from the pids hierarchy', () => {
    expect(r.cgroups.version).toBe('hybrid');
    expect(r.cgroups.nodes.find((n) => n.unit === 'session-4.scope')).toMatchObject({ pidsMax: 12288n, pidsCurrent: 16n });
    expect(r.exitCode).toBe(0);
  });
});
