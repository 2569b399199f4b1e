#!/usr/bin/env node
// The same 10 limits on one host (a temporary copy of fixtures/demo, connection local) through
// limitsctl's Ansible module (one task per change, as a user would write it) and through Ansible's
// own community.general.pam_limits (same 10 changes, same number of tasks, dest = limits.conf);
// also limitsctl's `policy` parameter doing all 10 in one task. Wall time of each ansible-playbook
// run (the first run changes the tree, the re-run changes nothing), median of BENCH_REPS runs
// (default 3), each on a fresh copy. Skips (exit 0) with a reason when Ansible is missing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(REPO, 'fixtures/demo');
const LIBRARY = path.join(REPO, 'ansible/library');
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3) || 3);

function skip(reason) {
  console.log(`ansible bench skipped: ${reason}`);
  process.exit(0);
}

// domain, type (- = both), item, value: ten changes both modules can express
const CHANGES = [
  ['admin', '-', 'nproc', '4096'],
  ['admin', 'soft', 'nofile', '8192'],
  ['admin', 'hard', 'nofile', '16384'],
  ['deploy', 'hard', 'core', '0'],
  ['alice', '-', 'nice', '-5'],
  ['@developers', 'soft', 'nofile', '16384'],
  ['@developers', 'hard', 'nofile', '32768'],
  ['postgres', '-', 'nofile', '131072'],
  ['www-data', '-', 'maxlogins', '2'],
  ['@users', 'soft', 'stack', '16384'],
];

const q = (s) => JSON.stringify(s); // YAML accepts JSON strings
const header = (name) => `- name: ${q(name)}\n  hosts: all\n  gather_facts: false\n  tasks:\n`;

function limitsctlTasks() {
  return header('limitsctl, one task per change') + CHANGES.map(([d, t, i, val]) => [
    `    - name: ${q(`${d} ${t} ${i} ${val}`)}`,
    '      limitsctl:',
    '        root: "{{ limits_root }}"',
    `        domain: ${q(d)}`,
    `        type: ${q(t === '-' ? 'both' : t)}`,
    `        item: ${i}`,
    `        value: ${q(val)}`,
  ].join('\n')).join('\n') + '\n';
}

function pamLimitsTasks() {
  return header('community.general.pam_limits, one task per change') + CHANGES.map(([d, t, i, val]) => [
    `    - name: ${q(`${d} ${t} ${i} ${val}`)}`,
    '      community.general.pam_limits:',
    '        dest: "{{ limits_root }}/etc/security/limits.conf"',
    `        domain: ${q(d)}`,
    `        limit_type: ${q(t)}`,
    `        limit_item: ${i}`,
    `        value: ${q(val)}`,
  ].join('\n')).join('\n') + '\n';
}

