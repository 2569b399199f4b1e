#!/usr/bin/env node
// A fleet through Ansible: BENCH_ANSIBLE_HOSTS hosts (default 100; connection local, each host its
// own copy of fixtures/demo, passed as the collection's `root` and as pam_limits' `dest`) × the same
// 10 changes, in the same run:
//   * the collection's action limitsctl.pam.limits (ansible/collections/…/limitsctl/pam: plans on
//     the controller in one warm planner, one read and at most one write command per host and task),
//     once as one task whose `policy` holds the 10 changes (the figure: how a fleet makes many
//     changes) and once as one task per change;
//   * Ansible's own community.general.pam_limits (10 tasks, dest = each host's limits.conf).
// Wall time of each ansible-playbook run: the first run changes every tree, the re-run has nothing
// to change. Forks: ansible's default unless BENCH_ANSIBLE_FORKS is set (printed either way). The
// ratio is pam_limits time / collection time (the issue's target: at least 10). A third playbook of
// 10 ansible.builtin.debug tasks (no host work at all) on the same hosts is the floor Ansible itself
// costs (worker forks, results, callbacks); the ratio above that floor is printed too, and the load
// average before and after, since on a busy machine the floor is most of the time. Each variant runs
// BENCH_REPS times (default 1: pam_limits alone takes minutes), alternating, each rep on fresh copies;
// medians are printed. LIMITSCTL_COLLECTIONS_PATH measures an installed copy instead of this
// checkout's (name the planner with LIMITSCTL_PATH then). Without the collection only the baseline is measured; without Ansible the
// bench skips (exit 0) with the reason.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureHeader } from './lib.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(REPO, 'fixtures/demo');
const COLLECTIONS = process.env.LIMITSCTL_COLLECTIONS_PATH ?? path.join(REPO, 'ansible/collections');
const COLLECTION = path.join(COLLECTIONS, 'ansible_collections/limitsctl/pam');
const HOSTS = Math.max(1, Number(process.env.BENCH_ANSIBLE_HOSTS ?? 100) || 100);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 1) || 1);
const FORKS = process.env.BENCH_ANSIBLE_FORKS ? Math.max(1, Number(process.env.BENCH_ANSIBLE_FORKS) || 1) : null;

const FIGURE = `Ansible: ${HOSTS} hosts x 10 changes, apply`;
const TARGET = '>= 10x';
function skip(reason) {
  console.log(`ansible bench skipped: ${reason}`);
  figure({ name: FIGURE, target: TARGET, skip: reason });
  process.exit(0);
}

// domain, type (- = both), item, value: ten changes both can express
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

function collectionTasks() {
  return header('limitsctl.pam.limits, one task per change') + CHANGES.map(([d, t, i, val]) => [
    `    - name: ${q(`${d} ${t} ${i} ${val}`)}`,
    '      limitsctl.pam.limits:',
    '        root: "{{ limits_root }}"',
    `        domain: ${q(d)}`,
    `        type: ${q(t === '-' ? 'both' : t)}`,
    `        item: ${i}`,
    `        value: ${q(val)}`,
  ].join('\n')).join('\n') + '\n';
}

