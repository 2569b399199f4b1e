/** The pure pieces of src/core/doctor.ts: text parsers, command grouping, and diagnose() on hand-made facts. */
import { describe, expect, it } from 'vitest';
import {
  analyzePamService, classifyCgroup, onServiceErr, commandKey, diagnose, type DoctorFacts, parseCgroupFile, parseLoadavgTasks,
  parsePamFile, parseSshdConfig, parseStatus, type ProcessFact, resolveTasksMax, SSH_MASTER_KEY, sshMasterOf, suggestNproc,
  systemdCgroupOf,
} from '../../src/core/doctor.js';

describe('parseStatus', () => {
  it('takes the REAL uid (first field), Threads, State, PPid and Name', () => {
    const st = parseStatus('Name:\tmy prog\nUmask:\t0022\nState:\tZ (zombie)\nPid:\t42\nPPid:\t7\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\nThreads:\t3\n');
    expect(st).toEqual({ name: 'my prog', state: 'Z', ppid: 7, uid: 1000, threads: 3 });
  });
  it('a cut read (the task is exiting) is null, not a crash', () => {
    expect(parseStatus('')).toBeNull();
    expect(parseStatus('Name:\tx\nState:\tR\n')).toBeNull();
  });
});

describe('cgroups', () => {
  it('reads v2, v1 name=systemd and v1 pids lines', () => {
    const v1 = parseCgroupFile('12:pids:/user.slice/user-1000.slice/session-4.scope\n4:memory:/x\n1:name=systemd:/user.slice/user-1000.slice/session-4.scope\n0::/\n');
    expect(v1).toEqual({ unified: '/', systemd: '/user.slice/user-1000.slice/session-4.scope', pids: '/user.slice/user-1000.slice/session-4.scope' });
    expect(systemdCgroupOf(v1)).toBe('/user.slice/user-1000.slice/session-4.scope');
    const v2 = parseCgroupFile('0::/system.slice/cron.service\n');
    expect(systemdCgroupOf(v2)).toBe('/system.slice/cron.service');
    expect(parseCgroupFile('7:cpu,pids:/a\n').pids).toBe('/a');
  });
  it('classifies sessions, the user manager, services, scopes and the root', () => {
    expect(classifyCgroup('/user.slice/user-1000.slice/session-7.scope')).toEqual({ kind: 'session', unit: 'session-7.scope' });
    expect(classifyCgroup('/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service')).toEqual({ kind: 'user-manager', unit: 'user@1000.service/foo.service' });
    expect(classifyCgroup('/system.slice/system-postgresql.slice/postgresql@15-main.service')).toEqual({ kind: 'service', unit: 'postgresql@15-main.service' });
    expect(classifyCgroup('/system.slice/docker-abc.scope')).toEqual({ kind: 'scope', unit: 'docker-abc.scope' });
    expect(classifyCgroup('/user.slice/user-1000.slice')).toEqual({ kind: 'user-slice', unit: 'user-1000.slice' });
    expect(classifyCgroup('/')).toEqual({ kind: 'root', unit: null });
    expect(classifyCgroup(null).kind).toBe('unknown');
  });
});

