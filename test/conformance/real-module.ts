/**
 * Runs a real pam_limits.so on a configuration tree and reports exactly what it asked the kernel
 * for: Debian 12's installed module by default, or any module of modules.ts (Debian 11 and 13,
 * unpatched Linux-PAM 1.4.0/1.5.2/1.7.0), each with its own release's libpam (and libc).
 *
 * native/harness.c opens one PAM session per user inside a private mount namespace where the
 * tree's files are bind-mounted over /etc/passwd, /etc/group, /etc/security, /proc/1/limits and
 * /proc/sys/fs/nr_open; native/shim.c (LD_PRELOAD) records setrlimit, setpriority, prctl and
 * chroot instead of applying them, and answers getrlimit/getpriority with the fixed caller
 * values exported below. Needs root (CAP_SYS_ADMIN for the namespace), gcc and the PAM headers.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEBIAN_12_MODULE, type ModuleDescriptor, type ModuleId, moduleDescriptor } from './modules.js';

const execFileAsync = promisify(execFile);
const NATIVE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'native');

/** Debian's module, from libpam-modules. */
export const PAM_LIMITS_SO = DEBIAN_12_MODULE;
const PAM_HEADER = '/usr/include/security/pam_appl.h';

export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;
const INF = RLIM_INFINITY;

/**
 * What getrlimit() returns to the module: the "calling process's" limits, indexed by RLIMIT
 * number. Upstream starts from these; Debian only keeps them for resources PID 1 does not list
 * (and nice/rtprio/rttime have no Debian fallback). Distinct from typical PID-1 values on
 * purpose, so a resolver that mixes the two up is caught.
 */
export const CALLER_RLIMITS: readonly { readonly soft: bigint; readonly hard: bigint }[] = [
  { soft: INF, hard: INF }, // cpu
  { soft: INF, hard: INF }, // fsize
  { soft: INF, hard: INF }, // data
  { soft: 8_388_608n, hard: INF }, // stack
  { soft: 0n, hard: INF }, // core
  { soft: INF, hard: INF }, // rss
  { soft: 3_000n, hard: 4_000n }, // nproc
  { soft: 1_111n, hard: 2_222n }, // nofile
  { soft: 65_536n, hard: 131_072n }, // memlock
  { soft: INF, hard: INF }, // as
  { soft: INF, hard: INF }, // locks
  { soft: 5_000n, hard: 6_000n }, // sigpending
  { soft: 819_200n, hard: 819_200n }, // msgqueue
  { soft: 2n, hard: 4n }, // nice
  { soft: 1n, hard: 3n }, // rtprio
  { soft: 200_000n, hard: INF }, // rttime
];

/** What getpriority() returns to the module (the caller's nice value). */
export const CALLER_PRIORITY = 2;

/**
 * The kernel's fs.nr_open as the shim sees it when the tree's proc/sys/fs/nr_open holds no
 * number: setrlimit(RLIMIT_NOFILE) with a hard limit above it fails with EPERM.
 */
export const SHIM_DEFAULT_NR_OPEN = 1_048_576n;

const PAM_RESULT_NAMES: readonly string[] = [
  'PAM_SUCCESS', 'PAM_OPEN_ERR', 'PAM_SYMBOL_ERR', 'PAM_SERVICE_ERR', 'PAM_SYSTEM_ERR', 'PAM_BUF_ERR',
  'PAM_PERM_DENIED', 'PAM_AUTH_ERR', 'PAM_CRED_INSUFFICIENT', 'PAM_AUTHINFO_UNAVAIL', 'PAM_USER_UNKNOWN',
  'PAM_MAXTRIES', 'PAM_NEW_AUTHTOK_REQD', 'PAM_ACCT_EXPIRED', 'PAM_SESSION_ERR', 'PAM_CRED_UNAVAIL',
  'PAM_CRED_EXPIRED', 'PAM_CRED_ERR', 'PAM_NO_MODULE_DATA', 'PAM_CONV_ERR', 'PAM_AUTHTOK_ERR',
  'PAM_AUTHTOK_RECOVERY_ERR', 'PAM_AUTHTOK_LOCK_BUSY', 'PAM_AUTHTOK_DISABLE_AGING', 'PAM_TRY_AGAIN',
  'PAM_IGNORE', 'PAM_ABORT', 'PAM_AUTHTOK_EXPIRED', 'PAM_MODULE_UNKNOWN', 'PAM_BAD_ITEM', 'PAM_CONV_AGAIN',
  'PAM_INCOMPLETE',
];

