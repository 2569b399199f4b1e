/**
 * The facts doctor works from, read from a running system or a captured snapshot: /proc, /sys,
 * systemd's configuration (read with `ini`), /etc/pam.d and sshd_config.
 *
 * Processes come and go while /proc is read: a PID that vanishes between the directory listing
 * and the last file read is skipped (and counted in census.vanished), never an error.
 *
 * Why one file (about 440 lines): it is the only module of doctor that touches the running
 * system, and every reader in it follows the same two rules (reads confined to the root through
 * ./read.ts, a vanished PID is skipped, not an error); each reader is short and parses nothing
 * itself (the parsers are pure, in src/core/doctor/). Split by source (/proc, /sys, systemd,
 * PAM and sshd) it would be four small modules that each restate those rules.
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ini from 'ini';
import {
  analyzePamService, type CensusFacts, type CgroupFacts, type CgroupNode, classifyCgroup, type KernelFacts,
  LOGIN_PATHS, type MemoryFacts, nprocOf, type PamFacts, type PamReader, parseCgroupFile, parseLoadavgTasks, parseMeminfo,
  parsePidsValue, parseSshdConfig, parseStatus, type ProcessFact, type SettingFact, SHARED_STACKS, type SshdFacts,
  type SystemdFacts, systemdCgroupOf,
} from '../core/doctor.js';
import { listDirInRoot, MAX_SMALL_FILE_BYTES, type ReadFailure, readFileCapped, readFileInRoot } from './read.js';
import { isOwnLimit, ProcessLimitError } from './write-errors.js';

/** The nproc row of /proc/PID/limits (from the core's one /proc/PID/limits parser, parseProcLimits). */
export { nprocOf };

export interface LiveSources {
  /** root of the configuration (etc/pam.d, etc/systemd, etc/ssh, ...) */
  readonly root: string;
  /** the proc file system (or a snapshot of it) */
  readonly proc: string;
  /** the sys file system (or a snapshot of it) */
  readonly sys: string;
}

const GONE = new Set(['ENOENT', 'ESRCH']);

/**
 * Where reads below `dir` are confined. The live kernel's /proc and /sys are read as the kernel
 * resolves them (their links are the kernel's); a snapshot inside the tree root (`<root>/proc`)
 * by the tree's chroot-style rule, so a link in it never leaves the root; any other snapshot
 * directory (--proc/--sys DIR) by the same rule with that directory as its root.
 */
function locate(dir: string, root?: string): { live: true; abs: string } | { live: false; base: string; prefix: string } {
  const abs = path.resolve(dir);
  if (abs === '/proc' || abs === '/sys' || abs.startsWith('/proc/') || abs.startsWith('/sys/')) return { live: true, abs };
  const r = root === undefined ? null : path.resolve(root);
  if (r !== null && (r === '/' || abs.startsWith(`${r}/`))) return { live: false, base: r, prefix: path.relative(r, abs) };
  return { live: false, base: abs, prefix: '' };
}

/** The text of `<dir>/<rel>` (regular files only, at most 1 MiB: src/io/read.ts), or the reason it has none. */
export function readUnder(dir: string, rel: string, root?: string, encoding: BufferEncoding = 'utf8'): { text: string } | { failure: ReadFailure } {
  const at = locate(dir, root);
  const r = at.live
    ? readFileCapped(path.join(at.abs, rel), { maxBytes: MAX_SMALL_FILE_BYTES })
    : readFileInRoot(at.base, path.join(at.prefix, rel), { maxBytes: MAX_SMALL_FILE_BYTES });
  return r.ok ? { text: r.bytes.toString(encoding) } : { failure: r.failure };
}

function readOptional(dir: string, rel: string, root?: string, encoding: BufferEncoding = 'utf8'): string | null {
  const r = readUnder(dir, rel, root, encoding);
  return 'text' in r ? r.text : null;
}

function readInt(dir: string, rel: string, root?: string): number | null {
  const t = readOptional(dir, rel, root);
  const m = t?.match(/^\s*(-?\d+)/);
  return m ? Number(m[1]) : null;
}