describe('commandKey', () => {
  const key = (argv: string[], comm = 'x', state = 'S') => commandKey(argv, comm, state).key;
  it('normalises rewritten titles, keeping a trailing [tag]', () => {
    expect(commandKey(['ssh: /home/admin/.ssh/cm-admin@host1:22 [mux]'], 'ssh', 'S')).toEqual({ key: 'ssh: … [mux]', hint: 'ssh-mux' });
    expect(key(['sshd: admin@pts/0'])).toBe('sshd: …');
    expect(key(['sshd: admin [priv]'])).toBe('sshd: … [priv]');
    expect(key(['postgres: 15/main: admin app 10.0.0.5(51234) idle'])).toBe('postgres: …');
  });
  it('programs by name, interpreters with their script, shells with -c', () => {
    expect(key(['/usr/bin/vim', 'notes.txt'])).toBe('vim');
    expect(key(['-bash'])).toBe('bash');
    expect(key(['/usr/bin/python3', '-u', '/opt/app/worker.py', '--n', '3'])).toBe('python3 worker.py');
    expect(key(['python3', '-m', 'http.server'])).toBe('python3 -m http.server');
    expect(key(['/bin/sh', '-c', 'sleep 1; true'])).toBe('sh -c …');
    expect(key(['java', '-Xmx1g', '-cp', '/a.jar', 'org.example.Main'])).toBe('java org.example.Main');
    expect(key(['java', '-jar', '/opt/x/app.jar'])).toBe('java -jar app.jar');
    expect(key(['npm exec tsc -p tsconfig.json   '])).toBe('npm');
  });
  it('SSH masters started in the background are grouped as masters by their argv', () => {
    const masters = [
      ['ssh', '-fN', '-o', 'ControlMaster=auto', '-o', 'ControlPersist=15m', '-o', 'ControlPath=/home/a/.ssh/cm-%C', 'h1'],
      ['/usr/bin/ssh', '-N', '-f', '-oControlMaster=yes', 'h1'],
      ['ssh', '-o', 'ControlMaster autoask', '-N', 'h1'],
      ['ssh', '-o', 'CONTROLMASTER = Auto', '-f', 'h1', 'sleep', '600'],
      ['ssh', '-MNf', '-S', '/tmp/s', 'h1'],
      ['ssh', '-MM', '-N', 'h1'],
      ['ssh', 'h1', '-M', '-N'], // ssh reads options again after the host
      ['ssh', '-o', 'ControlMaster=no', '-M', '-N', 'h1'], // -M sets it whatever came before
    ];
    for (const argv of masters) expect(commandKey(argv, 'ssh', 'S'), argv.join(' ')).toEqual({ key: SSH_MASTER_KEY, hint: 'ssh-mux' });
    const notMasters = [
      ['ssh', '-o', 'ControlMaster=auto', '-o', 'ControlPersist=10m', 'h1', 'uptime'], // a foreground client
      ['ssh', '-M', 'h1'], // a foreground master: ends with its session
      ['ssh', '-fN', '-L', '8080:localhost:80', 'h1'], // a tunnel
      ['ssh', '-fN', '-o', 'ControlMaster=no', 'h1'],
      ['ssh', '-O', 'exit', '-o', 'ControlMaster=auto', '-N', 'h1'], // a control request
      ['ssh', '-o', 'ControlPath=/x', '-N', 'h1'],
      ['ssh', 'h1', 'tail', '-M', '-N'], // options of the remote command
      ['ssh', '-o', 'ControlMaster=no', '-o', 'ControlMaster=yes', '-N', 'h1'], // the first value wins
      ['sshfs', '-o', 'ControlMaster=yes', '-f', 'h1:/', '/mnt'],
    ];
    for (const argv of notMasters) expect(commandKey(argv, 'ssh', 'S').hint, argv.join(' ')).toBeNull();
    expect(sshMasterOf(masters[0]!)).toEqual({ by: 'argv', host: 'h1', controlPath: '/home/a/.ssh/cm-%C', controlPersist: '15m' });
    expect(sshMasterOf(['ssh', '-o', 'ControlPath=/a', '-S', '/b', '-MN', '--', 'h2'])).toEqual({ by: 'argv', host: 'h2', controlPath: '/b', controlPersist: null });
  });
  it('kernel threads and zombies', () => {
    expect(key([], 'kworker/0:1')).toBe('[kworker/0:1]');
    expect(key([], 'sh', 'Z')).toBe('sh <defunct>');
  });
});

