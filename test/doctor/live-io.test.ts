/** src/io/live.ts on small temp trees: vanishing PIDs, systemd precedence, sshd Include, cgroup layouts. */
import { chmodSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nprocOf, readCgroups, readProcesses, readSshd, readSystemdConf, readUserSliceTasksMax } from '../../src/io/live.js';
import { limitsText, writeProcess } from '../../fixtures/doctor/generate.mjs';
import { tempDir } from './helpers.js';

let dir: string;
beforeEach(() => { dir = tempDir(); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  const f = path.join(dir, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
}

describe('nprocOf', () => {
  it('reads the Max processes row, unlimited included', () => {
    expect(nprocOf(limitsText(['4096', 'unlimited']))).toEqual({ soft: 4096n, hard: 0xffffffffffffffffn });
    expect(nprocOf('Limit Soft Hard Units\n')).toBeNull();
    expect(nprocOf('')).toBeNull();
  });
});

describe('readProcesses', () => {
  it('skips PIDs that vanish between the listing and the reads, and counts them', () => {
    const proc = path.join(dir, 'proc');
    writeProcess(proc, { pid: 10, uid: 1000, name: 'a', threads: 2, argv: ['a'], nproc: ['50', '60'] });
    writeProcess(proc, { pid: 11, uid: 1000, name: 'b', argv: ['b'] });
    writeProcess(proc, { pid: 12, uid: 0, name: 'c', threads: 5 });
    mkdirSync(path.join(proc, '13')); // listed, but status is already gone
    put('proc/14/status', 'Name:\tdying\n'); // a cut read
    put('proc/self/status', 'Uid:\t1000\t1000\t1000\t1000\nThreads:\t1\n'); // not a PID
    const { processes, census } = readProcesses(proc, 1000);
    expect(processes.map((p) => p.pid).sort()).toEqual([10, 11]);
    expect(processes.find((p) => p.pid === 10)).toMatchObject({ threads: 2, nproc: { soft: 50n, hard: 60n }, argv: ['a'], cgroup: '/' });
    expect(census).toMatchObject({ processes: 3, tasks: 8, vanished: 2, unreadable: 0 });
  });

  it('a snapshot that lacks a file keeps the process with what it has', () => {
    const proc = path.join(dir, 'proc');
    writeProcess(proc, { pid: 20, uid: 1000, name: 'x', argv: ['x'] });
    unlinkSync(path.join(proc, '20/limits'));
    unlinkSync(path.join(proc, '20/cgroup'));
    const { processes } = readProcesses(proc, 1000);
    expect(processes).toHaveLength(1);
    expect(processes[0]).toMatchObject({ nproc: null, cgroup: null });
  });

  it.skipIf(process.getuid?.() === 0)('unreadable status files are counted apart (hidepid-like)', () => {
    const proc = path.join(dir, 'proc');
    writeProcess(proc, { pid: 30, uid: 1000, name: 'x' });
    chmodSync(path.join(proc, '30/status'), 0);
    expect(readProcesses(proc, 1000).census.unreadable).toBe(1);
  });

  it('names the nearest ancestor that is not the user\'s', () => {
    const proc = path.join(dir, 'proc');
    writeProcess(proc, { pid: 5, ppid: 1, uid: 0, name: 'sshd' });
    writeProcess(proc, { pid: 6, ppid: 5, uid: 1000, name: 'sshd' });
    writeProcess(proc, { pid: 7, ppid: 6, uid: 1000, name: 'bash' });
    const { processes } = readProcesses(proc, 1000);
    expect(processes.find((p) => p.pid === 7)!.spawnedBy).toEqual({ pid: 5, comm: 'sshd' });
  });
});

describe('systemd configuration', () => {
  it('main file, then drop-ins by name across /etc, /run, /usr/lib; same name: the higher directory wins', () => {
    put('etc/systemd/system.conf', '[Manager]\nDefaultLimitNPROC=1\nDefaultTasksMax=10\n');
    put('usr/lib/systemd/system.conf.d/50-a.conf', '[Manager]\nDefaultLimitNPROC=2\n');
    put('etc/systemd/system.conf.d/50-a.conf', '[Manager]\nDefaultLimitNPROC=3\n');
    put('run/systemd/system.conf.d/40-b.conf', '[Manager]\nDefaultLimitNPROC=4\nDefaultTasksMax=40\n');
    put('usr/lib/systemd/system.conf.d/60-c.conf', '# empty resets to the default\n[Manager]\nDefaultTasksMax=\n');
    put('etc/systemd/system.conf.d/notconf.txt', '[Manager]\nDefaultLimitNPROC=99\n');
    const files: string[] = [];
    const s = readSystemdConf(dir, 'system', 'Manager', ['DefaultLimitNPROC', 'DefaultTasksMax'], files);
    expect(s.DefaultLimitNPROC).toEqual({ value: '3', file: 'etc/systemd/system.conf.d/50-a.conf', line: 2 });
    expect(s.DefaultTasksMax).toEqual({ value: '', file: 'usr/lib/systemd/system.conf.d/60-c.conf', line: 3 });
    expect(files).toEqual(['etc/systemd/system.conf', 'run/systemd/system.conf.d/40-b.conf', 'etc/systemd/system.conf.d/50-a.conf', 'usr/lib/systemd/system.conf.d/60-c.conf']);
  });
  it('the user slice: user-.slice.d and user-UID.slice.d, runtime set-property included', () => {
    put('usr/lib/systemd/system/user-.slice.d/10-defaults.conf', '[Slice]\nTasksMax=33%\n');
    put('etc/systemd/system/user-1000.slice.d/20-mine.conf', '[Slice]\nTasksMax=500\n');
    put('run/systemd/system.control/user-1000.slice.d/50-TasksMax.conf', '[Slice]\nTasksMax=700\n');
    expect(readUserSliceTasksMax(dir, 1000)).toEqual({ value: '700', file: 'run/systemd/system.control/user-1000.slice.d/50-TasksMax.conf', line: 2 });
    expect(readUserSliceTasksMax(dir, 1001)!.value).toBe('33%');
  });
});

describe('sshd UsePAM', () => {
  it('first value wins; relative Include is under /etc/ssh; globs sort; Match is ignored', () => {
    put('etc/ssh/sshd_config', 'Port 22\nInclude conf.d/*.conf\nUsePAM no\n');
    put('etc/ssh/conf.d/20-b.conf', 'UsePAM no\n');
    put('etc/ssh/conf.d/10-a.conf', 'Match User x\n  UsePAM no\n');
    put('etc/ssh/conf.d/15-c.conf', 'usepam yes\n');
    expect(readSshd(dir)).toEqual({ present: true, usePam: { value: 'yes', file: 'etc/ssh/conf.d/15-c.conf', line: 1 }, usePamEffective: true });
  });
  it('no UsePAM at all: sshd\'s default is no; no sshd_config: not present', () => {
    put('etc/ssh/sshd_config', 'Port 22\n');
    expect(readSshd(dir)).toEqual({ present: true, usePam: null, usePamEffective: false });
    rmSync(path.join(dir, 'etc/ssh/sshd_config'));
    expect(readSshd(dir).present).toBe(false);
  });
});

describe('cgroup layouts', () => {
  const p = (pidsCgroup: string) => ({ pid: 1, ppid: 0, uid: 1000, threads: 1, state: 'S', comm: 'x', argv: [], nproc: null, cgroup: pidsCgroup, pidsCgroup, spawnedBy: null });
  it('v2 with ancestors', () => {
    put('sys/fs/cgroup/cgroup.controllers', 'pids\n');
    put('sys/fs/cgroup/user.slice/user-1000.slice/pids.max', '100\n');
    put('sys/fs/cgroup/user.slice/user-1000.slice/pids.current', '7\n');
    put('sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope/pids.max', 'max\n');
    const cg = readCgroups(path.join(dir, 'sys'), 1000, [p('/user.slice/user-1000.slice/session-1.scope')]);
    expect(cg.version).toBe('v2');
    expect(cg.nodes.map((n) => n.path)).toEqual(['/user.slice', '/user.slice/user-1000.slice', '/user.slice/user-1000.slice/session-1.scope']);
    expect(cg.userSlice).toMatchObject({ pidsMax: 100n, pidsCurrent: 7n });
    expect(cg.nodes[2]!.pidsMax).toBe('max');
  });
  it('v1 and none', () => {
    put('sys/fs/cgroup/pids/user.slice/user-1000.slice/pids.max', '9\n');
    expect(readCgroups(path.join(dir, 'sys'), 1000, []).version).toBe('v1');
    expect(readCgroups(path.join(dir, 'nosys'), 1000, []).version).toBe('none');
  });
});