function policyTask() {
  const byDomain = new Map();
  for (const [d, t, i, val] of CHANGES) {
    if (!byDomain.has(d)) byDomain.set(d, []);
    byDomain.get(d).push(`          ${t === '-' ? i : `${i}.${t}`}: ${q(val)}`);
  }
  return header('limitsctl, all ten as one policy') + [
    '    - name: the policy',
    '      limitsctl:',
    '        root: "{{ limits_root }}"',
    '        policy:',
    ...[...byDomain].flatMap(([d, lines]) => [`          ${q(d)}:`, ...lines.map((l) => `  ${l}`)]),
  ].join('\n') + '\n';
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-ansible-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
const env = {};
for (const [k, val] of Object.entries(process.env)) if (!k.startsWith('ANSIBLE_') && k !== 'LIMITSCTL_PATH') env[k] = val;
Object.assign(env, {
  PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  LC_ALL: 'C.UTF-8',
  ANSIBLE_CONFIG: path.join(tmp, 'ansible/ansible.cfg'),
  ANSIBLE_HOME: path.join(tmp, 'ansible/home'),
  ANSIBLE_LOCAL_TEMP: path.join(tmp, 'ansible/local-tmp'),
  ANSIBLE_REMOTE_TEMP: path.join(tmp, 'ansible/remote-tmp'),
  ANSIBLE_LIBRARY: LIBRARY,
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_RETRY_FILES_ENABLED: 'False',
  ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
  ANSIBLE_GATHERING: 'explicit',
  ANSIBLE_STDOUT_CALLBACK: 'default',
});

const v = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8', env });
if (v.error || v.status !== 0) skip('ansible-playbook is not installed (apt-get install ansible)');
if (!existsSync(path.join(REPO, 'dist/index.js'))) skip('dist/ is not built (npm run build)');
const doc = spawnSync('ansible-doc', ['-t', 'module', '--json', 'community.general.pam_limits'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
if (doc.status !== 0) skip('community.general.pam_limits is not installed (Debian: apt-get install ansible)');
const coreVersion = /core ([\d.]+)/.exec(v.stdout)?.[1] ?? '?';
const cgVersion = /"version":\s*"([^"]+)"/.exec(spawnSync('ansible-galaxy', ['collection', 'list', 'community.general', '--format', 'json'], { encoding: 'utf8', env }).stdout ?? '')?.[1] ?? '?';


const variants = [
  { key: 'limitsctl', label: 'limitsctl module, 10 tasks', text: limitsctlTasks() },
  { key: 'pam_limits', label: 'community.general.pam_limits, 10 tasks', text: pamLimitsTasks() },
  { key: 'policy', label: 'limitsctl policy, 1 task', text: policyTask() },
];
for (const va of variants) {
  va.file = path.join(tmp, `${va.key}.yml`);
  writeFileSync(va.file, va.text);
  va.apply = [];
  va.rerun = [];
}

function run(va, root) {
  const inv = path.join(tmp, `${va.key}.ini`);
  writeFileSync(inv, `bench ansible_connection=local limits_root=${root}\n`);
  const t0 = performance.now();
  const r = spawnSync('ansible-playbook', ['-i', inv, va.file], { cwd: tmp, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  const changed = Number(/changed=(\d+)/.exec(r.stdout.slice(r.stdout.lastIndexOf('PLAY RECAP')))?.[1] ?? NaN);
  if (r.status !== 0) {
    console.log(r.stdout, r.stderr);
    throw new Error(`${va.label}: ansible-playbook exited with ${r.status}`);
  }
  return { ms, changed };
}

console.log(`ansible-core ${coreVersion}, community.general ${cgVersion}, node ${process.version}; one host (connection local, a copy of fixtures/demo); median of ${REPS}`);
for (let rep = 0; rep < REPS; rep++) {
  for (const va of variants) {
    const root = path.join(tmp, `${va.key}-${rep}`);
    cpSync(DEMO, root, { recursive: true });
    const a = run(va, root);
    const b = run(va, root);
    va.apply.push(a.ms);
    va.rerun.push(b.ms);
    va.changed = [a.changed, b.changed];
  }
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
console.log(`${pad('', 40)}${padl('apply (10 changes)', 20)}${padl('re-run (no change)', 20)}${padl('changed (runs 1, 2)', 21)}`);
for (const va of variants) {
  console.log(`${pad(va.label, 40)}${padl(sec(median(va.apply)), 20)}${padl(sec(median(va.rerun)), 20)}${padl(`${va.changed[0]}, ${va.changed[1]}`, 21)}`);
}
const [lc, pl, po] = variants;
const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
console.log(`${pad('ratio limitsctl / pam_limits (10 tasks)', 40)}${padl(ratio(lc.apply, pl.apply), 20)}${padl(ratio(lc.rerun, pl.rerun), 20)}`);
console.log(`${pad('ratio limitsctl policy / pam_limits', 40)}${padl(ratio(po.apply, pl.apply), 20)}${padl(ratio(po.rerun, pl.rerun), 20)}`);
const perTask = (va) => (median(va.apply) - median(po.apply)) / 9;
console.log(`per extra task (10-task run minus the 1-task policy run, / 9): limitsctl ≈ ${sec(perTask(lc))}, pam_limits ≈ ${sec(perTask(pl))}`);

// Same result? The effective limits of the accounts involved, by limitsctl's resolver, in the trees
// of the first repetition (pam_limits places lines differently, e.g. after "# End of file").
const lib = await import(path.join(REPO, 'dist/index.js'));
const USERS = ['admin', 'alice', 'deploy', 'postgres', 'www-data', 'root'];
function values(root) {
  const { profile } = lib.detectProfile(root);
  const tree = lib.loadTree(root, { profile });
  const base = lib.loadBaseline({ root });
  return USERS.map((u) => {
    const res = lib.resolveLimits(tree, lib.loadIdentity(root, u), { profile, ...base });
    const { limits } = lib.effectiveJson(res);
    return `${u}: ${Object.entries(limits).map(([k, x]) => `${k}=${x.soft}/${x.hard}`).join(' ')}`;
  });
}
const ref = values(path.join(tmp, 'pam_limits-0'));
for (const va of [lc, po]) {
  const got = values(path.join(tmp, `${va.key}-0`));
  const diff = got.map((l, i) => (l === ref[i] ? null : `    ${va.key}: ${l}\n    pam_limits: ${ref[i]}`)).filter(Boolean);
  console.log(`effective limits of ${USERS.join(', ')} after "${va.label}" = after pam_limits: ${diff.length === 0 ? 'yes' : `NO\n${diff.join('\n')}`}`);
}