describe('pam.d parsing and stacks', () => {
  it('comments, continuations, bracketed controls and the -type prefix', () => {
    const { lines } = parsePamFile([
      '# comment',
      'session [success=1 default=ignore]   pam_succeed_if.so service in crond # trailing',
      '-session optional pam_systemd.so',
      'session required pam_limits.so \\',
      '   conf=/etc/security/x.conf debug',
      '@include common-session',
    ].join('\n'));
    expect(lines).toEqual([
      { line: 2, type: 'session', dash: false, control: '[success=1 default=ignore]', module: 'pam_succeed_if.so', args: ['service', 'in', 'crond'] },
      { line: 3, type: 'session', dash: true, control: 'optional', module: 'pam_systemd.so', args: [] },
      { line: 4, type: 'session', dash: false, control: 'required', module: 'pam_limits.so', args: ['conf=/etc/security/x.conf', 'debug'] },
      { line: 6, type: '@include', dash: false, control: '@include', module: 'common-session', args: [] },
    ]);
  });
  it('follows @include / include / substack, reports loops and sufficient/done/jumps', () => {
    const files: Record<string, string> = {
      a: 'session sufficient pam_rootok.so\n@include b\n',
      b: 'session [default=2] pam_permit.so\nsession required pam_deny.so\nsession substack c\n',
      c: 'session [success=done default=ignore] pam_x.so\nsession required /lib/security/pam_limits.so conf=/etc/l.conf\n',
      loop: 'session include loop\n',
      other: 'session required pam_deny.so\n',
    };
    const read = (n: string) => (files[n] !== undefined ? { file: `etc/pam.d/${n}`, text: files[n]! } : null);
    const a = analyzePamService('a', read);
    expect(a.hits).toHaveLength(1);
    const h = a.hits[0]!;
    expect(h).toMatchObject({ file: 'etc/pam.d/c', line: 2, via: ['a', 'b', 'c'], conf: '/etc/l.conf' });
    expect(h.mayBeSkipped.join('\n')).toMatch(/pam\.d\/a:1 sufficient pam_rootok\.so: the stack ends there/);
    expect(h.mayBeSkipped.join('\n')).toMatch(/pam\.d\/b:1 \[default=2\] pam_permit\.so: jumps over it/);
    expect(h.mayBeSkipped.join('\n')).toMatch(/pam\.d\/c:1 .*the stack ends there when the module returns success/);
    const loop = analyzePamService('loop', read);
    expect(loop.problems.join()).toMatch(/nested too deep/);
    const missing = analyzePamService('nosuch', read);
    expect(missing).toMatchObject({ viaOther: true, file: 'etc/pam.d/other', hits: [] });
  });
});

describe('onServiceErr: what a session stack does when pam_limits returns PAM_SERVICE_ERR', () => {
  it('required, requisite, binding and bracket controls whose action is bad/die/ok/done fail the session', () => {
    for (const c of ['required', 'requisite', 'binding', 'Required', '[success=ok default=bad]', '[default=die]', '[success=ok]', '[service_err=done default=ignore]', '[success=1 default=ok]']) {
      expect(onServiceErr(c), c).toBe('fails');
    }
  });
  it('optional, sufficient, ignore, reset and jumps let it continue', () => {
    for (const c of ['optional', 'sufficient', '[success=ok default=ignore]', '[default=reset]', '[service_err=ignore default=bad]', '[default=2]']) {
      expect(onServiceErr(c), c).toBe('continues');
    }
  });
});

describe('sshd_config', () => {
  it('keyword=value, case, quotes and Match blocks', () => {
    const d = parseSshdConfig('usepam=No\n# x\nUsePAM "yes"\nMatch User bob\n  UsePAM yes\n');
    expect(d.map((x) => [x.keyword, x.value, x.line, x.inMatch])).toEqual([
      ['usepam', 'No', 1, false], ['usepam', 'yes', 3, false], ['match', 'User bob', 4, false], ['usepam', 'yes', 5, true],
    ]);
  });
});

describe('small helpers', () => {
  it('loadavg, TasksMax percentages, suggested values', () => {
    expect(parseLoadavgTasks('0.42 0.38 0.30 3/1030 4242\n')).toBe(1030);
    const k = { pidMax: 4194304, threadsMax: 126890, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0 };
    expect(resolveTasksMax('33%', k)).toBe(41873);
    expect(resolveTasksMax('infinity', k)).toBeNull();
    expect(resolveTasksMax('200', k)).toBe(200);
    expect(suggestNproc(1024, 1024)).toBe(4096);
    expect(suggestNproc(3000, 1024)).toBe(8192);
    expect(suggestNproc(10, 4096)).toBe(8192);
  });
});

// --- diagnose() on hand-made facts -------------------------------------------------------------

function proc(pid: number, over: Partial<ProcessFact> = {}): ProcessFact {
  return {
    pid, ppid: 1, uid: 1000, threads: 1, state: 'S', comm: 'sleep', argv: ['sleep', '1000'],
    nproc: { soft: 10n, hard: 10n }, cgroup: '/', pidsCgroup: '/', spawnedBy: null, ...over,
  };
}

