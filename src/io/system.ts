/**
 * Facts about the system a tree stands for: which pam_limits variant it runs (os-release) and the
 * limits a session starts from (PID 1's limits, fs.nr_open) — live for root "/", or from a
 * snapshot under <root>/proc.
 */
import path from 'node:path';
import { type ProcLimits, parseProcLimits, type ResolveOptions } from '../core/resolve.js';
import { hasCapSysResource, parseCapabilities } from '../core/caps.js';
import { parseOsRelease, type ProfileDetection, profileForOsRelease } from '../core/profiles.js';
import { DEFAULT_NR_OPEN, FALLBACK_PROFILE, profileInfo } from '../core/schema.js';
import { nrOpenFromSysctl, SYSCTL_CONF, SYSCTL_DIRS, type SysctlNrOpen, sysctlReadOrder } from '../core/sysctl.js';
import { listDirInRoot, MAX_SMALL_FILE_BYTES, readFileCapped, readFileInRoot } from './read.js';

/**
 * <root>/etc/os-release, else <root>/usr/lib/os-release (os-release(5)), read by the chroot-style
 * rule: a RHEL image's `etc/os-release -> /usr/lib/os-release` is `<root>/usr/lib/os-release`,
 * never the host's. `problem` says why a file that exists could not be used (a FIFO, a device,
 * above the 1 MiB cap, a link leaving the root); the next candidate is tried then.
 */
export function readOsRelease(root: string): { text: string | null; file: string | null; problem: string | null; problemFile: string | null } {
  let problem: string | null = null;
  let problemFile: string | null = null;
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    const r = readFileInRoot(root, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
    if (r.ok) return { text: r.bytes.toString('utf8'), file: rel, problem, problemFile };
    if ((r.failure.kind !== 'missing' || r.failure.dangling) && problem === null) {
      // pam_limits never reads os-release: say what it is, not what pam_limits would do with it
      problem = r.failure.kind === 'not-regular' ? `${rel} is not a regular file but a ${r.failure.fileKind}; limitsctl does not read it` : r.failure.message;
      problemFile = rel;
    }
  }
  return { text: null, file: null, problem, problemFile };
}

/**
 * `auto`: the release profile of the system under `root`, from its os-release
 * (core/profiles.ts profileForOsRelease: ID, then ID_LIKE, VERSION_ID with the RHEL minor,
 * codenames). Without os-release: FALLBACK_PROFILE (linux-pam-1.5.2), `exact` false, the reason
 * saying so. `warning` is set when the choice is a guess the user should see: an os-release that
 * exists but could not be read (a FIFO, a device, above the cap, a link leaving the root,
 * EACCES…), or a release not in the profile table. `file` is the os-release read (relative to the root), or null.
 */
export function detectProfile(root: string): ProfileDetection & { readonly file: string | null } {
  const os = readOsRelease(root);
  if (os.text === null) {
    const fb = profileInfo(FALLBACK_PROFILE);
    const why = os.problem ?? 'no etc/os-release or usr/lib/os-release in the root';
    // An absent os-release is normal for a config repository's trees: the reason says what was
    // assumed (files, --json) without a warning on every run; an unreadable one is a warning.
    return {
      profile: FALLBACK_PROFILE, exact: false, osRelease: {}, file: null,
      reason: `${why}: assuming ${fb.title} (give --profile to choose)`,
      warning: os.problem === null ? null : `the profile could not be detected from ${os.problemFile ?? 'os-release'} (${os.problem}): read as ${FALLBACK_PROFILE} — give --profile to choose`,
    };
  }
  const found = profileForOsRelease(parseOsRelease(os.text));
  const unreadable = os.problem === null ? null
    : `the profile could not be detected from ${os.problemFile ?? 'os-release'} (${os.problem}); ${found.profile} was detected from ${os.file} instead — give --profile to choose`;
  return { ...found, file: os.file, warning: unreadable ?? found.warning };
}

/**
 * A /proc file: the live kernel's (`proc` is /proc) read directly, a snapshot's by the chroot-style
 * rule of its tree (`root`, or the snapshot directory itself when it lies outside the root);
 * regular files only, at most MAX_SMALL_FILE_BYTES. null when it cannot be used.
 */
