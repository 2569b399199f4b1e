/**
 * The collection limitsctl.pam as a user installs it: galaxy.yml's version is package.json's;
 * `ansible-galaxy collection build` works from the tracked files alone (a clean clone) and the
 * tarball holds the action, its documentation and the README; installed from the tarball,
 * `ansible-doc limitsctl.pam.limits` documents every parameter the planner accepts
 * (src/core/fleet/params.ts PARAMS) and finds the planner through LIMITSCTL_PATH (a run without
 * it fails with a plain msg saying what to set, nothing written).
 * Skips when ansible is missing, unless LIMITSCTL_REQUIRE_ANSIBLE=1. Needs dist/ (npm run build).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PARAMS } from '../../src/core/fleet/params.js';
import { ansibleEnv, ansibleSkipReason, DEMO, REPO } from '../ansible/helpers.js';

const COLLECTION = 'ansible/collections/ansible_collections/limitsctl/pam';
const skipReason = ansibleSkipReason('collection build tests');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-collection-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('galaxy.yml', () => {
  it("has package.json's version", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const galaxy = readFileSync(path.join(REPO, COLLECTION, 'galaxy.yml'), 'utf8');
    expect(galaxy).toMatch(new RegExp(`^version: ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(galaxy).toMatch(/^namespace: limitsctl$/m);
    expect(galaxy).toMatch(/^name: pam$/m);
  });
});

describe.skipIf(skipReason !== null)('the built collection', () => {
  it('builds from the tracked files, installs, documents every parameter, and finds the planner through LIMITSCTL_PATH', () => {
    if (!existsSync(path.join(REPO, 'dist/fleet/server.js'))) throw new Error('dist/fleet/server.js is missing: run npm run build first');
    // a clean clone: only the files git tracks
    const clone = path.join(tmp, 'clone');
    const tracked = execFileSync('git', ['ls-files', '-z', '--', COLLECTION], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(4);
    for (const f of tracked) {
      mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
      cpSync(path.join(REPO, f), path.join(clone, f));
    }
    mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
    writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
    const env = ansibleEnv(tmp);
    delete env.ANSIBLE_LIBRARY;
    const run = (cmd: string, args: string[], extra: Record<string, string> = {}) => {
      const r = spawnSync(cmd, args, { cwd: tmp, encoding: 'utf8', env: { ...env, ...extra }, maxBuffer: 32 * 1024 * 1024 });
      return { out: r.stdout + r.stderr, status: r.status, stdout: r.stdout };
    };
    const built = run('ansible-galaxy', ['collection', 'build', path.join(clone, COLLECTION), '--output-path', path.join(tmp, 'out')]);
    expect(built.status, built.out).toBe(0);
    const tarball = readdirSync(path.join(tmp, 'out')).find((f) => f.endsWith('.tar.gz'))!;
    expect(tarball).toMatch(/^limitsctl-pam-\d+\.\d+\.\d+\.tar\.gz$/);
    const listing = execFileSync('tar', ['tzf', path.join(tmp, 'out', tarball)], { encoding: 'utf8' });
    for (const f of ['plugins/action/limits.py', 'plugins/modules/limits.py', 'README.md', 'meta/runtime.yml', 'MANIFEST.json']) expect(listing).toContain(f);

    const installed = path.join(tmp, 'collections');
    const inst = run('ansible-galaxy', ['collection', 'install', path.join(tmp, 'out', tarball), '-p', installed]);
    expect(inst.status, inst.out).toBe(0);
    const docEnv = { ANSIBLE_COLLECTIONS_PATH: installed };
    const doc = run('ansible-doc', ['--json', 'limitsctl.pam.limits'], docEnv);
    expect(doc.status, doc.out).toBe(0);
    const parsed = JSON.parse(doc.stdout) as Record<string, { doc: { options: Record<string, { aliases?: string[] }> }; examples: string; return: Record<string, unknown> }>;
    const entry = parsed['limitsctl.pam.limits']!;
    expect(Object.keys(entry.doc.options).sort()).toEqual(Object.keys(PARAMS).sort());
    for (const [name, spec] of Object.entries(PARAMS)) expect(entry.doc.options[name]!.aliases ?? [], name).toEqual(spec.aliases ?? []);
    expect(entry.examples).toMatch(/limitsctl\.pam\.limits:/);
    for (const k of ['changed', 'msg', 'profile', 'files', 'warnings', 'diff', 'limits']) expect(Object.keys(entry.return)).toContain(k);

    // installed elsewhere, the action finds the planner only through LIMITSCTL_PATH
    const root = path.join(tmp, 'host');
    cpSync(DEMO, root, { recursive: true });
    const before = readFileSync(path.join(root, 'etc/security/limits.conf'), 'latin1');
    writeFileSync(path.join(tmp, 'inv'), `h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`);
    writeFileSync(path.join(tmp, 'pb.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - limitsctl.pam.limits: {root: "${root}", user: admin, item: nofile, value: 4096}\n`);
    const json = { ...docEnv, ANSIBLE_STDOUT_CALLBACK: 'json' };
    const without = run('ansible-playbook', ['-i', path.join(tmp, 'inv'), path.join(tmp, 'pb.yml')], json);
    const res0 = (JSON.parse(without.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { failed?: boolean; msg?: string }> }> }> }).plays[0]!.tasks[0]!.hosts.h!;
    expect(res0.failed).toBe(true);
    expect(res0.msg).toMatch(/cannot find limitsctl's planner.*LIMITSCTL_PATH/);
    expect(readFileSync(path.join(root, 'etc/security/limits.conf'), 'latin1')).toBe(before);
    const withPath = run('ansible-playbook', ['-i', path.join(tmp, 'inv'), path.join(tmp, 'pb.yml')], { ...json, LIMITSCTL_PATH: REPO });
    const res1 = (JSON.parse(withPath.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { changed?: boolean; profile?: string }> }> }> }).plays[0]!.tasks[0]!.hosts.h!;
    expect(res1, withPath.out).toMatchObject({ changed: true, profile: 'debian-12' });
    expect(readFileSync(path.join(root, 'etc/security/limits.conf'), 'latin1')).toMatch(/^admin\s+-\s+nofile\s+4096$/m);
  }, 240_000);
});