export function pamResultName(code: number): string {
  return PAM_RESULT_NAMES[code] ?? `PAM_${code}`;
}

export interface SetrlimitCall {
  readonly resource: number;
  readonly soft: bigint;
  readonly hard: bigint;
  /** what the simulated kernel answered: 0, or EPERM (1) for nofile above nr_open */
  readonly errno: number;
}

/** One pam_open_session() for one user. */
export interface RealModuleResult {
  readonly user: string;
  readonly pamResult: number;
  readonly pamResultName: string;
  /** every setrlimit the module attempted, in order (including refused ones) */
  readonly setrlimit: readonly SetrlimitCall[];
  readonly setpriority: number | null;
  /** prctl(PR_SET_NO_NEW_PRIVS, 1) was called */
  readonly nonewprivs: boolean;
  /** the chroot() argument, as a binary string (one char per byte) */
  readonly chroot: string | null;
  /** syslog lines (priority and text), for diagnosing a mismatch */
  readonly log: readonly string[];
  /** what the module said through the PAM conversation */
  readonly conversation: readonly string[];
}

export interface TreeJob {
  /** the fake root: etc/security, etc/passwd, etc/group, proc/1/limits, proc/sys/fs/nr_open */
  readonly dir: string;
  readonly users: readonly string[];
}

export interface RunOptions {
  /** which real module to run, and with which libpam/libc (default: debian-12, the installed one) */
  readonly module?: ModuleId | ModuleDescriptor;
  /** overrides the module's path (same runtime); default: the module's own */
  readonly modulePath?: string;
  /** module arguments in the service file, e.g. ['debug'] */
  readonly moduleArgs?: readonly string[];
  /** default 10 minutes */
  readonly timeoutMs?: number;
}

interface Harness {
  readonly harness: string;
  readonly shim: string;
}

const SOURCES = ['harness.c', 'shim.c'] as const;

/** Compiles harness and shim once per source version, cached in the OS temp dir. */
async function buildHarness(): Promise<Harness> {
  const hash = createHash('sha256');
  for (const name of SOURCES) hash.update(await readFile(join(NATIVE_DIR, name)));
  const dir = join(tmpdir(), `limitsctl-conformance-${hash.digest('hex').slice(0, 16)}`);
  const built: Harness = { harness: join(dir, 'harness'), shim: join(dir, 'shim.so') };
  if (existsSync(dir)) {
    // We run these as root from a shared temp dir: never use binaries someone else could have planted.
    if (![dir, built.harness, built.shim].every(ownedByUsAlone)) {
      throw new Error(`${dir} exists but was not built by this user (or is writable by others); remove it`);
    }
    return built;
  }

  // Build beside the cache dir and rename it into place, so parallel test workers never see a
  // half-written binary; a worker that loses the race just uses the winner's build.
  const staging = await mkdtemp(`${dir}.tmp-`);
  try {
    // No -Werror: a new compiler's new warning must not turn into a skipped suite.
    const cflags = ['-O2', '-Wall', '-Wextra'];
    await execFileAsync('gcc', [...cflags, '-shared', '-fPIC', '-o', join(staging, 'shim.so'), join(NATIVE_DIR, 'shim.c'), '-ldl']);
    await execFileAsync('gcc', [...cflags, '-o', join(staging, 'harness'), join(NATIVE_DIR, 'harness.c'), '-lpam', '-ldl']);
    await rename(staging, dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST' && e.code !== 'ENOTEMPTY') throw e;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return built;
}

function ownedByUsAlone(path: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st !== undefined && !st.isSymbolicLink() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
}

let harnessPromise: Promise<Harness> | undefined;
function harness(): Promise<Harness> {
  harnessPromise ??= buildHarness();
  return harnessPromise;
}

function hex(s: string): string {
  return s === '' ? '-' : Buffer.from(s, 'latin1').toString('hex');
}

function unhex(h: string): string {
  return h === '-' ? '' : Buffer.from(h, 'hex').toString('latin1');
}

/** A private scratch dir: the PAM service file, a files-only nsswitch.conf, empty stand-ins. */
interface Scratch {
  readonly dir: string;
  readonly confdir: string;
  readonly nsswitch: string;
  readonly emptyFile: string;
  readonly emptyDir: string;
}

async function makeScratch(options: RunOptions): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'limitsctl-conformance-run-'));
  const s: Scratch = {
    dir,
    confdir: join(dir, 'pam.d'),
    nsswitch: join(dir, 'nsswitch.conf'),
    emptyFile: join(dir, 'empty'),
    emptyDir: join(dir, 'empty.d'),
  };
  const module = [options.modulePath ?? resolveModule(options).modulePath, ...(options.moduleArgs ?? [])].join(' ');
  await mkdir(s.confdir);
  await mkdir(s.emptyDir);
  await writeFile(join(s.confdir, 'limitsctl-conformance'), `session required ${module}\n`);
  // An empty "other" keeps libpam from logging that it has no default service.
  await writeFile(join(s.confdir, 'other'), '');
  // Only the bind-mounted files may answer: no nss-systemd (which invents root and nobody).
  await writeFile(s.nsswitch, 'passwd: files\ngroup: files\nshadow: files\n');
  await writeFile(s.emptyFile, '');
  return s;
}