function readProcFile(root: string, procDir: string, rel: string): string | null {
  const abs = path.resolve(procDir);
  if (abs === '/proc') {
    const r = readFileCapped(path.join(abs, rel));
    return r.ok ? r.bytes.toString('utf8') : null;
  }
  const absRoot = path.resolve(root);
  const inRoot = absRoot !== '/' && abs.startsWith(`${absRoot}/`);
  const r = inRoot
    ? readFileInRoot(absRoot, path.join(path.relative(absRoot, abs), rel), { maxBytes: MAX_SMALL_FILE_BYTES })
    : readFileInRoot(abs, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
  return r.ok ? r.bytes.toString('utf8') : null;
}

/**
 * fs.nr_open as the tree's boot configuration sets it (core/sysctl.ts: the sysctl.d directories
 * and etc/sysctl.conf in procps' `sysctl --system` order, last assignment wins), every file read by
 * the chroot-style rule (a link is resolved inside the root; `x.conf -> /dev/null` masks and sets
 * nothing). Files that cannot be read set nothing. null when no file sets it.
 */
export function sysctlNrOpen(root: string): SysctlNrOpen | null {
  const dirs = SYSCTL_DIRS.map((dir) => {
    const l = listDirInRoot(root, dir);
    const names = l.ok ? l.entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name) : [];
    return { dir, names };
  });
  const conf = readFileInRoot(root, SYSCTL_CONF, { maxBytes: MAX_SMALL_FILE_BYTES });
  const files: Array<{ file: string; text: string }> = [];
  for (const rel of sysctlReadOrder(dirs, conf.ok)) {
    const r = rel === SYSCTL_CONF ? conf : readFileInRoot(root, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
    if (r.ok) files.push({ file: rel, text: r.bytes.toString('latin1') });
  }
  return nrOpenFromSysctl(files);
}

/** fs.nr_open of a tree, and where it came from. */
export interface NrOpenFact {
  /** null: the live kernel's could not be read */
  readonly value: bigint | null;
  /** 'proc': the live /proc or the tree's snapshot; 'sysctl': the tree's sysctl configuration; 'default': neither */
  readonly from: 'proc' | 'sysctl' | 'default';
  /** for 'sysctl': the file (relative to the root) and line that set it */
  readonly source: { readonly file: string; readonly line: number } | null;
}

/**
 * fs.nr_open for a root: the first line of `<proc>/sys/fs/nr_open` (the live kernel's for root "/",
 * else the tree's snapshot); for a tree without a snapshot, the value its sysctl configuration
 * sets (sysctlNrOpen), else `fallback` (lint's `nr-open` setting) or DEFAULT_NR_OPEN. The live
 * root never falls back to configuration files: the running kernel is what counts, and when its
 * value cannot be read the result is null.
 */
export function loadNrOpen(root: string, procDir: string = path.join(root, 'proc'), fallback: bigint | null = null): NrOpenFact {
  const live = root === '/';
  const text = readProcFile(root, procDir, 'sys/fs/nr_open');
  const nr = text?.match(/^\s*(\d+)/)?.[1];
  if (nr) return { value: BigInt(nr), from: 'proc', source: null };
  if (live) return { value: text === null ? null : DEFAULT_NR_OPEN, from: text === null ? 'proc' : 'default', source: null };
  const conf = sysctlNrOpen(root);
  if (conf) return { value: conf.value, from: 'sysctl', source: { file: conf.file, line: conf.line } };
  return { value: fallback ?? DEFAULT_NR_OPEN, from: 'default', source: null };
}

/** What loadBaseline returns: resolver options, plus where fs.nr_open came from when the tree's sysctl configuration set it. */
export type Baseline = Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen' | 'capSysResource'> & {
  /** `etc/sysctl.d/99-tune.conf:3` when fs.nr_open came from the sysctl configuration */
  readonly nrOpenSource?: string;
};

/**
 * The starting limits pam_limits would see: PID 1's limits and fs.nr_open from the live system
 * (root "/") or from <root>/proc when the tree carries a snapshot; fs.nr_open from the tree's
 * sysctl configuration when it has no snapshot (loadNrOpen); unknown otherwise. `capSysResource`
 * from PID 1's status (proc/1/status CapEff, core/caps.ts) when it can be read: false in a
 * container started without CAP_SYS_RESOURCE, where raised hard limits are refused.
 */
export function loadBaseline(ctx: { readonly root: string; readonly proc?: string }): Baseline {
  const live = ctx.root === '/';
  const procDir = ctx.proc ?? path.join(ctx.root, 'proc');
  const pid1Text = readProcFile(ctx.root, procDir, '1/limits');
  const nr = loadNrOpen(ctx.root, procDir);
  const out: { -readonly [K in keyof Baseline]: Baseline[K] } = { nrOpen: nr.value };
  if (nr.source) out.nrOpenSource = `${nr.source.file}:${nr.source.line}`;
  if (pid1Text !== null) out.pid1Limits = parseProcLimits(pid1Text);
  else if (live) out.pid1Limits = null;
  if (live) {
    const self = readProcFile('/', '/proc', 'self/limits');
    if (self) out.processLimits = parseProcLimits(self) as ProcLimits;
  }
  // PID 1's capabilities stand for the session's process (sshd, login, sudo start under it): a
  // container with Docker's default set lacks CAP_SYS_RESOURCE, and hard limits cannot be raised
  const status = readProcFile(ctx.root, procDir, '1/status');
  const cap = status === null ? null : hasCapSysResource(parseCapabilities(status));
  if (cap !== null) out.capSysResource = cap;
  return out;
}