/** Names in `<dir>/<rel>` by the same confinement; throws the errno when it cannot be listed. */
export function listUnder(dir: string, rel: string, root?: string): string[] {
  const at = locate(dir, root);
  if (at.live) return readdirSync(path.join(at.abs, rel));
  const l = listDirInRoot(at.base, path.join(at.prefix, rel));
  if (!l.ok) throw Object.assign(new Error(l.failure.message), { code: 'code' in l.failure ? l.failure.code : l.failure.kind === 'missing' ? 'ENOENT' : 'EIO' });
  return l.entries.map((e) => e.name);
}

/** listUnder, or no names when it cannot be listed — except for EMFILE, ENFILE or ENOMEM (limitsctl's own limit: ProcessLimitError). */
function listDir(dir: string, rel = ''): string[] {
  try {
    return listUnder(dir, rel);
  } catch (e) {
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, path.join(dir, rel));
    return [];
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// --- processes -------------------------------------------------------------------------------

interface Light {
  readonly ppid: number;
  readonly uid: number;
  readonly comm: string;
}

/**
 * Every process's status (for the system's task count), and the full facts of the processes
 * whose real uid is `uid`. Throws only when `proc` itself cannot be listed.
 */
export function readProcesses(proc: string, uid: number, root?: string): { processes: ProcessFact[]; census: CensusFacts } {
  const names = listUnder(proc, '', root);
  const all = new Map<number, Light>();
  const mine: Array<{ pid: number; st: NonNullable<ReturnType<typeof parseStatus>> }> = [];
  let processes = 0;
  let tasks = 0;
  let vanished = 0;
  let unreadable = 0;
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39 || !/^\d+$/.test(name)) continue;
    const got = readUnder(proc, `${name}/status`, root, 'latin1');
    if (!('text' in got)) {
      if (got.failure.kind === 'missing' || ('code' in got.failure && GONE.has(got.failure.code))) vanished++;
      else unreadable++;
      continue;
    }
    const text = got.text;
    const st = parseStatus(text);
    if (!st) { vanished++; continue; } // an empty or cut read: the task is exiting
    const pid = Number(name);
    processes++;
    tasks += st.threads;
    all.set(pid, { ppid: st.ppid, uid: st.uid, comm: st.name });
    if (st.uid === uid) mine.push({ pid, st });
  }
  const out: ProcessFact[] = [];
  for (const { pid, st } of mine) {
    let gone = false;
    let missing = false;
    const read = (file: string, encoding: BufferEncoding = 'latin1'): string | null => {
      const got = readUnder(proc, `${pid}/${file}`, root, encoding);
      if ('text' in got) return got.text;
      if ('code' in got.failure && got.failure.code === 'ESRCH') gone = true;
      // ENOENT: the process vanished, or a snapshot did not capture the file (checked below)
      else missing = true;
      return null;
    };
    const cmdline = read('cmdline', 'utf8');
    const limits = read('limits');
    const cgroupText = read('cgroup');
    // an empty limits file is a process that exited while we read it
    if (gone || ((missing || limits === '') && readOptional(proc, `${pid}/status`, root) === null)) { vanished++; continue; }
    const lines = cgroupText === null ? null : parseCgroupFile(cgroupText);
    const nproc = limits === null ? null : nprocOf(limits);
    let argv = cmdline === null || cmdline === '' ? [] : cmdline.split('\0');
    if (argv.length > 1 && argv[argv.length - 1] === '') argv = argv.slice(0, -1);
    out.push({
      pid, ppid: st.ppid, uid: st.uid, threads: st.threads, state: st.state, comm: st.name, argv,
      nproc,
      cgroup: lines ? systemdCgroupOf(lines) : null,
      pidsCgroup: lines ? (lines.unified !== null && lines.pids === null ? lines.unified : lines.pids) : null,
      spawnedBy: spawner(all, st.ppid, uid),
    });
  }
  const loadavg = readOptional(proc, 'loadavg', root);
  return {
    processes: out,
    census: { processes, tasks, loadavgTasks: loadavg === null ? null : parseLoadavgTasks(loadavg), vanished, unreadable },
  };
}

