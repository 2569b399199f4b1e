/**
 * The action plugin (plugins/action/limits.py) under a real ansible-playbook, connection local:
 * a 200 KiB limits.conf travels on the write command's stdin; a planner that cannot start gives
 * its real cause (Node's error line, or the LIMITSCTL_NODE it could not run) and leaves no
 * .sock.lock/.sock.log behind. Skips when ansible is missing, unless LIMITSCTL_REQUIRE_ANSIBLE=1.
 * Needs dist/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansibleEnv, ansibleSkipReason, DEMO, REPO } from '../ansible/helpers.js';

const skipReason = ansibleSkipReason('action plugin tests');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-action-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type HostResult = { failed?: boolean; changed?: boolean; msg?: string };

function play(name: string, task: string, extra: Record<string, string> = {}, flags: string[] = []): { res: HostResult; out: string; tmpdir: string } {
  const dir = path.join(tmp, name);
  const tmpdir = path.join(dir, 't');
  mkdirSync(tmpdir, { recursive: true });
  mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
  writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
  writeFileSync(path.join(dir, 'inv'), 'h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(path.join(dir, 'pb.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - limitsctl.pam.limits: ${task}\n`);
  const env = { ...ansibleEnv(tmp), ANSIBLE_COLLECTIONS_PATH: path.join(REPO, 'ansible/collections'), ANSIBLE_STDOUT_CALLBACK: 'json', TMPDIR: tmpdir, ...extra };
  delete (env as Record<string, string | undefined>).ANSIBLE_LIBRARY;
  const r = spawnSync('ansible-playbook', ['-i', path.join(dir, 'inv'), ...flags, path.join(dir, 'pb.yml')], { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const res = (JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, HostResult> }> }> }).plays[0]!.tasks[0]!.hosts.h!;
  return { res, out: r.stdout + r.stderr, tmpdir };
}

const litter = (tmpdir: string) => {
  const d = path.join(tmpdir, `limitsctl-fleet-${process.getuid!()}`);
  return existsSync(d) ? readdirSync(d) : [];
};

describe.skipIf(skipReason !== null)('the action plugin', () => {
  it('writes a 200 KiB limits.conf (the bytes on stdin); check mode says the same', () => {
    if (!existsSync(path.join(REPO, 'dist/fleet/server.js'))) throw new Error('dist/fleet/server.js is missing: run npm run build first');
    const root = path.join(tmp, 'host');
    cpSync(DEMO, root, { recursive: true });
    const conf = path.join(root, 'etc/security/limits.conf');
    let text = readFileSync(conf, 'latin1');
    for (let i = 0; text.length < 200 * 1024; i++) text += `user${String(i).padStart(5, '0')}   soft   nofile   ${1000 + i}\n`;
    writeFileSync(conf, text, 'latin1');
    const task = `{root: "${root}", user: admin, item: nproc, value: 5}`;
    const check = play('big-check', task, {}, ['--check']);
    expect(check.res, check.out).toMatchObject({ changed: true });
    expect(readFileSync(conf, 'latin1')).toBe(text);
    const run = play('big', task);
    expect(run.res, run.out).toMatchObject({ changed: true });
    expect(run.res.failed).toBeUndefined();
    expect(readFileSync(conf, 'latin1')).toMatch(/^admin\s+-\s+nproc\s+5$/m);
    expect(readFileSync(conf, 'latin1').startsWith(text.replace(/\n# End of file\n[^]*$/, ''))).toBe(true);
  }, 120_000);

  it('a planner that cannot start: the msg gives the cause, no lock or log is left', () => {
    // a "checkout" whose dist lacks the planner's modules
    const broken = path.join(tmp, 'broken');
    mkdirSync(path.join(broken, 'dist/fleet'), { recursive: true });
    writeFileSync(path.join(broken, 'package.json'), '{"name": "limitsctl", "type": "module"}\n');
    writeFileSync(path.join(broken, 'dist/fleet/server.js'), "import './plan-host.js';\n");
    const root = path.join(tmp, 'host2');
    cpSync(DEMO, root, { recursive: true });
    const task = `{root: "${root}", user: admin, item: nofile, value: 10}`;
    const a = play('broken', task, { LIMITSCTL_PATH: broken });
    expect(a.res.failed).toBe(true);
    expect(a.res.msg).toMatch(/did not start: .*(ERR_MODULE_NOT_FOUND|Cannot find module)/);
    expect(litter(a.tmpdir)).toEqual([]);
    const b = play('nonode', task, { LIMITSCTL_NODE: path.join(tmp, 'no-such-node') });
    expect(b.res.failed).toBe(true);
    expect(b.res.msg).toMatch(/LIMITSCTL_NODE/);
    expect(litter(b.tmpdir)).toEqual([]);
  }, 120_000);
});