/** The same 10 changes as one task: the collection's `policy` mapping, one read and one write per host. */
function policyTask() {
  const policy = {};
  for (const [d, t, i, val] of CHANGES) {
    const items = (policy[d] ??= {});
    items[t === '-' ? i : `${i}.${t}`] = val;
  }
  return header('limitsctl.pam.limits, the 10 changes as one policy task') + [
    '    - name: "10 changes"',
    '      limitsctl.pam.limits:',
    '        root: "{{ limits_root }}"',
    `        policy: ${JSON.stringify(policy)}`,
  ].join('\n') + '\n';
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

function floorTasks() {
  return header('ansible.builtin.debug, one task per change (no host work)') + CHANGES.map(([d, t, i, val]) => [
    `    - name: ${q(`${d} ${t} ${i} ${val}`)}`,
    '      ansible.builtin.debug:',
    `        msg: ${q(`${d} ${t} ${i} ${val}`)}`,
    '        verbosity: 1',
  ].join('\n')).join('\n') + '\n';
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-ansible-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
mkdirSync(path.join(tmp, 'ansible/home'), { recursive: true });
writeFileSync(path.join(tmp, 'ansible/ansible.cfg'), '[defaults]\n');
const env = {};
for (const [k, val] of Object.entries(process.env)) if (!k.startsWith('ANSIBLE_')) env[k] = val;
Object.assign(env, {
  PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  LC_ALL: 'C.UTF-8',
  ANSIBLE_CONFIG: path.join(tmp, 'ansible/ansible.cfg'),
  ANSIBLE_HOME: path.join(tmp, 'ansible/home'),
  ANSIBLE_LOCAL_TEMP: path.join(tmp, 'ansible/local-tmp'),
  ANSIBLE_REMOTE_TEMP: path.join(tmp, 'ansible/remote-tmp'),
  ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_RETRY_FILES_ENABLED: 'False',
  ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
  ANSIBLE_GATHERING: 'explicit',
  ANSIBLE_STDOUT_CALLBACK: 'default',
});

const v = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8', env });
if (v.error || v.status !== 0) skip('ansible-playbook is not installed (apt-get install ansible)');
const doc = spawnSync('ansible-doc', ['-t', 'module', '--json', 'community.general.pam_limits'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
if (doc.status !== 0) skip('community.general.pam_limits is not installed (Debian: apt-get install ansible)');
const coreVersion = /core ([\d.]+)/.exec(v.stdout)?.[1] ?? '?';
const cgVersion = /"version":\s*"([^"]+)"/.exec(spawnSync('ansible-galaxy', ['collection', 'list', 'community.general', '--format', 'json'], { encoding: 'utf8', env }).stdout ?? '')?.[1] ?? '?';
const defaultForks = /DEFAULT_FORKS\([^)]*\) = (\d+)/.exec(spawnSync('ansible-config', ['dump'], { encoding: 'utf8', env }).stdout ?? '')?.[1] ?? '?';
let missing = null;
if (!['galaxy.yml', 'MANIFEST.json'].some((f) => existsSync(path.join(COLLECTION, f)))) missing = `the collection is not in ${path.relative(REPO, COLLECTION) || COLLECTION}`;
else if (!existsSync(path.join(REPO, 'dist/index.js'))) missing = 'dist/ is not built (npm run build)';

const variants = [
  { key: 'floor', label: 'ansible.builtin.debug (floor)', text: floorTasks() },
  { key: 'pam_limits', label: 'community.general.pam_limits', text: pamLimitsTasks() },
  ...(missing ? [] : [
    { key: 'policy', label: 'limitsctl.pam.limits, 1 policy task', text: policyTask() },
    { key: 'collection', label: 'limitsctl.pam.limits, 10 tasks', text: collectionTasks() },
  ]),
];
for (const va of variants) {
  va.file = path.join(tmp, `${va.key}.yml`);
  writeFileSync(va.file, va.text);
  va.apply = [];
  va.rerun = [];
}

function run(va, rep) {
  const inv = path.join(tmp, `${va.key}-${rep}.ini`);
  const names = Array.from({ length: HOSTS }, (_, i) => `h${String(i).padStart(3, '0')}`);
  for (const h of names) cpSync(DEMO, path.join(tmp, `${va.key}-${rep}`, h), { recursive: true });
  writeFileSync(inv, names.map((h) => `${h} ansible_connection=local limits_root=${path.join(tmp, `${va.key}-${rep}`, h)}`).join('\n') + '\n');
  const once = () => {
    const t0 = performance.now();
    const r = spawnSync('ansible-playbook', ['-i', inv, ...(FORKS ? ['-f', String(FORKS)] : []), va.file], { cwd: tmp, env, encoding: 'utf8', maxBuffer: 256 << 20 });
    const ms = performance.now() - t0;
    if (r.status !== 0) {
      console.log(r.stdout.slice(-20000), r.stderr.slice(-5000));
      throw new Error(`${va.label}: ansible-playbook exited with ${r.status}`);
    }
    const recap = r.stdout.slice(r.stdout.lastIndexOf('PLAY RECAP'));
    const changed = [...recap.matchAll(/changed=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    return { ms, changed };
  };
  return [once(), once()];
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`${os.cpus().length} CPUs, load average ${load()} (1, 5, 15 min) before`);
console.log(`ansible-core ${coreVersion}, community.general ${cgVersion}, node ${process.version}; ${HOSTS} hosts (connection local, each a copy of fixtures/demo) × ${CHANGES.length} changes (one task each); forks ${FORKS ?? `${defaultForks} (ansible's default)`}; ${REPS === 1 ? 'one run' : `median of ${REPS}`}`);
if (missing) {
  console.log(`limitsctl.pam.limits not measured: ${missing}; measuring the baseline only`);
  figure({ name: FIGURE, target: TARGET, skip: missing });
}
for (let rep = 0; rep < REPS; rep++) {
  for (const va of variants) {
    const [a, b] = run(va, rep);
    va.apply.push(a.ms);
    va.rerun.push(b.ms);
    va.changed = [a.changed, b.changed];
  }
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const sec = (ms) => `${(ms / 1000).toFixed(1)} s`;
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
console.log(`${pad('', 34)}${padl('apply', 12)}${padl('per host·task', 15)}${padl('re-run', 12)}${padl('changed (apply, re-run)', 26)}`);
for (const va of variants) {
  const per = `${(median(va.apply) / HOSTS / (va.key === 'policy' ? 1 : CHANGES.length)).toFixed(1)} ms`;
  console.log(`${pad(va.label, 34)}${padl(sec(median(va.apply)), 12)}${padl(per, 15)}${padl(sec(median(va.rerun)), 12)}${padl(`${va.changed[0]}, ${va.changed[1]}`, 26)}`);
}
console.log(`load average ${load()} after`);
const [fl, pl, lp, lc] = variants;
if (lc) {
  const x = (a, b) => `${(median(a) / median(b)).toFixed(1)}x`;
  // the figure: the fleet's way to make 10 changes (one policy task) against pam_limits' only way (10 tasks)
  console.log(`${pad('1 policy task faster by (pam_limits / collection)', 58)}apply ${x(pl.apply, lp.apply)}, re-run ${x(pl.rerun, lp.rerun)} (target: apply >= 10x)`);
  console.log(`${pad('10 tasks faster by (pam_limits / collection)', 58)}apply ${x(pl.apply, lc.apply)}, re-run ${x(pl.rerun, lc.rerun)}`);
  figureHeader();
  figure({
    name: FIGURE, subject: `1 policy task ${sec(median(lp.apply))}`, baseline: `pam_limits, 10 tasks ${sec(median(pl.apply))}`,
    value: x(pl.apply, lp.apply), target: TARGET, pass: median(pl.apply) / median(lp.apply) >= 10,
  });
  console.log(`re-run with nothing to change: 1 policy task ${sec(median(lp.rerun))}, pam_limits (10 tasks) ${sec(median(pl.rerun))}, ${x(pl.rerun, lp.rerun)}`);
  const above = (a, b, f) => { const d = median(b) - median(f); return d > 0 ? `${((median(a) - median(f)) / d).toFixed(1)}x` : 'n/a'; };
  console.log(`${pad('10 tasks, each minus the debug floor', 58)}apply ${above(pl.apply, lc.apply, fl.apply)}, re-run ${above(pl.rerun, lc.rerun, fl.rerun)}`);

  // Same result? The effective limits of the accounts involved, by limitsctl's resolver, on the first
  // host of the first repetition (pam_limits places lines differently, e.g. after "# End of file").
  const lib = await import(path.join(REPO, 'dist/index.js'));
  const USERS = ['admin', 'alice', 'deploy', 'postgres', 'www-data', 'root'];
  const values = (root) => {
    const { profile } = lib.detectProfile(root);
    const tree = lib.loadTree(root, { profile });
    const base = lib.loadBaseline({ root });
    return USERS.map((u) => {
      const { limits } = lib.effectiveJson(lib.resolveLimits(tree, lib.loadIdentity(root, u), { profile, ...base }));
      return `${u}: ${Object.entries(limits).map(([k, x]) => `${k}=${x.soft}/${x.hard}`).join(' ')}`;
    });
  };
  const ref = values(path.join(tmp, 'pam_limits-0', 'h000'));
  for (const key of ['policy', 'collection']) {
    const got = values(path.join(tmp, `${key}-0`, 'h000'));
    const diff = got.map((l, i) => (l === ref[i] ? null : `    collection: ${l}\n    pam_limits: ${ref[i]}`)).filter(Boolean);
    console.log(`effective limits of ${USERS.join(', ')} after the collection (${key === 'policy' ? '1 policy task' : '10 tasks'}) = after pam_limits: ${diff.length === 0 ? 'yes' : `NO\n${diff.join('\n')}`}`);
  }
}
