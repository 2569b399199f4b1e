/**
 * Facts about the system a tree stands for: which pam_limits variant it runs (os-release) and the
 * limits a session starts from (PID 1's limits, fs.nr_open) — live for root "/", or from a
 * snapshot under <root>/proc.
 */
import path from 'node:path';
import { type ProcLimits, parseProcLimits, type ResolveOptions } from '../core/resolve.js';
import { parseOsRelease, type ProfileDetection, profileForOsRelease } from '../core/profiles.js';
import { DEFAULT_NR_OPEN, FALLBACK_PROFILE, profileInfo } from '../core/schema.js';
import { MAX_SMALL_FILE_BYTES, readFileCapped, readFileInRoot } from './read.js';

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
 * The starting limits pam_limits would see: PID 1's limits and fs.nr_open from the live system
 * (root "/") or from <root>/proc when the tree carries a snapshot; unknown otherwise.
 */
export function loadBaseline(ctx: { readonly root: string; readonly proc?: string }): Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> {
  const live = ctx.root === '/';
  const procDir = ctx.proc ?? path.join(ctx.root, 'proc');
  const pid1Text = readProcFile(ctx.root, procDir, '1/limits');
  const nrText = readProcFile(ctx.root, procDir, 'sys/fs/nr_open');
  const nr = nrText?.match(/^\s*(\d+)/)?.[1];
  const out: Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> = {
    nrOpen: nr ? BigInt(nr) : nrText === null && live ? null : DEFAULT_NR_OPEN,
  };
  if (pid1Text !== null) out.pid1Limits = parseProcLimits(pid1Text);
  else if (live) out.pid1Limits = null;
  if (live) {
    const self = readProcFile('/', '/proc', 'self/limits');
    if (self) out.processLimits = parseProcLimits(self) as ProcLimits;
  }
  return out;
}

