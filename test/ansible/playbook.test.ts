/**
 * The Ansible module (ansible/library/limitsctl) driven by a real ansible-playbook: an inventory of
 * four "hosts" (connection local, each with its own tree: copies of fixtures/demo plus traps), run
 * with forks 4 through ansible/tests/limits.yml (ten changes each: set, absent, policies):
 *   1. --check --diff: nothing written (bytes and mtimes of every file and directory), the diff
 *      names the real paths;
 *   2. the real run (json callback: per-task results);
 *   3. a re-run: changed=0 for every host, nothing touched;
 *   4. every tree verified with the CLI (`limitsctl effective --json`);
 *   5. bad input (ansible/tests/bad.yml): failed=1 per host with a clear msg, nothing touched.
 * Skips when ansible-playbook is missing, unless LIMITSCTL_REQUIRE_ANSIBLE=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleEnv, ansibleSkipReason, DEMO, REPO } from './helpers.js';

const BIN = path.join(REPO, 'bin/limitsctl.js');
const PLAYBOOK = path.join(REPO, 'ansible/tests/limits.yml');
const BAD_PLAYBOOK = path.join(REPO, 'ansible/tests/bad.yml');
const DIST = path.join(REPO, 'dist/index.js');

const skipReason = ansibleSkipReason('Ansible module tests');

const HOSTS = ['deb1', 'rhel1', 'nonl1', 'link1'] as const;
type Host = (typeof HOSTS)[number];

const NONL_LAST = 'www-data        hard    nproc           512';
const LINK_TARGET = '../../srv/limits/limits.conf';
const RHEL_20 = "# Default limit for number of user's processes to prevent\n# accidental fork bombs.\n# See rhbz #432903 for reasoning.\n\n*          soft    nproc     4096\nroot       soft    nproc     unlimited\n";

let tmp = '';
const rootOf = (h: Host) => path.join(tmp, 'hosts', h);

/** Copies of fixtures/demo, each with one trap. */
function makeTrees(): void {
  for (const h of HOSTS) cpSync(DEMO, rootOf(h), { recursive: true });
  // RHEL 7: upstream pam_limits (os-release), and both of RHEL's nproc files in limits.d
  writeFileSync(path.join(rootOf('rhel1'), 'etc/os-release'), 'NAME="Red Hat Enterprise Linux Server"\nVERSION="7.9 (Maipo)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\n');
  writeFileSync(path.join(rootOf('rhel1'), 'etc/security/limits.d/20-nproc.conf'), RHEL_20);
  // limits.conf without a final newline (and no "# End of file"): new lines go after its last line
  const conf = path.join(rootOf('nonl1'), 'etc/security/limits.conf');
  const text = readFileSync(conf, 'latin1').replace('\n# End of file\n', '').replace(/\n+$/, '');
  writeFileSync(conf, `${text}\n${NONL_LAST}`, 'latin1');
  // limits.conf is a symlink into the tree (a config repository checked out under /srv)
  const sec = path.join(rootOf('link1'), 'etc/security');
  mkdirSync(path.join(rootOf('link1'), 'srv/limits'), { recursive: true });
  renameSync(path.join(sec, 'limits.conf'), path.join(rootOf('link1'), 'srv/limits/limits.conf'));
  symlinkSync(LINK_TARGET, path.join(sec, 'limits.conf'));
}

interface Entry { type: string; mode: number; mtimeNs: bigint; content?: string }

/** Every file, directory and symlink under a root: type, mode, mtime (ns), bytes or link target. */
function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = lstatSync(full, { bigint: true });
      const rel = path.relative(root, full);
      if (st.isSymbolicLink()) out.set(rel, { type: 'link', mode: Number(st.mode), mtimeNs: st.mtimeNs, content: readlinkSync(full) });
      else if (st.isDirectory()) { out.set(rel, { type: 'dir', mode: Number(st.mode), mtimeNs: st.mtimeNs }); walk(full); }
      else out.set(rel, { type: 'file', mode: Number(st.mode), mtimeNs: st.mtimeNs, content: readFileSync(full).toString('base64') });
    }
  };
  walk(root);
  return out;
}
const snapshotAll = () => Object.fromEntries(HOSTS.map((h) => [h, snapshot(rootOf(h))]));