/**
 * The bind mounts for one tree. A missing tree file is replaced by an empty one: for the module
 * an empty /proc/1/limits or nr_open reads the same as a missing one, and an empty /etc/security
 * has no limits.conf.
 */
function bindsFor(tree: string, s: Scratch): Array<[string, string]> {
  const pick = (rel: string, wantDir: boolean): string => {
    const p = resolve(tree, rel); // mount(2) must not depend on the harness's cwd
    const st = statSync(p, { throwIfNoEntry: false });
    if (st && st.isDirectory() === wantDir) return p;
    return wantDir ? s.emptyDir : s.emptyFile;
  };
  return [
    [pick('etc/security', true), '/etc/security'],
    [pick('etc/passwd', false), '/etc/passwd'],
    [pick('etc/group', false), '/etc/group'],
    [s.nsswitch, '/etc/nsswitch.conf'],
    [pick('proc/1/limits', false), '/proc/1/limits'],
    [pick('proc/sys/fs/nr_open', false), '/proc/sys/fs/nr_open'],
  ];
}

function jobScript(jobs: readonly TreeJob[], s: Scratch): string {
  const out: string[] = [];
  for (const job of jobs) {
    out.push('tree');
    for (const [src, dst] of bindsFor(job.dir, s)) out.push(`bind ${hex(src)} ${hex(dst)}`);
    for (const user of job.users) out.push(`user ${hex(user)}`);
    out.push('end');
  }
  return `${out.join('\n')}\n`;
}

function shimEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    LIMITSCTL_SHIM_RLIMITS: CALLER_RLIMITS.map((l) => `${l.soft}:${l.hard}`).join(','),
    LIMITSCTL_SHIM_PRIORITY: String(CALLER_PRIORITY),
  };
}

function resolveModule(options: RunOptions): ModuleDescriptor {
  const m = options.module ?? 'debian-12';
  return typeof m === 'string' ? moduleDescriptor(m) : m;
}

/** The command line and environment that start the harness under the module's runtime. */
function harnessCommand(h: Harness, module: ModuleDescriptor, confdir: string): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const rt = module.runtime;
  switch (rt.kind) {
    case 'host':
      return { file: h.harness, args: [confdir], env: { ...shimEnv(), LD_PRELOAD: h.shim } };
    case 'library-path':
      return { file: h.harness, args: [confdir], env: { ...shimEnv(), LD_PRELOAD: h.shim, LD_LIBRARY_PATH: rt.libraryPath.join(':') } };
    case 'loader':
      // The other release's ld.so loads the harness itself; its libc and libpam come from libraryPath.
      return {
        file: rt.loader,
        args: ['--library-path', rt.libraryPath.join(':'), '--preload', h.shim, h.harness, confdir],
        env: shimEnv(),
      };
  }
}