function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    identity: { name: 'u', uid: 1000, gid: 1000, groups: [] },
    resolution: null,
    confResolutions: [],
    processes: [],
    census: { processes: 0, tasks: 0, loadavgTasks: null, vanished: 0, unreadable: 0 },
    kernel: { pidMax: 32768, threadsMax: 100000, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0 },
    memory: { memTotal: 1000000, memAvailable: 900000, commitLimit: 500000, committedAs: 10000, swapTotal: 0, swapFree: 0 },
    cgroups: { version: 'none', userSlice: null, nodes: [] },
    systemd: { running: false, installed: false, system: {}, user: {}, logind: {}, userSliceTasksMax: null, files: [] },
    pam: { services: [], module: 'unknown' },
    sshd: { present: false, usePam: null, usePamEffective: null },
    sources: { root: '/', proc: '/proc', sys: '/sys', live: true },
    problems: [],
    ...over,
  };
}

describe('diagnose on facts', () => {
  it('exhausted at exactly the limit (count >= soft), near at 90 %, fine below', () => {
    const at = (n: number) => diagnose(facts({ processes: Array.from({ length: n }, (_, i) => proc(100 + i)) }));
    expect(at(10).status).toBe('exhausted');
    expect(at(10).exitCode).toBe(1);
    expect(at(9).status).toBe('near-limit');
    expect(at(9).exitCode).toBe(1);
    expect(at(8).status).toBe('ok');
    expect(at(8).exitCode).toBe(0);
  });
  it('threads count, by the lowest soft limit among the user\'s processes', () => {
    const r = diagnose(facts({
      processes: [proc(1, { threads: 7, nproc: { soft: 100n, hard: 100n } }), proc(2, { nproc: { soft: 8n, hard: 100n } })],
    }));
    expect(r.nproc.tasks).toBe(8);
    expect(r.nproc.binding!.limit!.soft).toBe(8n);
    expect(r.findings[0]).toMatchObject({ id: 'nproc-exhausted', usage: { used: 8, limit: 8 } });
    expect(r.findings[0]!.details[1]).toMatch(/^1 of them run with soft nproc 8 or less/);
  });
  it('unlimited never fills; root is exempt; no processes is informational', () => {
    expect(diagnose(facts({ processes: [proc(1, { nproc: { soft: 0xffffffffffffffffn, hard: 0xffffffffffffffffn } })] })).status).toBe('ok');
    const root = diagnose(facts({ identity: { name: 'root', uid: 0, gid: 0, groups: [] }, processes: [proc(1, { uid: 0, threads: 50 })] }));
    expect(root.status).toBe('ok');
    expect(root.findings.map((f) => f.id)).toEqual(['nproc-root-exempt']);
    expect(diagnose(facts()).findings.map((f) => f.id)).toEqual(['no-processes']);
  });
  it('a configured pam_limits without the module installed', () => {
    const r = diagnose(facts({
      pam: { module: null, services: [{ service: 'sshd', file: 'etc/pam.d/sshd', viaOther: false, problems: [], hits: [{ file: 'etc/pam.d/sshd', line: 3, control: 'required', args: [], dash: false, via: ['sshd'], conf: null, mayBeSkipped: [] }] }] },
    }));
    expect(r.findings.find((f) => f.id === 'pam-module-missing')!.title).toMatch(/sessions through those stacks fail/);
  });
  it('cgroup limits, pid_max and unreadable processes', () => {
    const r = diagnose(facts({
      census: { processes: 10, tasks: 32768, loadavgTasks: 32000, vanished: 3, unreadable: 2 },
      cgroups: { version: 'v2', userSlice: null, nodes: [{ path: '/system.slice/x.service', kind: 'service', unit: 'x.service', pidsMax: 10n, pidsCurrent: 10n }] },
    }));
    const byId = new Map(r.findings.map((f) => [f.id, f]));
    expect(byId.get('pid-max')).toMatchObject({ severity: 'critical', usage: { used: 32768, limit: 32768 } });
    expect(byId.get('cgroup-pids')!.fixes[0]!.file!.path).toBe('/etc/systemd/system/x.service.d/60-tasks-max.conf');
    expect(byId.get('proc-unreadable')!.details[0]).toMatch(/2 processes could not be read/);
    expect(r.system.vanished).toBe(3);
  });
});