/** The nearest ancestor not owned by `uid`. */
function spawner(all: Map<number, Light>, ppid: number, uid: number): ProcessFact['spawnedBy'] {
  let pid = ppid;
  for (let hops = 0; hops < 64 && pid > 0; hops++) {
    const p = all.get(pid);
    if (!p) return null;
    if (p.uid !== uid) return { pid, comm: p.comm };
    pid = p.ppid;
  }
  return null;
}

// --- kernel and memory -----------------------------------------------------------------------

function readKernel(proc: string, root?: string): KernelFacts {
  return {
    pidMax: readInt(proc, 'sys/kernel/pid_max', root),
    threadsMax: readInt(proc, 'sys/kernel/threads-max', root),
    overcommitMemory: readInt(proc, 'sys/vm/overcommit_memory', root),
    overcommitRatio: readInt(proc, 'sys/vm/overcommit_ratio', root),
    overcommitKbytes: readInt(proc, 'sys/vm/overcommit_kbytes', root),
  };
}

function readMemory(proc: string, root?: string): MemoryFacts | null {
  const t = readOptional(proc, 'meminfo', root);
  return t === null ? null : parseMeminfo(t);
}

// --- cgroups ---------------------------------------------------------------------------------

const MAX_CGROUPS = 500;

export function readCgroups(sys: string, uid: number, processes: readonly ProcessFact[], root?: string): CgroupFacts {
  const base = path.join(sys, 'fs/cgroup');
  const v2 = existsSync(path.join(base, 'cgroup.controllers'));
  const v1 = !v2 && existsSync(path.join(base, 'pids'));
  // systemd's hybrid layout: v1 controllers plus the unified hierarchy for process tracking
  const hybrid = !v2 && existsSync(path.join(base, 'unified/cgroup.controllers'));
  const version = v2 ? 'v2' : hybrid ? 'hybrid' : v1 ? 'v1' : 'none';
  const pidsBase = v2 ? base : v1 ? path.join(base, 'pids') : null;
  const sliceRel = `/user.slice/user-${uid}.slice`;
  const wanted = new Set<string>();
  const addWithAncestors = (p: string) => {
    let cur = p.replace(/\/+$/, '');
    while (cur !== '' && cur !== '/' && wanted.size < MAX_CGROUPS) {
      wanted.add(cur);
      cur = cur.slice(0, cur.lastIndexOf('/'));
    }
  };
  if (pidsBase && existsSync(path.join(pidsBase, sliceRel))) addWithAncestors(sliceRel);
  for (const p of processes) if (p.pidsCgroup) addWithAncestors(p.pidsCgroup);
  const nodes: CgroupNode[] = [];
  for (const p of [...wanted].sort()) {
    const dir = pidsBase ? path.join(pidsBase, p) : null;
    const cls = classifyCgroup(p);
    nodes.push({
      path: p, kind: cls.kind, unit: cls.unit,
      pidsMax: dir ? parsePidsValue(readOptional(sys, path.relative(sys, path.join(dir, 'pids.max')), root)) : null,
      pidsCurrent: dir ? ((v) => (typeof v === 'bigint' ? v : null))(parsePidsValue(readOptional(sys, path.relative(sys, path.join(dir, 'pids.current')), root))) : null,
    });
  }
  return { version, userSlice: nodes.find((n) => n.path === sliceRel) ?? null, nodes };
}

// --- systemd ---------------------------------------------------------------------------------

const CONF_DIRS = ['etc/systemd', 'run/systemd', 'usr/local/lib/systemd', 'usr/lib/systemd', 'lib/systemd'];
const UNIT_DIRS = [
  'etc/systemd/system.control', 'run/systemd/system.control', 'run/systemd/transient', 'etc/systemd/system',
  'run/systemd/system', 'usr/local/lib/systemd/system', 'usr/lib/systemd/system', 'lib/systemd/system',
];

/** The line of the last `key=` inside `[section]` (ini gives values, not positions). */
function lineOf(text: string, section: string, key: string): number | null {
  let current = '';
  let found: number | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const sec = line.match(/^\[([^\]]*)\]/);
    if (sec) { current = sec[1]!; return; }
    if (current === section && new RegExp(`^${key}\\s*=`).test(line)) found = i + 1;
  });
  return found;
}