async function runHarness(h: Harness, module: ModuleDescriptor, confdir: string, input: string, timeoutMs: number): Promise<string> {
  const cmd = harnessCommand(h, module, confdir);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.file, cmd.args, {
      env: cmd.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('latin1'));
      else reject(new Error(`harness exited with ${signal ?? code}: ${Buffer.concat(stderr).toString()}`));
    });
    child.stdin.end(input);
  });
}

interface MutableResult {
  user: string;
  pamResult: number;
  setrlimit: SetrlimitCall[];
  setpriority: number | null;
  nonewprivs: boolean;
  chroot: string | null;
  log: string[];
  conversation: string[];
}

function newResult(user: string): MutableResult {
  return { user, pamResult: -1, setrlimit: [], setpriority: null, nonewprivs: false, chroot: null, log: [], conversation: [] };
}

/** Applies one `call ...` record from the shim. */
function recordCall(r: MutableResult, words: string[]): void {
  const [, what, a = '', b = '', c = '', d = ''] = words;
  switch (what) {
    case 'setrlimit':
      r.setrlimit.push({ resource: Number(a), soft: BigInt(b), hard: BigInt(c), errno: Number(d) });
      break;
    case 'setpriority':
      r.setpriority = Number(c);
      break;
    case 'prctl':
      // 38 = PR_SET_NO_NEW_PRIVS, the only option the shim records
      if (a === '38' && b !== '0') r.nonewprivs = true;
      break;
    case 'chroot':
      r.chroot = unhex(a);
      break;
    case 'chdir':
      break; // part of the chroot sequence; chroot() is what matters
    default:
      throw new Error(`unknown shim record: ${words.join(' ')}`);
  }
}

/** Splits the harness output into per-tree, per-user results. */
function parseOutput(text: string, jobs: readonly TreeJob[]): RealModuleResult[][] {
  const trees: RealModuleResult[][] = [];
  let current: MutableResult[] | null = null;
  const finish = (r: MutableResult): RealModuleResult => ({ ...r, pamResultName: pamResultName(r.pamResult) });
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const words = line.split(' ');
    const last = current?.[current.length - 1];
    if (line === 'tree begin') {
      current = [];
    } else if (words[0] === 'tree' && words[1] === 'end') {
      const job = jobs[trees.length]!;
      if (words[2] !== '0') throw new Error(`harness failed on ${job.dir}: ${words.slice(2).join(' ')}`);
      if (!current || current.length !== job.users.length) throw new Error(`harness lost users of ${job.dir}`);
      trees.push(current.map(finish));
      current = null;
    } else if (words[0] === 'user' && current) {
      current.push(newResult(unhex(words[1] ?? '')));
    } else if (words[0] === 'result' && last) {
      last.pamResult = Number(words[1]);
    } else if (words[0] === 'call' && last) {
      recordCall(last, words);
    } else if (words[0] === 'log' && last) {
      last.log.push(`<${words[1]}> ${Buffer.from(unhex(words[2] ?? ''), 'latin1').toString()}`);
    } else if (words[0] === 'conv' && last) {
      last.conversation.push(Buffer.from(unhex(words[2] ?? ''), 'latin1').toString());
    } else {
      throw new Error(`unexpected harness output: ${line}`);
    }
  }
  if (trees.length !== jobs.length) throw new Error(`harness ran ${trees.length} of ${jobs.length} trees`);
  return trees;
}

/**
 * Runs the module for many trees in one harness process (one short-lived mount namespace per
 * tree). Returns, per tree, one result per user in the order given.
 */
export async function runRealModuleBatch(jobs: readonly TreeJob[], options: RunOptions = {}): Promise<RealModuleResult[][]> {
  if (jobs.length === 0) return [];
  const h = await harness();
  const s = await makeScratch(options);
  try {
    const out = await runHarness(h, resolveModule(options), s.confdir, jobScript(jobs, s), options.timeoutMs ?? 600_000);
    return parseOutput(out, jobs);
  } finally {
    await rm(s.dir, { recursive: true, force: true });
  }
}

/** Runs the module for one tree and its users. */
export async function runRealModule(dir: string, users: readonly string[], options: RunOptions = {}): Promise<RealModuleResult[]> {
  const [results] = await runRealModuleBatch([{ dir, users }], options);
  return results!;
}

