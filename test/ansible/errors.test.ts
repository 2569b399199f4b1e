/**
 * The Ansible module's refusals under a real ansible-playbook (one play, every task
 * `ignore_errors`, json callback): each bad policy, in ini text and in mapping form, and a bad
 * `file`, fails with a plain `msg` that says what to change — never a stack trace — and the tree is
 * untouched (bytes, modes, mtimes, etc/security's own mtime included). The mapping form refuses
 * what the ini form refuses (`__proto__`, a domain given twice once trimmed, '#' in a domain, an
 * item given twice). A target with another hard link is refused the same way in check mode and
 * in a real run (the edit transaction's pre-flight), in task terms (`force: true`).
 * Skips when ansible-playbook is missing, unless LIMITSCTL_REQUIRE_ANSIBLE=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { differences, snapshot } from '../cli/snapshot.js';
import { ansibleEnv, ansibleSkipReason, DEMO } from './helpers.js';

const skipReason = ansibleSkipReason('Ansible module error tests');

/** name → [task arguments (YAML flow), what msg must say] */
const CASES: Array<[string, string, RegExp]> = [
  ['ini: a key twice', String.raw`policy: "[a]\nnproc=5\nnproc=6"`, /'nproc' is set twice/],
  ['ini: [__proto__]', String.raw`policy: "[__proto__]\nnproc=5"`, /__proto__/],
  ['ini: [a#b]', String.raw`policy: "[a#b]\nnproc=5"`, /'#' starts a comment/],
  ['ini: an entry outside a section', String.raw`policy: "nproc=5\n[a]\nnofile=5"`, /outside a section/],
  ['a file name as the policy', 'policy: /srv/policy.ini', /not a file name.*lookup\('file', '\/srv\/policy\.ini'\)/],
  ['mapping: __proto__', 'policy: {"__proto__": {nproc: 5}}', /'__proto__' cannot be a domain/],
  ['JSON text: __proto__', `policy: '{"__proto__": {"nproc": 5}}'`, /'__proto__' cannot be a domain/],
  ['mapping: the same domain once trimmed', 'policy: {"*": {nproc: 5}, " * ": {nofile: 6}}', /same domain once trimmed/],
  ['mapping: # in a domain', 'policy: {"a#b": {nproc: 5}}', /'#'/],
  ['mapping: an item twice', 'policy: {admin: {nproc: 5, NPROC: 6}}', /nproc is set twice in \[admin\] \(nproc, NPROC\)/],
  ['mapping: an item and its half', 'policy: {admin: {nproc: 5, nproc.soft: 6}}', /nproc is set twice in \[admin\]/],
  ['an empty file', 'user: admin, item: nproc, value: 5, file: ""', /^file must not be empty/],
];

let tmp = '';
afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

describe.skipIf(skipReason !== null)('the limitsctl Ansible module: refusals', () => {
  it('every bad policy or file fails with a plain msg (no stack trace) and touches nothing; a hard link is refused in check mode too', () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-ansible-err-'));
    const root = path.join(tmp, 'tree');
    cpSync(DEMO, root, { recursive: true });
    const hard = path.join(root, 'hardlinked');
    cpSync(DEMO, hard, { recursive: true });
    linkSync(path.join(hard, 'etc/security/limits.conf'), path.join(tmp, 'other-name'));
    mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
    writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
    writeFileSync(path.join(tmp, 'inventory.ini'), `[pam]\nlocalhost ansible_connection=local limits_root=${root}\n`);
    const tasks = CASES.map(([, args], i) => `    - name: "case ${i}"\n      limitsctl: {root: "{{ limits_root }}", ${args}}\n      ignore_errors: true\n`);
    for (const check of [true, false]) {
      tasks.push(`    - name: "hard link ${check ? 'check' : 'real'}"\n      limitsctl: {root: "${hard}", user: admin, item: nproc, value: 5}\n      check_mode: ${check}\n      ignore_errors: true\n`);
    }
    const playbook = path.join(tmp, 'errors.yml');
    writeFileSync(playbook, `- hosts: pam\n  gather_facts: false\n  tasks:\n${tasks.join('')}`);

    const before = snapshot(root);
    const beforeHard = snapshot(hard);
    const r = spawnSync('ansible-playbook', ['-i', path.join(tmp, 'inventory.ini'), playbook], {
      cwd: tmp,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: ansibleEnv(tmp, { ANSIBLE_STDOUT_CALLBACK: 'json' }),
    });
    expect(r.status, r.stdout + r.stderr).toBe(0); // ignore_errors: the play itself succeeds
    const out = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, { failed?: boolean; changed?: boolean; msg?: string; error_code?: string }> }> }> };
    const results = out.plays[0]!.tasks.map((t) => [t.task.name, t.hosts.localhost!] as const);
    expect(results).toHaveLength(CASES.length + 2);
    for (const [i, [name, , want]] of CASES.entries()) {
      const [, res] = results[i]!;
      expect(res.failed, `${name}: ${JSON.stringify(res)}`).toBe(true);
      expect(res.changed ?? false, name).toBe(false);
      expect(res.msg, name).toMatch(want);
      expect(res.msg, name).not.toMatch(/module error|\n\s+at |\.js:\d+/);
    }
    const [checkRes, realRes] = [results[CASES.length]![1], results[CASES.length + 1]![1]];
    for (const res of [checkRes, realRes]) {
      expect(res.failed, JSON.stringify(res)).toBe(true);
      expect(res.error_code).toBe('EHARDLINK');
      expect(res.msg).toMatch(/it has 2 hard links.*\(force: true\)/);
    }
    expect(checkRes.msg).toBe(realRes.msg);
    expect(differences(before, snapshot(root))).toEqual([]);
    expect(differences(beforeHard, snapshot(hard))).toEqual([]);
  }, 180_000);
});