/** Apply one systemd-style ini file: every key of `section` that is set overrides what came before. */
function applyIni(root: string, rel: string, section: string, keys: readonly string[], into: Record<string, SettingFact>, files: string[]): void {
  const text = readOptional(root, rel);
  if (text === null) return;
  files.push(rel);
  let parsed: Record<string, unknown>;
  try {
    parsed = ini.parse(text) as Record<string, unknown>;
  } catch {
    return;
  }
  const sec = parsed[section];
  if (!sec || typeof sec !== 'object') return;
  for (const key of keys) {
    const v = (sec as Record<string, unknown>)[key];
    if (typeof v === 'string') into[key] = { value: v, file: rel, line: lineOf(text, section, key) };
  }
}

/**
 * systemd's own precedence: the main file, then every NAME.conf.d/*.conf of /etc, /run,
 * /usr/local/lib and /usr/lib sorted by file name (a name in a higher directory hides the same
 * name below), each overriding what came before.
 */
export function readSystemdConf(root: string, name: string, section: string, keys: readonly string[], files: string[] = []): Record<string, SettingFact> {
  const out: Record<string, SettingFact> = {};
  const main = CONF_DIRS.map((d) => `${d}/${name}.conf`).find((rel) => existsSync(path.join(root, rel)));
  if (main) applyIni(root, main, section, keys, out, files);
  const dropins = new Map<string, string>();
  for (const d of CONF_DIRS) {
    const dir = `${d}/${name}.conf.d`;
    for (const f of listDir(root, dir)) {
      if (f.endsWith('.conf') && !f.startsWith('.') && !dropins.has(f)) dropins.set(f, `${dir}/${f}`);
    }
  }
  for (const f of [...dropins.keys()].sort(byteOrder)) applyIni(root, dropins.get(f)!, section, keys, out, files);
  return out;
}

/** TasksMax= of user-UID.slice from unit drop-ins (user-.slice.d and user-UID.slice.d). */
export function readUserSliceTasksMax(root: string, uid: number, files: string[] = []): SettingFact | null {
  const dropins = new Map<string, string>();
  for (const d of UNIT_DIRS) {
    for (const sub of [`user-${uid}.slice.d`, 'user-.slice.d']) {
      for (const f of listDir(root, `${d}/${sub}`)) {
        if (f.endsWith('.conf') && !f.startsWith('.') && !dropins.has(f)) dropins.set(f, `${d}/${sub}/${f}`);
      }
    }
  }
  const out: Record<string, SettingFact> = {};
  for (const f of [...dropins.keys()].sort(byteOrder)) applyIni(root, dropins.get(f)!, 'Slice', ['TasksMax'], out, files);
  return out.TasksMax ?? null;
}

function readSystemd(root: string, proc: string, uid: number): SystemdFacts {
  const files: string[] = [];
  const comm = readOptional(proc, '1/comm', root)?.trim();
  const running = comm === 'systemd' || existsSync(path.join(root, 'run/systemd/system'));
  const installed = ['etc/systemd/system.conf', 'usr/lib/systemd/systemd', 'lib/systemd/systemd'].some((p) => existsSync(path.join(root, p)));
  const keys = ['DefaultLimitNPROC', 'DefaultTasksMax'];
  return {
    running,
    installed,
    system: readSystemdConf(root, 'system', 'Manager', keys, files),
    user: readSystemdConf(root, 'user', 'Manager', keys, files),
    logind: readSystemdConf(root, 'logind', 'Login', ['UserTasksMax'], files),
    userSliceTasksMax: readUserSliceTasksMax(root, uid, files),
    files,
  };
}

// --- PAM and sshd ----------------------------------------------------------------------------

const PAM_DIRS = ['etc/pam.d', 'usr/lib/pam.d', 'usr/share/pam.d'];
const LIB_DIRS = ['lib/security', 'lib64/security', 'usr/lib/security', 'usr/lib64/security'];

function pamReader(root: string): PamReader {
  return (name: string) => {
    const candidates = name.startsWith('/') ? [name.slice(1)] : PAM_DIRS.map((d) => `${d}/${name}`);
    for (const rel of candidates) {
      const text = readOptional(root, rel);
      if (text !== null) return { file: rel, text };
    }
    return null;
  };
}