/** The libpam-modules version the expectations were verified against (any +deb12uN update). */
const DEBIAN_12_VERSION = '1.5.2-6';

async function installedModuleVersion(): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync('dpkg-query', ['-W', '-f=${Version}', 'libpam-modules']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/** What every module needs: Linux, root, the PAM headers, gcc and a built harness. */
async function probeHost(): Promise<string | null> {
  if (process.platform !== 'linux') return 'the real-module harness needs Linux';
  if (process.getuid?.() !== 0) return 'the real-module harness needs root (mount namespaces)';
  if (!existsSync(PAM_HEADER)) return `${PAM_HEADER} is missing (apt-get install libpam0g-dev)`;
  if (!existsSync('/etc/security')) return '/etc/security is missing: nothing to bind the fake tree onto';
  try {
    await execFileAsync('gcc', ['--version']);
  } catch {
    return 'gcc is not installed (apt-get install gcc libc6-dev)';
  }
  try {
    await harness();
  } catch (e) {
    return `building the harness failed: ${(e as Error).message}`;
  }
  return null;
}

/** The files a module needs before it can run: the module, and its loader. */
function moduleFiles(m: ModuleDescriptor): string[] {
  const files = [m.modulePath];
  if (m.runtime.kind === 'loader') files.push(m.runtime.loader);
  if (m.runtime.kind !== 'host') files.push(...m.runtime.libraryPath);
  return files;
}

async function probeModule(m: ModuleDescriptor): Promise<string | null> {
  const host = await (hostPromise ??= probeHost());
  if (host) return host;
  const missing = moduleFiles(m).find((f) => !existsSync(f));
  if (missing) {
    return m.fetched
      ? `${m.id}: not fetched: run .ci/pam-modules.sh (${missing} is missing)`
      : `${m.id}: ${missing} is missing (apt-get install libpam-modules)`;
  }
  if (m.packageVersion !== undefined) {
    const { file, version } = m.packageVersion;
    const found = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (found !== version) return `${m.id}: ${file} says ${JSON.stringify(found)}, not ${version}: re-run .ci/pam-modules.sh`;
  }
  if (m.id === 'debian-12') {
    const version = await installedModuleVersion();
    if (!version?.startsWith(DEBIAN_12_VERSION)) {
      return `libpam-modules ${version ?? '(not a dpkg system)'} is not Debian 12's ${DEBIAN_12_VERSION}*, whose behaviour the tests expect`;
    }
  }
  // End to end: an empty tree must give root a session with a setpriority call.
  const tree = await mkdtemp(join(tmpdir(), 'limitsctl-conformance-probe-'));
  try {
    await mkdir(join(tree, 'etc/security'), { recursive: true });
    await writeFile(join(tree, 'etc/security/limits.conf'), '');
    await writeFile(join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(tree, 'etc/group'), 'root:x:0:\n');
    const [r] = await runRealModule(tree, ['root'], { module: m });
    if (r?.pamResultName !== 'PAM_SUCCESS' || r.setpriority === null) {
      return `${m.id}: the harness runs but the module misbehaves: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
    }
    return null;
  } catch (e) {
    return `${m.id}: running the harness failed (unshare/mount not permitted?): ${(e as Error).message}`;
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

let hostPromise: Promise<string | null> | undefined;
const modulePromises = new Map<ModuleId, Promise<string | null>>();

/**
 * null when the module (default: debian-12) can be run here; otherwise why not (for
 * describe.skipIf). With LIMITSCTL_REQUIRE_REAL_MODULE=1 (for CI jobs set up to run them) a
 * missing prerequisite or module throws instead, so the suite fails rather than skips.
 */
export async function realModuleSkipReason(id: ModuleId = 'debian-12'): Promise<string | null> {
  let p = modulePromises.get(id);
  if (!p) {
    p = probeModule(moduleDescriptor(id));
    modulePromises.set(id, p);
  }
  const reason = await p;
  if (reason && process.env.LIMITSCTL_REQUIRE_REAL_MODULE === '1') {
    throw new Error(`LIMITSCTL_REQUIRE_REAL_MODULE=1, but the real pam_limits.so (${id}) cannot be run: ${reason}`);
  }
  return reason;
}