interface Run { code: number; stdout: string; stderr: string; ms: number }
const timings: Record<string, number> = {};

function playbook(name: string, file: string, args: string[], extraEnv: Record<string, string> = {}): Run {
  const t0 = performance.now();
  const r = spawnSync('ansible-playbook', ['-i', path.join(tmp, 'inventory.ini'), '-f', '4', ...args, file], {
    cwd: tmp, env: ansibleEnv(tmp, { ANSIBLE_STDOUT_CALLBACK: 'default', ANSIBLE_DISPLAY_SKIPPED_HOSTS: 'True', ...extraEnv }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  timings[name] = Math.round(ms);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms };
}

/** PLAY RECAP counters per host. */
function recap(stdout: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const at = stdout.lastIndexOf('PLAY RECAP');
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  for (const line of stdout.slice(at).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1]!, Number(x[2])]));
  }
  return out;
}

const effectiveCache = new Map<string, { limits: Record<string, { soft: unknown; hard: unknown }> }>();
function effective(h: Host, user: string): { limits: Record<string, { soft: unknown; hard: unknown }> } {
  const key = `${h}\0${user}`;
  const hit = effectiveCache.get(key);
  if (hit) return hit;
  const r = spawnSync(process.execPath, [BIN, 'effective', '--json', '--root', rootOf(h), '--user', user], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { limits: Record<string, { soft: unknown; hard: unknown }> };
  effectiveCache.set(key, out);
  return out;
}

interface TaskResult {
  changed: boolean;
  failed?: boolean;
  msg: string;
  warnings?: string[];
  effective: Record<string, { limits: Record<string, { soft: unknown; hard: unknown }> }>;
  files: Array<{ path: string; created: boolean; real_path?: string }>;
  limitsctl_path: string;
  profile: string;
}

describe.skipIf(skipReason !== null)('the limitsctl Ansible module under ansible-playbook', () => {
  let original: Record<string, Map<string, Entry>>;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-ansible-'));
    mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
    writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
    makeTrees();
    const hostLine = (h: Host) => `${h} limits_root=${rootOf(h)}${h === 'deb1' ? ` limitsctl_lib=${REPO}` : ''}`;
    writeFileSync(path.join(tmp, 'inventory.ini'), [
      '[pam]', ...HOSTS.map(hostLine), '',
      '[pam:vars]', 'ansible_connection=local', '',
      '[bad_value]', 'deb1', 'rhel1', '',
      '[blocked]', 'nonl1', 'link1', '',
    ].join('\n'));
    original = snapshotAll();
  });

  afterAll(() => {
    if (Object.keys(timings).length) console.log(`ansible-playbook wall times (4 hosts, -f 4): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('check mode + diff: writes nothing, reports 10 changes per host, and the diff names real paths', () => {
    const r = playbook('check', PLAYBOOK, ['--check', '--diff']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rc = recap(r.stdout);
    for (const h of HOSTS) expect(rc[h], h).toMatchObject({ ok: 10, changed: 10, failed: 0, unreachable: 0 });
    // nothing written: not a byte, not an mtime, no lock file, no backup, no new directory
    expect(snapshotAll()).toEqual(original);
    // the headers are the files' paths relative to the root, not Ansible's bare before/after
    expect(r.stdout).toContain('--- before: a/etc/security/limits.conf\n+++ after: b/etc/security/limits.conf\n');
    expect(r.stdout).toContain('--- before: a/etc/security/limits.d/90-nproc.conf\n+++ after: b/etc/security/limits.d/90-nproc.conf\n');
    expect(r.stdout).not.toMatch(/^--- before$/m);
    // the `*` soft nproc change edits the line that wins (limits.d/90-nproc.conf), not limits.conf
    expect(r.stdout).toContain('-*          soft    nproc     1024\n+*          soft    nproc     2048\n');
    // both @developers lines are edited, aligned
    expect(r.stdout).toContain('+@developers     soft    nofile          32768\n+@developers     hard    nofile          32768\n');
    // who does not get the value is a warning, not a failure
    expect(r.stdout + r.stderr).toMatch(/\[WARNING\]: root keeps nproc soft/);
  }, 180_000);

  let results: Record<Host, TaskResult[]>;

  it('apply: every task changes, returns effective values, warnings and where the library came from', () => {
    const r = playbook('apply', PLAYBOOK, [], { ANSIBLE_STDOUT_CALLBACK: 'json' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, TaskResult> }> }>; stats: Record<string, Record<string, number>> };
    for (const h of HOSTS) expect(out.stats[h], h).toMatchObject({ ok: 10, changed: 10, failures: 0, unreachable: 0 });
    const tasks = out.plays[0]!.tasks;
    expect(tasks).toHaveLength(10);
    results = Object.fromEntries(HOSTS.map((h) => [h, tasks.map((t) => t.hosts[h]!)])) as Record<Host, TaskResult[]>;
    for (const h of HOSTS) {
      const res = results[h];
      for (const [i, t] of res.entries()) {
        expect(t.changed, `${h} task ${i + 1}: ${t.msg}`).toBe(true);
        expect(t.failed ?? false).toBe(false);
        // deb1 names the library with limitsctl_path; the others find it through ANSIBLE_LIBRARY
        expect(t.limitsctl_path).toBe(DIST);
      }
      expect(res[0]!.msg).toBe('changed: admin - nproc 4096');
      expect(res[0]!.effective.admin!.limits.nproc).toMatchObject({ soft: 4096, hard: 4096, soft_from: expect.objectContaining({ file: expect.any(String) }) }); // Ansible results keep snake_case
      expect(res[3]!.msg).toBe('changed: removed 1 line for postgres - nofile');
      expect(res[6]!.effective.root!.limits.nofile).toMatchObject({ soft: 1048576, hard: 1048576 });
      expect(res[8]!.effective.deploy!.limits.nofile).toMatchObject({ soft: 65536, hard: 65536 });
      // task 3 (`*` soft nproc 2048): root keeps its own value
      expect(res[2]!.warnings?.join('\n')).toMatch(/^root keeps nproc soft/m);
      expect(res[2]!.files.map((f) => f.path)).toEqual(['etc/security/limits.d/90-nproc.conf']);
    }
    expect(results.deb1[0]!.profile).toBe('debian-12');
    expect(results.rhel1[0]!.profile).toBe('rhel-7');
    // the symlink is written through: the result names the file really written
    expect(results.link1[0]!.files[0]).toMatchObject({ path: 'etc/security/limits.conf', real_path: path.join(rootOf('link1'), 'srv/limits/limits.conf') });
    // nonl1: www-data's hard nproc 512 keeps `*` soft 2048 from taking effect for www-data
    expect(results.nonl1[2]!.warnings?.join('\n')).toMatch(/^www-data keeps nproc soft 512 \(wanted 2048\): soft is lowered to the hard limit 512 .*\(type: both\)/m);
  }, 180_000);

  it('re-run: changed=0 for every host, nothing touched', () => {
    const before = snapshotAll();
    const r = playbook('rerun', PLAYBOOK, ['--diff']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rc = recap(r.stdout);
    for (const h of HOSTS) expect(rc[h], h).toMatchObject({ ok: 10, changed: 0, failed: 0, unreachable: 0 });
    expect(snapshotAll()).toEqual(before);
  }, 180_000);

  it('the trees have the values, as the CLI computes them', () => {
    for (const h of HOSTS) {
      const nonl = h === 'nonl1';
      const get = (user: string, item: string) => effective(h, user).limits[item];
      expect(get('admin', 'nproc'), h).toMatchObject({ soft: 4096, hard: 4096 });
      expect(get('admin', 'stack'), h).toMatchObject({ soft: 16384 }); // @users stack.soft
      expect(get('alice', 'nofile'), h).toMatchObject({ soft: 4096, hard: 8192 });
      expect(get('alice', 'nice'), h).toMatchObject({ soft: -5, hard: -5 });
      expect(get('alice', 'nproc'), h).toMatchObject({ soft: 2048, hard: 8192 });
      expect(get('deploy', 'nofile'), h).toMatchObject({ soft: 65536, hard: 65536 });
      expect(get('deploy', 'memlock'), h).toMatchObject({ hard: 64 });
      expect(get('postgres', 'nofile'), h).toMatchObject({ soft: null, hard: null });
      expect(get('root', 'nofile'), h).toMatchObject({ soft: 1048576, hard: 1048576 });
      expect(get('www-data', 'maxlogins'), h).toMatchObject({ soft: 2, hard: 2 });
      expect(get('www-data', 'nproc'), h).toMatchObject(nonl ? { soft: 512, hard: 512 } : { soft: 2048, hard: 8192 });
      expect(get('nobody', 'nproc'), h).toMatchObject({ soft: 2048, hard: 8192 });
      // `* hard core 0` is gone: nobody's hard core is inherited again
      expect(get('nobody', 'core'), h).toMatchObject({ hard: null });
    }
    // both @developers lines were edited in place, column alignment kept (a member without lines of
    // their own would get 32768)
    for (const h of HOSTS) {
      const conf = readFileSync(path.join(rootOf(h), h === 'link1' ? 'srv/limits/limits.conf' : 'etc/security/limits.conf'), 'utf8');
      expect(conf, h).toContain('\n@developers     soft    nofile          32768\n@developers     hard    nofile          32768\n');
    }
    // RHEL: the line that won was in 90-nproc.conf; 20-nproc.conf (read before it) is untouched
    expect(readFileSync(path.join(rootOf('rhel1'), 'etc/security/limits.d/20-nproc.conf'), 'utf8')).toBe(RHEL_20);
  }, 120_000);

  it('the symlink is still a symlink, and the file without a final newline is intact', () => {
    const link = path.join(rootOf('link1'), 'etc/security/limits.conf');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(LINK_TARGET);
    expect(readFileSync(path.join(rootOf('link1'), 'srv/limits/limits.conf'), 'utf8')).toMatch(/^admin\s+-\s+nproc\s+4096$/m);

    const before = readFileSync(path.join(DEMO, 'etc/security/limits.conf'), 'utf8').replace('\n# End of file\n', '').replace(/\n+$/, '');
    const after = readFileSync(path.join(rootOf('nonl1'), 'etc/security/limits.conf'), 'utf8');
    const lines = after.split('\n');
    // its last line is still a line of its own (not glued to a new one, A1), and the new
    // www-data line follows it
    expect(lines).toContain(NONL_LAST);
    expect(lines[lines.indexOf(NONL_LAST) + 1]).toMatch(/^www-data\s+-\s+maxlogins\s+2$/);
    expect(after.endsWith('\n')).toBe(true);
    // every entry line has exactly four fields
    for (const l of lines) if (l.trim() !== '' && !l.trimStart().startsWith('#')) expect(l.trim().split(/\s+/), l).toHaveLength(4);
    // every comment of the original is still there, in order
    const comments = (t: string) => t.split('\n').filter((l) => l.startsWith('#'));
    expect(comments(after)).toEqual(comments(before));
  });

  it('bad input: failed=1 per host with a clear msg, and no file touched', () => {
    const before = snapshotAll();
    const r = playbook('bad', BAD_PLAYBOOK, []);
    expect(r.code).not.toBe(0);
    const rc = recap(r.stdout);
    for (const h of HOSTS) expect(rc[h], h).toMatchObject({ failed: 1, changed: 0 });
    expect(r.stdout).toContain("pam_limits would not read '10k' as written for nproc");
    expect(r.stdout).toMatch(/refusing: the change would not take effect \(nothing was written\): any account matching @developers: nofile soft would be 32768, not 100000/);
    expect(snapshotAll()).toEqual(before);
  }, 180_000);
});