function findPamModule(root: string): string | null | 'unknown' {
  const dirs = [...LIB_DIRS];
  for (const base of ['lib', 'usr/lib']) {
    for (const d of listDir(root, base)) if (d.endsWith('-linux-gnu')) dirs.push(`${base}/${d}/security`);
  }
  let anyDir = false;
  for (const d of dirs) {
    if (!existsSync(path.join(root, d))) continue;
    anyDir = true;
    if (existsSync(path.join(root, d, 'pam_limits.so'))) return `${d}/pam_limits.so`;
  }
  return anyDir ? null : 'unknown';
}

function readPam(root: string, sshdPresent: boolean): PamFacts {
  const read = pamReader(root);
  const services = [];
  for (const s of [...LOGIN_PATHS, ...SHARED_STACKS]) {
    if (read(s) || (s === 'sshd' && sshdPresent)) services.push(analyzePamService(s, read));
  }
  return { services, module: findPamModule(root) };
}

function globIn(root: string, pattern: string): string[] {
  const rel = pattern.startsWith('/') ? pattern.slice(1) : `etc/ssh/${pattern}`;
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  if (!/[*?[]/.test(base)) return existsSync(path.join(root, rel)) ? [rel] : [];
  const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  return listDir(root, dir).filter((f) => re.test(f) && !f.startsWith('.')).sort(byteOrder).map((f) => `${dir}/${f}`);
}

/** sshd's UsePAM: the first value read wins; Include is expanded in place. */
export function readSshd(root: string): SshdFacts {
  const main = 'etc/ssh/sshd_config';
  const text = readOptional(root, main);
  if (text === null) return { present: false, usePam: null, usePamEffective: null };
  let found: SettingFact | null = null;
  const load = (rel: string, t: string, depth: number) => {
    for (const d of parseSshdConfig(t)) {
      if (found || d.inMatch) continue;
      if (d.keyword === 'include' && depth < 16) {
        for (const pat of d.value.split(/\s+/)) {
          for (const f of globIn(root, pat)) {
            const inc = readOptional(root, f);
            if (inc !== null) load(f, inc, depth + 1);
          }
        }
      } else if (d.keyword === 'usepam') {
        found = { value: d.value, file: rel, line: d.line };
      }
    }
  };
  load(main, text, 0);
  const f = found as SettingFact | null;
  return { present: true, usePam: f, usePamEffective: f ? /^yes$/i.test(f.value) : false };
}

// --- everything ------------------------------------------------------------------------------

export type LiveFacts = {
  processes: ProcessFact[];
  census: CensusFacts;
  kernel: KernelFacts;
  memory: MemoryFacts;
  cgroups: CgroupFacts;
  systemd: SystemdFacts;
  pam: PamFacts;
  sshd: SshdFacts;
  problems: string[];
};

/** All the facts doctor needs about `uid`, except the pam_limits resolution. */
export function readLiveFacts(src: LiveSources, uid: number): LiveFacts {
  const problems: string[] = [];
  const { processes, census } = readProcesses(src.proc, uid, src.root);
  const kernel = readKernel(src.proc, src.root);
  if (kernel.pidMax === null) problems.push(`${src.proc}/sys/kernel/pid_max could not be read`);
  if (kernel.threadsMax === null) problems.push(`${src.proc}/sys/kernel/threads-max could not be read`);
  const memory = readMemory(src.proc, src.root);
  if (!memory) problems.push(`${src.proc}/meminfo could not be read`);
  const sshd = readSshd(src.root);
  return {
    processes, census, kernel,
    memory: memory ?? { memTotal: null, memAvailable: null, commitLimit: null, committedAs: null, swapTotal: null, swapFree: null },
    cgroups: readCgroups(src.sys, uid, processes, src.root),
    systemd: readSystemd(src.root, src.proc, uid),
    pam: readPam(src.root, sshd.present),
    sshd,
    problems,
  };
}

/** The account that runs limitsctl (SUDO_USER is handled by the caller). */
export function invokingUser(env: NodeJS.ProcessEnv): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? null;
  }
}
