/**
 * What `limitsctl lint PATH…` lints. A PATH may be
 * - a root (a directory holding etc/security), as --root takes;
 * - an etc/security directory, or a directory holding limits.conf and/or limits.d;
 * - a limits.d directory (only its files are reported on, read in the context of their tree);
 * - a single file: inside an `<root>/etc/security/` layout it is read in the context of that
 *   tree (and only its findings are reported); anywhere else it is linted on its own;
 * - any other directory (a config repository): every `etc/security` directory below it;
 * - a glob (fast-glob, loaded only here), expanded and then treated as the paths it matches.
 * Whether a directory is a tree, and what a PATH named through a tree's own links is, is decided
 * as the tree is read (chroot-style, src/io/paths.ts). A target named twice (also through a
 * symlink) is one target, keyed by its real path and shown under the first name given.
 * Paths in findings are relative to the working directory when inside it, absolute otherwise.
 */
import fs, { existsSync, lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { parseGroup, parsePasswd } from '../core/accounts.js';
import { hasCapSysResource, parseCapabilities } from '../core/caps.js';
import { LimitsError } from '../core/errors.js';
import type { LintAccounts, LintTarget } from '../core/lint/types.js';
import { lazyDocument } from '../core/edit/lines.js';
import { bytesToBinary, type ConfigTree, type FileRole, type IgnoredFile, type TreeFile } from '../core/model.js';
import { parseProcLimits } from '../core/resolve.js';
import { canonicalProfile, DEFAULT_NR_OPEN, DROPIN_DIR, MAIN_FILE, type Profile, PROFILE_TRAITS, SUSE_VENDOR_DIR, VENDOR_DIR } from '../core/schema.js';
import { CWD_LINK, globCwd, realPathKeepingCwd, resolveFrom } from './cwd.js';
import { resolveInRoot, withTreeScope } from './paths.js';
import { effectiveUid, isDenied, listDirInRoot, MAX_ACCOUNTS_FILE_BYTES, MAX_SMALL_FILE_BYTES, readFileInRoot } from './read.js';
import { loadNrOpen, readOsRelease } from './system.js';
import { OversizedStream, readPathStream } from './stdin.js';
import { loadTree, readTreeFile, unlistedDir } from './tree.js';
import { isOwnLimit, OutsideRootError, ProcessLimitError } from './write-errors.js';

export interface LoadedLintTarget {
  readonly target: LintTarget;
  /** the tree root (absolute), or null for a file linted on its own */
  readonly root: string | null;
  /** display path → absolute path, for every file of the target */
  readonly abs: ReadonlyMap<string, string>;
  /** read the same target again from disk (`lint --fix` re-plans when a file changed underneath) */
  readonly reload: () => Promise<LoadedLintTarget>;
  /**
   * Set when the bytes of the target's one file came from a stream (standard input, or a FIFO,
   * device or /dev/fd/N named on the command line): its display path. Nothing on disk holds
   * those bytes, so `--fix` has nothing to write back (and `reload` gives the same bytes again).
   */
  readonly stream?: string;
}

/** A PATH that names nothing usable: exit 2. */
export class LintPathError extends LimitsError {
  /** the OS code behind it (ENOENT: nothing there) */
  readonly errno: string;
  constructor(message: string, errno: string, hint = 'PATH is a root holding etc/security, an etc/security directory, a file, or a glob.') {
    super(message, { code: 'ELINTPATH', hint });
    this.errno = errno;
    this.name = 'LintPathError';
  }
}

export interface ExpandOptions {
  readonly cwd: string;
  /** the profile for a tree: fixed, or decided per root (e.g. from its os-release) */
  readonly profile: (root: string | null) => Profile;
  /** fs.nr_open for trees without proc/sys/fs/nr_open (default 1048576) */
  readonly nrOpen?: bigint | null;
  /**
   * The error for a PATH that would be read as a stream (FIFO, device, /dev/fd/N), thrown before
   * it is opened — `lint --fix` cannot write back to one, and a FIFO would first be read to its end
   */
  readonly refuseStream?: (shown: string) => Error;
}

const GLOB_CHARS = /[*?[\]{}]/;
/** Names of a process's open files (Linux): always read as streams, even when one is a regular file. */
const FD_PATH = /^\/(?:dev\/(?:stdin|fd\/\d+)|proc\/(?:self|thread-self|\d+)\/fd\/\d+)$/;

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/**
 * Whether the directory `dir` is a tree root: its etc/security is a directory as the tree's own
 * reader resolves it — chroot-style (src/io/paths.ts resolveInRoot: `etc -> /usr/etc` is
 * `<dir>/usr/etc`, as in an image whose /etc links to /usr/etc), whatever this machine has at
 * /usr/etc — or it leads out of `dir` through a link (a tree all the same: its reader never
 * follows that link and says so, LC306), or this machine's own resolution finds a directory there.
 */
function holdsTree(dir: string): boolean {
  if (isDir(path.join(dir, 'etc/security'))) return true;
  try {
    const r = resolveInRoot(dir, 'etc/security');
    return !r.missing && lstatSync(r.abs).isDirectory();
  } catch (e) {
    if (e instanceof OutsideRootError) return true;
    // an etc (or a directory etc/security leads through) this uid may not search: what is behind
    // it is unknown, not missing — a tree, whose reader says what it cannot read (LC306), as
    // `lint --root` does. Not when `dir` itself may not be searched: its etc is unknown too
    if (!isDenied(e)) return false;
    try { return lstatSync(path.join(dir, 'etc'), { throwIfNoEntry: false }) !== undefined; } catch { return false; }
  }
}

/** The effective uid, as the tree reader's messages name it ("cannot read as uid N"). */
function uidText(): string {
  return String(effectiveUid() ?? '?');
}

/**
 * A PATH this machine cannot resolve (stat fails) that lies in an etc/security layout of an
 * existing tree root R (R/etc/security, a file or limits.d below it, or a vendor directory) and
 * names something there through R's own links, read chroot-style as the tree's reader reads it
 * (`lint T/etc/security` with `T/etc -> /usr/etc`): R, the security directory's and the PATH's
 * paths relative to R, and what the PATH is there ('outside' when a link of R leads it out of R:
 * then the tree says so, LC306; 'denied' when a directory on its way there may not be searched
 * by this uid: whether it exists is unknown). null when it names nothing in R either.
 */
function throughTreeLinks(abs: string): { root: string; dir: string; rel: string; kind: 'directory' | 'other' | 'outside' | 'denied' } | null {
  const layout = layoutOf(path.join(abs, '_')); // the PATH itself may be the security directory
  if (layout === null || !isDir(layout.root)) return null;
  const rel = path.relative(layout.root, abs).split(path.sep).join('/');
  try {
    const r = resolveInRoot(layout.root, rel);
    if (r.missing) return null;
    return { root: layout.root, dir: layout.dir, rel, kind: lstatSync(r.abs).isDirectory() ? 'directory' : 'other' };
  } catch (e) {
    if (e instanceof OutsideRootError) return { root: layout.root, dir: layout.dir, rel, kind: 'outside' };
    return isDenied(e) ? { root: layout.root, dir: layout.dir, rel, kind: 'denied' } : null;
  }
}

/** Files of a tree other than the limits files that could not be used: LC306 findings. */
type Unusable = Array<{ path: string; detail: string }>;

/**
 * `<root>/<rel>` by the chroot-style rule (src/io/read.ts) as binary text; null when missing.
 * When it exists but cannot be used (FIFO, device, too large, link leaving the root, EACCES…),
 * the reason goes to `unusable` and the result is null.
 */
function readInTree(root: string, rel: string, maxBytes: number, unusable: Unusable | null, why: string): string | null {
  const r = readFileInRoot(root, rel, { maxBytes });
  if (r.ok) return r.bytes.toString('latin1');
  if (r.failure.kind === 'missing' && !r.failure.dangling) return null;
  unusable?.push({ path: rel, detail: `${r.failure.message}; ${why}` });
  return null;
}

function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}

/**
 * A tree's accounts, or null when it has no usable etc/passwd (and always for the live system
 * "/"). Files that exist but cannot be used are added to `unusable` (reported by LC306).
 */
export function loadLintAccounts(root: string, unusable: Unusable | null = null): LintAccounts | null {
  if (path.resolve(root) === '/') return null; // NSS may know more accounts than /etc/passwd
  const passwd = readInTree(root, 'etc/passwd', MAX_ACCOUNTS_FILE_BYTES, unusable, 'accounts were not checked (LC304 is off for this tree)');
  if (passwd === null) return null;
  const group = readInTree(root, 'etc/group', MAX_ACCOUNTS_FILE_BYTES, unusable, 'groups were not checked');
  return { db: { users: parsePasswd(passwd), groups: group ? parseGroup(group) : [] }, hasPasswd: true, hasGroup: group !== null };
}

/**
 * fs.nr_open of a lint target and, when the tree's sysctl configuration set it, where (display
 * path relative to the working directory, and line): the same rule as every other command
 * (src/io/system.ts loadNrOpen: the tree's proc/sys/fs/nr_open, else its sysctl.d / sysctl.conf,
 * else the `nr-open` setting, else 1048576).
 */
function nrOpenOf(root: string | null, fallback: bigint | null | undefined, cwd: string): Pick<LintTarget, 'nrOpen' | 'nrOpenSource'> {
  if (root === null) return { nrOpen: fallback ?? DEFAULT_NR_OPEN };
  const fact = loadNrOpen(root, path.join(root, 'proc'), fallback ?? null);
  return {
    nrOpen: fact.value ?? fallback ?? DEFAULT_NR_OPEN,
    ...(fact.source ? { nrOpenSource: `${displayPath(cwd, path.join(root, fact.source.file))}:${fact.source.line}` } : {}),
  };
}

/**
 * What a tree's /proc snapshot says about the process that opens sessions: PID 1's capabilities
 * (proc/1/status) and limits (proc/1/limits), read by the chroot-style rule; absent when the tree
 * has none (a config repository) — LC211 then says nothing.
 */
function snapshotFacts(root: string): Pick<LintTarget, 'capSysResource' | 'startingLimits'> {
  const read = (rel: string) => {
    const r = readFileInRoot(root, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
    return r.ok ? r.bytes.toString('utf8') : null;
  };
  const status = read('proc/1/status');
  const cap = status === null ? null : hasCapSysResource(parseCapabilities(status));
  const limits = read('proc/1/limits');
  return {
    ...(cap !== null ? { capSysResource: cap } : {}),
    ...(limits !== null ? { startingLimits: parseProcLimits(limits) } : {}),
  };
}

/** A path relative to a root with no empty, `.` or `..` component (what a tree's listing makes). */
const CLEAN_REL = /^(?!\.\.?(?:\/|$))(?:[^/]+\/(?!\.\.?(?:\/|$)))*[^/]+$/;

/**
 * `rel` (relative to the absolute `root`) as findings show it: displayPath(cwd, path.join(root,
 * rel)), and that absolute path. A clean `rel` (CLEAN_REL) below a root that is not the working
 * directory nor above it is the root's own display path and `rel`: worked out once per root, not
 * per file.
 */
export function displayIn(root: string, cwd: string): (rel: string) => { shown: string; abs: string } {
  const full = (rel: string) => {
    const a = path.join(root, rel);
    return { shown: displayPath(cwd, a), abs: a };
  };
  const rootAbs = path.join(root, '.');
  if (path.sep !== '/' || !path.isAbsolute(root) || cwd === rootAbs || cwd.startsWith(rootAbs === '/' ? '/' : `${rootAbs}/`)) return full;
  const rootShown = displayPath(cwd, rootAbs);
  // outside the working directory (and it not below the root): every file's absolute path
  const outside = rootShown.startsWith('/');
  return (rel) => {
    if (!CLEAN_REL.test(rel)) return full(rel);
    const a = rootAbs === '/' ? `/${rel}` : `${rootAbs}/${rel}`;
    return { shown: outside ? a : `${rootShown}/${rel}`, abs: a };
  };
}

/**
 * `{ ...doc, file }`: a document of the usual four keys (a lazyDocument's) is copied key by key,
 * in their order, which is what the spread makes of it, without the spread's general way through
 * its accessors.
 */
function renamedDoc(doc: NonNullable<TreeFile['doc']>, file: string): NonNullable<TreeFile['doc']> {
  const keys = Object.keys(doc);
  if (keys.length !== 4 || keys[0] !== 'file' || keys[1] !== 'profile' || keys[2] !== 'text' || keys[3] !== 'lines' || Object.getOwnPropertySymbols(doc).length > 0) return { ...doc, file };
  return { file, profile: doc.profile, text: doc.text, lines: doc.lines };
}

function relabel(tree: ConfigTree, root: string, cwd: string, abs: Map<string, string>): ConfigTree {
  const display = displayIn(root, cwd);
  const show = (rel: string) => {
    const { shown, abs: a } = display(rel);
    abs.set(shown, a);
    return shown;
  };
  return {
    profile: tree.profile,
    files: tree.files.map((f): TreeFile => {
      const p = show(f.path);
      return { ...f, path: p, doc: f.doc ? renamedDoc(f.doc, p) : null };
    }),
    ignored: tree.ignored.map((g): IgnoredFile => ({ ...g, path: show(g.path) })),
    failure: tree.failure ? { ...tree.failure, file: show(tree.failure.file) } : null,
    ...(tree.unusable && tree.unusable.length > 0 ? { unusable: tree.unusable.map((u) => ({ ...u, path: show(u.path) })) } : {}),
  };
}

/** limits.conf + limits.d/*.conf of a directory that is not at etc/security (e.g. hosts/web1/). */
function loadSecurityDir(dir: string, profile: Profile): ConfigTree {
  const files: TreeFile[] = [];
  const ignored: IgnoredFile[] = [];
  let present = false;
  try { lstatSync(path.join(dir, 'limits.conf')); present = true; } catch { /* no limits.conf */ }
  if (present) files.push(readTreeFile(dir, 'limits.conf', 'main', profile));
  // limits.d is reached and listed by the same rule as every read: no link out of `dir`
  const listing = listDirInRoot(dir, 'limits.d');
  const entries: Dirent[] = listing.ok ? listing.entries : [];
  // a limits.d that exists but could not be listed is said (LC306), as in a tree
  const unlisted = listing.ok ? undefined : unlistedDir('limits.d', 'dropin', listing.failure);
  if (unlisted) files.push(unlisted);
  const names: string[] = [];
  for (const e of entries) {
    const rel = `limits.d/${e.name}`;
    if (e.name.startsWith('.')) ignored.push({ path: rel, reason: 'hidden', detail: 'hidden files are never read' });
    else if (!e.name.endsWith('.conf')) ignored.push(e.isDirectory() ? { path: rel, reason: 'subdirectory', detail: 'limits.d is not searched recursively' } : { path: rel, reason: 'suffix', detail: 'only names ending exactly in ".conf" are read' });
    else names.push(e.name);
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) files.push(readTreeFile(dir, `limits.d/${n}`, 'dropin', profile));
  return { profile, files, ignored, failure: null };
}

interface Plan {
  /** 'skipped': a glob match that links out of the directory the glob names (never followed) */
  kind: 'tree' | 'secdir' | 'file' | 'skipped';
  /** why a 'skipped' plan was skipped */
  detail?: string;
  /** tree root / security dir / the file */
  path: string;
  /** absolute paths to report on (undefined = everything) */
  only?: Set<string>;
  /**
   * Bytes read from a stream, linted in place of the file at `abs` (absolute; for a 'file' plan,
   * its path): standard input (`--stdin`), or a stream named on the command line. `shown` is the
   * display name when it is not a path (`<stdin>`). A stream longer than the cap is an
   * OversizedStream: what a file on disk above the cap is (not read; LC306).
   */
  overlay?: { readonly abs: string; readonly bytes: Buffer | OversizedStream; readonly shown?: string };
}

/**
 * Where a file sits in a tree layout: below `<R>/etc/security/`, or a vendor directory
 * `<R>/usr/share/pam/security/` or `<R>/usr/etc/security/`
 * (the nearest such directory above it) → R, its path relative to R and that security
 * directory's (`etc/security`, `usr/etc/security`…); else null.
 */
function layoutOf(abs: string): { root: string; rel: string; dir: string } | null {
  const parts = abs.split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] !== 'security') continue;
    let at = -1;
    if (parts[i - 1] === 'etc') at = i >= 2 && parts[i - 2] === 'usr' ? i - 2 : i - 1; // usr/etc/security: openSUSE's vendor directory
    else if (i >= 3 && parts[i - 1] === 'pam' && parts[i - 2] === 'share' && parts[i - 3] === 'usr') at = i - 3;
    if (at < 0) continue;
    return { root: parts.slice(0, at).join(path.sep) || path.sep, rel: parts.slice(at).join('/'), dir: parts.slice(at, i + 1).join('/') };
  }
  return null;
}

/**
 * Why pam_limits (as `profile`) never reads the file at `rel` of a tree, or null when it is one
 * pam_limits may read (limits.conf, a limits.d entry — whose hidden or non-.conf names the tree's
 * own listing reports — and, for 1.7, the vendor copies). pam_limits.c@v1.5.2:1124-1139,
 * @v1.7.2:1245-1332 (docs/pam_limits-semantics.md).
 */
function notReadReason(rel: string, profile: Profile): string | null {
  const vendorDir = PROFILE_TRAITS[profile].vendorDir;
  const vendor = [VENDOR_DIR, SUSE_VENDOR_DIR].find((d) => rel.startsWith(`${d}/`));
  const dir = vendor ?? 'etc/security';
  const inDir = rel.slice(dir.length + 1);
  if (vendor !== undefined && vendor !== vendorDir) {
    const has = vendorDir === null ? 'has no vendor directory' : `reads its vendor files from ${vendorDir}`;
    return `pam_limits of the ${profile} profile reads nothing in ${dir}: it ${has} (Linux-PAM 1.5.3 and later built with one; /usr/share/pam by default from 1.7.2, /usr/etc on openSUSE — see limitsctl profiles); not linted as a limits file`;
  }
  if (inDir === 'limits.conf' || inDir === 'limits.d' || /^limits\.d\/[^/]+$/.test(inDir)) return null;
  if (inDir.startsWith('limits.d/')) return 'limits.d is not searched recursively: pam_limits never reads this file; not linted as a limits file';
  return `pam_limits reads only limits.conf and limits.d/*.conf in ${dir}, never this file (it belongs to another program, or is a backup or leftover); not linted as a limits file`;
}

/**
 * Whether `abs` lies in an etc/security layout (`<R>/etc/security/…`, or a vendor directory
 * `<R>/usr/share/pam/security/…`, `<R>/usr/etc/security/…`): where pam_limits reads its files.
 */
export function inTreeLayout(abs: string): boolean {
  return layoutOf(abs) !== null;
}

/** `<R>/etc/security/limits.conf` or `<R>/etc/security/limits.d/<x>` → R */
function treeRootOfFile(abs: string): string | null {
  const dir = path.dirname(abs);
  if (path.basename(abs) === 'limits.conf' && path.basename(dir) === 'security' && path.basename(path.dirname(dir)) === 'etc') return path.dirname(path.dirname(dir));
  if (path.basename(dir) === 'limits.d') {
    const sec = path.dirname(dir);
    if (path.basename(sec) === 'security' && path.basename(path.dirname(sec)) === 'etc') return path.dirname(path.dirname(sec));
  }
  return null;
}

async function expandGlob(pattern: string, cwd: string, denied: string[]): Promise<string[]> {
  const fg = (await import('fast-glob')).default;
  const odd: string[] = [];
  const base = globCwd(cwd, pattern);
  const found = await fg(pattern, { cwd: base, dot: true, onlyFiles: false, absolute: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/.git/**'], fs: noticingFs(odd, denied) })
    .catch((e: unknown) => { throw ownLimitOfWalk(e, base, cwd); });
  // a directory on the way whose name is not UTF-8 was not searched: said, not passed over
  for (const p of odd) refuseUnnamable(p, cwd);
  return found.sort();
}

async function findTreesBelow(dir: string, cwd: string, denied: string[]): Promise<string[]> {
  const fg = (await import('fast-glob')).default;
  const odd: string[] = [];
  const found = await fg('**/etc/security', { cwd: dir, onlyDirectories: true, absolute: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/.git/**'], fs: noticingFs(odd, denied) })
    .catch((e: unknown) => { throw ownLimitOfWalk(e, dir, cwd); });
  // a directory whose name is not UTF-8 is not searched (its name as found names nothing): said,
  // not skipped in silence (one inside a tree's etc/security is the tree's: its reader reports
  // it, LC306 or LC301)
  for (const p of odd) {
    if (!found.some((sec) => p.startsWith(`${sec}/`))) refuseUnnamable(p, cwd);
  }
  return found.map((p) => path.dirname(path.dirname(p))).sort();
}

/**
 * A directory walk's failure `e` (fast-glob's rejection: node:fs's error for the directory it was
 * listing) as a ProcessLimitError naming that directory as lint shows paths, when it is limitsctl's
 * own limit (EMFILE, ENFILE, ENOMEM: exit 2, "… while reading hosts/h3: raise its limit …"); any
 * other failure unchanged.
 */
function ownLimitOfWalk(e: unknown, base: string, cwd: string): unknown {
  if (!isOwnLimit(e)) return e;
  const at = (e as { path?: unknown }).path;
  return ProcessLimitError.from(e, displayPath(cwd, typeof at === 'string' ? path.resolve(base, at) : base));
}

/**
 * A ProcessLimitError `e` met while reading the tree or directory at `root` names its file relative
 * to that root (etc/security/limits.conf): named again as lint shows that file (hosts/h3/etc/…),
 * so that a run over many trees says which. Anything else unchanged.
 */
function ownLimitIn(e: unknown, root: string, cwd: string): unknown {
  if (!(e instanceof ProcessLimitError) || path.isAbsolute(e.path)) return e;
  return new ProcessLimitError(e.code, displayIn(root, cwd)(e.path).shown, { syscall: e.syscall, cause: e });
}

/**
 * node:fs for fast-glob's walk (its `fs` option), noting in `odd` each directory or link it lists
 * whose name holds U+FFFD: the walk cannot enter one whose name is not UTF-8, and would pass it
 * over without a word. What is listed is unchanged. A directory this uid may not list (EACCES,
 * EPERM) is noted in `denied` and walked as empty: one such directory failed the whole walk
 * ("EACCES: permission denied, scandir …"), and what it may hold is for the caller to say.
 */
function noticingFs(odd: string[], denied: string[]): Record<string, unknown> {
  type Entry = string | Dirent;
  const note = (dir: string, entries: readonly Entry[]): void => {
    for (const e of entries) {
      const name = typeof e === 'string' ? e : e.name;
      if (name.includes(REPLACEMENT) && (typeof e === 'string' || e.isDirectory() || e.isSymbolicLink())) odd.push(path.join(dir, name));
    }
  };
  return {
    lstat: fs.lstat, stat: fs.stat, lstatSync: fs.lstatSync, statSync: fs.statSync,
    readdirSync: (dir: string, options?: unknown) => {
      let entries: Entry[];
      try {
        entries = fs.readdirSync(dir, options as { withFileTypes: true }) as Entry[];
      } catch (e) {
        if (!isDenied(e)) throw e;
        denied.push(dir);
        return [];
      }
      note(dir, entries);
      return entries;
    },
    readdir: (dir: string, options: unknown, callback?: (err: NodeJS.ErrnoException | null, entries: Entry[]) => void) => {
      const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, entries: Entry[]) => void;
      const done = (err: NodeJS.ErrnoException | null, entries: Entry[]): void => {
        if (err !== null && isDenied(err)) {
          denied.push(dir);
          cb(null, []);
          return;
        }
        if (err === null) note(dir, entries);
        cb(err, entries);
      };
      if (typeof options === 'function') fs.readdir(dir, done as never);
      else fs.readdir(dir, options as { withFileTypes: true }, done as never);
    },
  };
}

/**
 * Whether `p` (holding U+FFFD) came from a name that is not UTF-8: its directory's names read as
 * bytes hold one that decodes to its last component and is not that component's UTF-8 — a name
 * really holding U+FFFD (EF BF BD) beside it does not hide it; when the directory cannot be read
 * (the U+FFFD is further up), whether `p` names nothing.
 */
function undecodable(p: string): boolean {
  const base = path.basename(p);
  if (base.includes(REPLACEMENT)) {
    try {
      return readdirSync(path.dirname(p), { encoding: 'buffer' }).some((b) => {
        const s = b.toString('utf8');
        return s === base && !Buffer.from(s, 'utf8').equals(b);
      });
    } catch (e) {
      // out of descriptors (EMFILE…): limitsctl's own limit, which says nothing of the name
      if (isOwnLimit(e)) throw ProcessLimitError.from(e, path.dirname(p));
      /* below */
    }
  }
  return lstatSync(p, { throwIfNoEntry: false }) === undefined;
}

/** U+FFFD, what a name that is not UTF-8 holds once Node has decoded it */
const REPLACEMENT = '\uFFFD';

/**
 * A path found by a directory walk or a glob whose name is not UTF-8: Node decodes such a name
 * with U+FFFD in place of the bytes it cannot read, and the path so made names no file, so
 * limitsctl can neither read nor write it (pam_limits, which reads bytes, would). `probe` is where
 * it really is when `p` names it through a tree's own links (its limits.d listed chroot-style).
 * @throws LintPathError (`EILSEQ`, exit 2) naming it, with a hint to rename it
 */
function refuseUnnamable(p: string, cwd: string, probe: string = p): void {
  if (!p.includes(REPLACEMENT) || !undecodable(probe)) return;
  const layout = layoutOf(p);
  throw new LintPathError(`${displayPath(cwd, p)}: a name on this path is not UTF-8 (shown as \uFFFD), so limitsctl cannot open it to lint it`, 'EILSEQ',
    layout !== null
      ? `Lint its tree instead (limitsctl lint ${displayPath(cwd, layout.root) || '.'}), which reports it as a file it cannot open (LC306), or rename it to a UTF-8 name.`
      : 'Rename it to a UTF-8 name (e.g. with convmv), or lint the other paths on their own.');
}

/** The tree at --root, taken as a root whatever it holds (lint without PATH arguments). */
export async function loadRootTarget(root: string, options: ExpandOptions): Promise<LoadedLintTarget> {
  return loadPlan({ kind: 'tree', path: resolveFrom(options.cwd, root) }, options);
}

/**
 * PATH arguments as lint targets, every one read from disk at once (a repository of many trees is
 * held in memory whole: `lint` itself uses {@link expandLintTargets}).
 * @throws LintPathError for a PATH that matches nothing
 */
export async function loadLintTargets(paths: readonly string[], options: ExpandOptions): Promise<LoadedLintTarget[]> {
  const out: LoadedLintTarget[] = [];
  for await (const t of await expandLintTargets(paths, options)) out.push(t);
  return out;
}

/**
 * The lint targets of PATH arguments, in order, each read from disk only when the iteration
 * reaches it: a caller that lets go of a target before taking the next holds one tree at a time.
 * Iterating again reads the trees again.
 */
export interface LintTargets extends AsyncIterable<LoadedLintTarget> {
  /** how many targets there are (trees, security directories, files linted on their own) */
  readonly count: number;
}

/**
 * Turn PATH arguments into lint targets: every PATH is expanded (globs, repositories searched
 * for etc/security) and checked now, before anything is read for linting, so that a PATH that
 * names nothing fails before any output; the trees are read one by one as the result is iterated.
 * @throws LintPathError for a PATH that matches nothing (nothing has been read for linting then)
 */
export async function expandLintTargets(paths: readonly string[], options: ExpandOptions): Promise<LintTargets> {
  const plans = await planLintTargets(paths, options.cwd, options.refuseStream);
  return {
    count: plans.length,
    async* [Symbol.asyncIterator]() {
      for (const plan of plans) yield loadPlan(plan, options);
    },
  };
}

async function planLintTargets(paths: readonly string[], cwd: string, refuseStream?: (shown: string) => Error): Promise<Plan[]> {
  const plans = new Map<string, Plan>();
  // A tree, security directory or file is planned once, by its real path: a second name of it
  // (`lint hosts/b H/b` with `H -> hosts`) adds what it names to the first name's plan, whose
  // name the report uses (eslint lints a file named twice once, too). `lint --fix` then writes
  // it once, and the summary counts its files once.
  // realpath of each path met, once: a limits.d of many files names its root as many times, and a
  // glob's matches are looked at twice (twin below, then addPlan); null when it cannot be resolved
  const reals = new Map<string, string | null>();
  // lstat of each glob match, once (null: it failed): realOrNull, linkLeaving and classify ask it
  const lstats = new Map<string, Stats | null>();
  const lstatOf = (p: string): Stats | null => {
    let st = lstats.get(p);
    if (st === undefined) {
      try { st = lstatSync(p); } catch { st = null; }
      lstats.set(p, st);
    }
    return st;
  };
  const realOrNull = (p: string): string | null => {
    let real = reals.get(p);
    if (real !== undefined) return real;
    // a normalized absolute path whose last name is not a symlink is its directory's real path
    // and that name, as realpath(3) walks it: one lstat instead of one per component (the
    // matches of 'hosts/*' share their directory). Not for a name with U+FFFD nor under
    // /proc/self/cwd, which realPathKeepingCwd spells its own way
    const name = path.basename(p);
    const dir = path.dirname(p);
    const st = dir !== p && path.isAbsolute(p) && path.normalize(p) === p && p === path.join(dir, name) && !p.includes(REPLACEMENT) && !p.startsWith(CWD_LINK)
      ? lstatOf(p) : null;
    const realDir = st !== null && !st.isSymbolicLink() ? realOrNull(dir) : null;
    if (realDir !== null) real = realDir === '/' ? `/${name}` : `${realDir}/${name}`;
    else {
      try { real = realPathKeepingCwd(p); } catch { real = null; }
    }
    reals.set(p, real);
    return real;
  };
  const realOf = (p: string): string => realOrNull(p) ?? p;
  const addPlan = (kind: Plan['kind'], p: string, onlyFile?: string) => {
    const real = realOf(p);
    const key = `${kind}\0${real}`;
    const existing = plans.get(key);
    // a file named under the second name of a tree, as a path under the first name
    const only = onlyFile === undefined || existing === undefined || existing.path === p ? onlyFile : path.join(existing.path, path.relative(p, onlyFile));
    if (!existing) {
      plans.set(key, only === undefined ? { kind, path: p } : { kind, path: p, only: new Set([only]) });
    } else if (existing.only) {
      if (only === undefined) delete existing.only;
      else existing.only.add(only);
    }
  };
  // a limits.d directory of the tree at `root`: only its files are reported on. It is listed as
  // the tree's reader lists it (chroot-style: through the tree's own links, never out of the
  // tree), not as this machine resolves its name
  const addDropinDir = (root: string, abs: string): void => {
    const listing = listDirInRoot(root, path.relative(root, abs).split(path.sep).join('/'));
    // one that cannot be listed (this uid may not, or a link leads out of the tree): the tree
    // reports the directory itself (LC306)
    if (!listing.ok) addPlan('tree', root, abs);
    const names = listing.ok ? listing.entries.map((e) => e.name) : [];
    for (const e of names) {
      refuseUnnamable(path.join(abs, e), cwd, listing.ok ? path.join(listing.resolved.abs, e) : undefined);
      addPlan('tree', root, path.join(abs, e));
    }
    if (names.length === 0) addPlan('tree', root, path.join(abs, '\0none'));
  };
  // directories a walk (a glob, a repository) may not list as this uid, and PATHs behind one:
  // said, never passed over, never called missing. In a tree, the tree reads it and says it
  // cannot (LC306, as `lint --root` does); elsewhere it is a finding of its own (not linted)
  const addDenied = (dirs: readonly string[]): void => {
    for (const d of dirs) {
      const layout = layoutOf(path.join(d, '_'));
      if (layout !== null && isDir(layout.root)) {
        // the security directory itself: the whole tree; limits.d or below: that directory
        if (layout.rel === `${layout.dir}/_`) addPlan('tree', layout.root);
        else addPlan('tree', layout.root, d);
        continue;
      }
      if (path.basename(d) === 'etc') {
        // an etc, or the usr/etc an `etc -> /usr/etc` link of its tree leads to
        const up = path.dirname(d);
        const root = path.basename(up) === 'usr' && holdsTree(path.dirname(up)) ? path.dirname(up) : holdsTree(up) ? up : null;
        if (root !== null) { addPlan('tree', root); continue; }
      }
      plans.set(`skipped\0${d}`, { kind: 'skipped', path: d, detail: `cannot search ${displayPath(cwd, d)} as uid ${uidText()} (EACCES): a tree below it, if any, was not found and not linted; run as root to lint it` });
    }
  };
  /** An explicit PATH this uid cannot stat (EACCES: a directory on its way): unknown, not missing. */
  const addBehindDenied = (p: string, abs: string): void => {
    const layout = layoutOf(path.join(abs, '_'));
    if (layout === null || !isDir(layout.root)) {
      throw new LintPathError(`cannot reach ${p} as uid ${uidText()} (EACCES): a directory on its way may not be searched, so whether it exists is unknown`, 'EACCES',
        'Run as root, or lint the tree that holds it (it says what it cannot read).');
    }
    const rel = layout.rel.slice(0, -2);
    if (rel === layout.dir) { addPlan('tree', layout.root); return; }
    addPlan('tree', layout.root, abs);
    // a drop-in: the tree says it cannot list its limits.d (or reach etc/security)
    if (path.posix.dirname(rel) === `${layout.dir}/limits.d`) addPlan('tree', layout.root, path.dirname(abs));
  };
  const classify = async (abs: string, explicit: boolean): Promise<boolean> => {
    let st;
    // a glob match's lstat is its stat when it is no symlink
    const known = lstats.get(abs);
    try { st = known && !known.isSymbolicLink() ? known : statSync(abs); } catch {
      // named through a tree's own links, which this machine cannot follow (`T/etc/security`
      // with `T/etc -> /usr/etc`): what it names in the tree T, read chroot-style
      const via = throughTreeLinks(abs);
      if (via !== null && via.rel === via.dir) { addPlan('tree', via.root); return true; }
      if (via !== null && via.rel === `${via.dir}/limits.d` && via.kind !== 'other') { addDropinDir(via.root, abs); return true; }
      if (via !== null && via.kind !== 'directory') { addPlan('tree', via.root, abs); return true; }
      // a dangling symlink named on the command line: lint it as a file of its tree
      const root = treeRootOfFile(abs);
      if (root) { addPlan('tree', root, abs); return true; }
      return false;
    }
    if (st.isDirectory()) {
      if (holdsTree(abs)) { addPlan('tree', abs); return true; }
      if (path.basename(abs) === 'security' && path.basename(path.dirname(abs)) === 'etc') { addPlan('tree', path.dirname(path.dirname(abs))); return true; }
      if (path.basename(abs) === 'limits.d') {
        const root = treeRootOfFile(path.join(abs, 'x'));
        if (root) { addDropinDir(root, abs); return true; }
      }
      if (existsSync(path.join(abs, 'limits.conf')) || isDir(path.join(abs, 'limits.d'))) { addPlan('secdir', abs); return true; }
      if (!explicit) {
        // a match of a glob that this uid may not search: what it holds is unknown, and said
        try { readdirSync(abs); } catch (e) {
          if (isDenied(e)) { addDenied([abs]); return true; }
          // out of descriptors (EMFILE…): limitsctl's own limit, never a directory passed over
          if (isOwnLimit(e)) throw ProcessLimitError.from(e, displayPath(cwd, abs));
        }
        return false;
      }
      const denied: string[] = [];
      const roots = await findTreesBelow(abs, cwd, denied);
      if (roots.length === 0 && denied.includes(abs)) {
        throw new LintPathError(`cannot search ${displayPath(cwd, abs) || '.'} as uid ${uidText()} (EACCES), so what it holds is unknown`, 'EACCES', 'Run as root, or lint the trees in it that you can read.');
      }
      for (const r of roots) addPlan('tree', r);
      addDenied(denied);
      return roots.length > 0 || denied.length > 0;
    }
    // a file inside an etc/security layout is read with its tree: a file pam_limits never reads
    // there (namespace.init, limits.conf.rpmnew, …) is reported as such, never linted or fixed
    // as a limits file (loadPlans, notReadReason); a FIFO or device there is what pam_limits
    // would meet (LC3xx), so it is never read
    const layout = layoutOf(abs);
    if (explicit && !layout && (!st.isFile() || FD_PATH.test(abs))) {
      // a FIFO, a device, /dev/stdin, /dev/fd/N or a process substitution named on the command
      // line: read now (before any output), once and all of it, and linted as a file of its own
      if (refuseStream) throw refuseStream(displayPath(cwd, abs));
      const key = `file\0${abs}`;
      if (!plans.has(key)) plans.set(key, { kind: 'file', path: abs, overlay: { abs, bytes: await readPathStream(abs, displayPath(cwd, abs)) } });
      return true;
    }
    if (layout) {
      addPlan('tree', layout.root, abs);
      // a drop-in in a limits.d this uid may not list: the tree reads none of them and says so
      // at the directory (LC306), which is then reported too (it was "no problems in 0 files")
      if (layout.rel === `${layout.dir}/limits.d/${path.basename(abs)}` && !listDirInRoot(layout.root, `${layout.dir}/limits.d`).ok) addPlan('tree', layout.root, path.dirname(abs));
    } else {
      addPlan('file', abs);
    }
    return true;
  };

  for (const p of paths) {
    const abs = resolveFrom(cwd, p);
    if (!existsSync(abs) && GLOB_CHARS.test(p)) {
      const denied: string[] = [];
      const matches = await expandGlob(p, cwd, denied);
      if (matches.length === 0 && denied.length === 0) throw new LintPathError(`no file matches '${p}'`, 'ENOENT');
      addDenied(denied);
      let any = denied.length > 0;
      const base = globBase(p, cwd);
      // a match that is another match reached through a symlink (`hosts/web -> web1`, both
      // matched by 'hosts/*') is that match: linted once, under the name with no link in it.
      // Not inside a tree's layout, where two names are two files pam_limits reads (a limits.d
      // link to limits.conf): the tree reports both
      const realBase = realOf(base);
      const own = (m: string) => path.join(realBase, path.relative(base, m));
      const plain = new Set(matches.filter((m) => realOf(m) === own(m)).map(own));
      const twin = (m: string) => realOf(m) !== own(m) && plain.has(realOf(m)) && layoutOf(path.join(m, '_')) === null;
      for (const m of matches) {
        if (twin(m)) continue;
        refuseUnnamable(m, cwd);
        const out = linkLeaving(m, base, lstatOf, realOrNull);
        if (out !== null) {
          plans.set(`skipped\0${m}`, { kind: 'skipped', path: m, detail: `${displayPath(cwd, m)} is a symlink to ${out}, which leads outside ${displayPath(cwd, base)} (where '${p}' looks); not followed, not linted — lint it by name if it is meant` });
          any = true;
          continue;
        }
        if (await classify(m, false)) any = true;
      }
      if (!any) throw new LintPathError(`'${p}' matches no pam_limits configuration (a root with etc/security, an etc/security directory, or files)`, 'ENOENT');
      continue;
    }
    let exists = true;
    try {
      statSync(abs);
    } catch (e) {
      exists = false;
      if (isDenied(e)) { addBehindDenied(p, abs); continue; }
    }
    // a missing limits.conf is the tree's to report (LC303: pam_limits fails), and so is a
    // dangling link; a limits.d file that is not there at all is a typo, said as for any PATH
    // (it was "no problems in 0 files", exit 0)
    const treeRoot = treeRootOfFile(abs);
    const treeReports = treeRoot !== null && (path.basename(abs) === 'limits.conf' || nameInTree(treeRoot, abs));
    if (!exists && !treeReports) {
      const via = throughTreeLinks(abs);
      // named through the tree's own links (`etc -> /usr/etc`) into a directory this uid may not search
      if (via !== null && via.kind === 'denied') { addBehindDenied(p, abs); continue; }
      if (via === null) throw new LintPathError(`${p} does not exist`, 'ENOENT');
    }
    if (!(await classify(abs, true))) {
      throw new LintPathError(`no pam_limits configuration found in ${p}: expected a root holding etc/security, an etc/security directory, limits.conf/limits.d, or files`, 'ENOENT');
    }
  }

  return [...plans.values()];
}

/**
 * Whether the tree at `root` has something (a file, a link, dangling or not) at the name `abs`
 * (a path below `root`), its directories resolved as the tree's reader resolves them
 * (chroot-style: `etc -> /usr/etc` is `<root>/usr/etc`, never this machine's /usr/etc).
 */
function nameInTree(root: string, abs: string): boolean {
  try {
    const dir = resolveInRoot(root, path.relative(root, path.dirname(abs)).split(path.sep).join('/'));
    return !dir.missing && lstatSync(path.join(dir.abs, path.basename(abs)), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/** The directory a glob looks in: its path up to the first component with a glob character. */
function globBase(pattern: string, cwd: string): string {
  const parts = pattern.split('/');
  const i = parts.findIndex((x) => GLOB_CHARS.test(x));
  return resolveFrom(cwd, parts.slice(0, i < 0 ? parts.length : i).join('/') || '.');
}

/**
 * When `abs` is a symlink (or has one on the way from `base`) whose target is outside `base`, the
 * target (its real path); else null. A dangling link is not "leaving" (it is linted as missing).
 * `lstatOf` and `realOrNull` are lstat(2) and realPathKeepingCwd, null where they fail (the
 * planner's, which remember what they found).
 */
function linkLeaving(abs: string, base: string, lstatOf: (p: string) => Stats | null, realOrNull: (p: string) => string | null): string | null {
  const st = lstatOf(abs);
  if (st === null) return null;
  if (!st.isSymbolicLink()) {
    const dir = realOrNull(path.dirname(abs));
    if (dir === null || dir === path.dirname(abs)) return null;
  }
  const real = realOrNull(abs);
  const realBase = realOrNull(base);
  if (real === null || realBase === null) return null;
  return real === realBase || real.startsWith(realBase === '/' ? '/' : `${realBase}/`) ? null : real;
}

/**
 * The files named on the command line (`only`, absolute) that sit in the tree at `root` but that
 * pam_limits never reads, added to the tree's ignored files (reason 'not-read', reported by
 * LC301) unless the tree already lists them (read, or ignored for its own reason).
 */
function addNotRead(tree: ConfigTree, root: string, only: ReadonlySet<string>): ConfigTree {
  const known = new Set<string>([...tree.files.map((f) => f.path), ...tree.ignored.map((g) => g.path)]);
  const extra: IgnoredFile[] = [];
  for (const abs of only) {
    if (abs.includes('\0')) continue; // the marker of an empty limits.d
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (known.has(rel) || rel.startsWith('..')) continue;
    const detail = notReadReason(rel, canonicalProfile(tree.profile));
    if (detail === null) continue;
    known.add(rel);
    extra.push({ path: rel, reason: 'not-read', detail });
  }
  return extra.length > 0 ? { ...tree, ignored: [...tree.ignored, ...extra] } : tree;
}

/** Reads one target from disk (all of a tree's files, its accounts and facts). */
function loadPlan(plan: Plan, options: ExpandOptions): LoadedLintTarget {
  const { cwd } = options;
  const abs = new Map<string, string>();
  const reload = async (): Promise<LoadedLintTarget> => loadPlan(plan, options);
  if (plan.kind === 'skipped') {
    const shown = displayPath(cwd, plan.path);
    abs.set(shown, plan.path);
    const tree: ConfigTree = { profile: options.profile(null), files: [], ignored: [], failure: null, unusable: [{ path: shown, detail: plan.detail ?? 'not linted' }] };
    return { target: { tree, accounts: null, ...nrOpenOf(null, options.nrOpen, cwd), standalone: true }, root: null, abs, reload };
  }
  const ov = plan.overlay;
  const stream = ov ? { stream: ov.shown ?? displayPath(cwd, ov.abs) } : {};
  if (plan.kind === 'file') {
    const profile = options.profile(null);
    const dir = path.dirname(plan.path);
    let tree: ConfigTree;
    if (ov?.shown !== undefined) {
      // standard input without a name: a file of its own, read as a main file
      abs.set(ov.shown, ov.abs);
      tree = { profile, files: [overlayFile(ov.shown, 'main', profile, ov.bytes)], ignored: [], failure: null };
    } else {
      const role = path.basename(dir) === 'limits.d' ? 'dropin' : 'main';
      const base = path.basename(plan.path);
      let f: TreeFile;
      try {
        f = ov ? overlayFile(base, role, profile, ov.bytes) : readTreeFile(dir, base, role, profile);
      } catch (e) {
        throw ownLimitIn(e, dir, cwd);
      }
      tree = relabel({ profile, files: [f], ignored: [], failure: null }, dir, cwd, abs);
    }
    return { target: { tree, accounts: null, ...nrOpenOf(null, options.nrOpen, cwd), standalone: true }, root: null, abs, reload, ...stream };
  }
  // the tree's directories are opened once for all its reads (io/paths.ts withTreeScope)
  try {
    return withTreeScope(plan.path, () => loadTreePlan(plan, options, abs, reload, stream));
  } catch (e) {
    throw ownLimitIn(e, plan.path, cwd);
  }
}

/** loadPlan of a tree or security directory (`abs` is filled with its files' display paths). */
function loadTreePlan(plan: Plan, options: ExpandOptions, abs: Map<string, string>, reload: () => Promise<LoadedLintTarget>, stream: { stream?: string }): LoadedLintTarget {
  const { cwd } = options;
  const ov = plan.overlay;
  const profile = options.profile(plan.path);
  const loaded = plan.kind === 'tree' ? loadTree(plan.path, { profile }) : loadSecurityDir(plan.path, profile);
  const unusable: Unusable = [];
  const accounts = plan.kind === 'tree' ? loadLintAccounts(plan.path, unusable) : null;
  if (plan.kind === 'tree') {
    const os = readOsRelease(plan.path);
    if (os.problem && os.problemFile) unusable.push({ path: os.problemFile, detail: `${os.problem}; the profile could not be detected from it, and this tree was linted with the ${profile} profile${os.file ? ` (${os.file} was read instead)` : ''}; pam_limits itself never reads os-release` });
  }
  const overlaid = plan.kind === 'tree' && ov ? withOverlay(loaded, path.relative(plan.path, ov.abs).split(path.sep).join('/'), ov.bytes) : loaded;
  const withNotRead = plan.kind === 'tree' && plan.only ? addNotRead(overlaid, plan.path, plan.only) : overlaid;
  const raw: ConfigTree = unusable.length > 0 ? { ...withNotRead, unusable } : withNotRead;
  const tree = relabel(raw, plan.path, cwd, abs);
  const only = plan.only ? new Set([...plan.only].map((a) => displayPath(cwd, a))) : undefined;
  const target: LintTarget = {
    tree,
    accounts,
    ...nrOpenOf(plan.kind === 'tree' ? plan.path : null, options.nrOpen, cwd),
    ...(plan.kind === 'tree' ? snapshotFacts(plan.path) : {}),
    ...(only ? { only } : {}),
  };
  return { target, root: plan.kind === 'tree' ? plan.path : null, abs, reload, ...stream };
}

/**
 * A file whose bytes came from a stream, as loadTree would have read it from disk (readTreeFile):
 * a stream above the cap is 'not-evaluated' as a file above the cap is.
 */
function overlayFile(rel: string, role: FileRole, profile: Profile, bytes: Buffer | OversizedStream): TreeFile {
  if (bytes instanceof OversizedStream) return { path: rel, role, status: 'not-evaluated', doc: null, error: bytes.message };
  return { path: rel, role, status: 'ok', doc: lazyDocument(rel, profile, bytesToBinary(bytes)) };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The tree as pam_limits would read it with `bytes` as the file at `rel` (relative to the root):
 * the file replaced in the reading order, or — when it is not on disk yet (an editor's new
 * buffer) — put where pam_limits would read it: limits.conf first (a vendor limits.conf then
 * unused), a drop-in by its name among the others (byte order, as glob() sorts), a drop-in of
 * the same name in the vendor directory shadowed. A name pam_limits never reads changes nothing
 * (a hidden or non-.conf drop-in is listed as ignored, as the tree's listing would; other names
 * are reported by addNotRead). The tree's fatal failure is worked out again (the first file in
 * the reading order with `fatal`, as loadTree sets it). Rules: docs/pam_limits-semantics.md
 * (pam_limits.c@v1.5.2:1124-1139, @v1.7.2:1245-1332).
 */
function withOverlay(tree: ConfigTree, rel: string, bytes: Buffer | OversizedStream): ConfigTree {
  const profile = canonicalProfile(tree.profile);
  const files = [...tree.files];
  const ignored = [...tree.ignored];
  const ours = (role: FileRole) => overlayFile(rel, role, profile, bytes);
  const at = files.findIndex((f) => f.path === rel && f.dirListing !== true);
  if (at >= 0) {
    // a symlink on disk: the bytes stand for its target's, which is where the findings point
    const real = files[at]!.realPath;
    files[at] = { ...ours(files[at]!.role), ...(real !== undefined ? { realPath: real } : {}) };
  } else if (ignored.some((g) => g.path === rel) || notReadReason(rel, profile) !== null) {
    return tree; // on disk and ignored (hidden, suffix, shadowed, vendor-unused), or never read
  } else {
    const vendorDir = PROFILE_TRAITS[profile].vendorDir;
    const inEtc = rel.startsWith('etc/security/');
    const inDir = rel.slice((inEtc ? 'etc/security' : vendorDir ?? '').length + 1);
    if (inDir === 'limits.conf') {
      if (inEtc) {
        const v = files.findIndex((f) => f.role === 'vendor-main');
        if (v >= 0) {
          ignored.push({ path: files[v]!.path, reason: 'vendor-unused', detail: `${MAIN_FILE} exists, so the vendor file is not read` });
          files[v] = ours('main');
        } else {
          files.unshift(ours('main'));
        }
      } else {
        const m = files.findIndex((f) => f.role === 'main');
        if (m >= 0 && (files[m]!.status === 'missing' || files[m]!.status === 'dangling-symlink')) files[m] = ours('vendor-main');
        else ignored.push({ path: rel, reason: 'vendor-unused', detail: `${MAIN_FILE} exists, so the vendor file is not read` });
      }
    } else if (inDir.startsWith('limits.d/')) {
      const name = inDir.slice('limits.d/'.length);
      if (name.startsWith('.')) ignored.push({ path: rel, reason: 'hidden', detail: 'hidden files are never read (glob * does not match a leading dot)' });
      else if (!name.endsWith('.conf')) ignored.push({ path: rel, reason: 'suffix', detail: 'only names ending exactly in ".conf" are read' });
      else {
        const isDropin = (f: TreeFile) => (f.role === 'dropin' || f.role === 'vendor-dropin') && f.dirListing !== true;
        const same = files.findIndex((f) => isDropin(f) && path.posix.basename(f.path) === name);
        if (same >= 0 && inEtc) {
          // a vendor drop-in of the same name is shadowed by this one
          ignored.push({ path: files[same]!.path, reason: 'shadowed', detail: `${DROPIN_DIR}/${name} has the same name and is read instead` });
          files[same] = ours('dropin');
        } else if (same >= 0) {
          ignored.push({ path: rel, reason: 'shadowed', detail: `${DROPIN_DIR}/${name} has the same name and is read instead` });
        } else {
          const after = files.findIndex((f) => isDropin(f) && compareBytes(path.posix.basename(f.path), name) > 0);
          files.splice(after < 0 ? files.length : after, 0, ours(inEtc ? 'dropin' : 'vendor-dropin'));
        }
      }
    } else {
      return tree;
    }
  }
  const fatal = files.find((f) => f.fatal !== undefined);
  return { ...tree, files, ignored, failure: fatal ? { file: fatal.path, reason: fatal.fatal! } : null };
}

/**
 * The lint target of bytes read from standard input (`lint --stdin [--stdin-filename NAME]`),
 * linted exactly as the file NAME would be on disk:
 * - NAME in an `<R>/etc/security/` layout (limits.conf, limits.d/*.conf, or a vendor directory)
 *   where `<R>/etc/security` (or NAME's own security directory) exists: in the context of the
 *   tree at R, the bytes in place of the file (withOverlay: also when it is not on disk yet),
 *   only its findings reported;
 * - any other NAME: a file of its own (a drop-in when its directory is named limits.d);
 * - no NAME: a file of its own shown as `<stdin>`, read as a main file (limits.conf), as any
 *   file outside a limits.d directory is.
 * A relative NAME is taken in `base` (default: the working directory). Nothing is read from disk
 * until the result is iterated; nothing is ever written.
 * @throws LintPathError when NAME is an existing directory
 */
export function stdinTarget(bytes: Buffer | OversizedStream, filename: string | null, options: ExpandOptions & { readonly base?: string }): LintTargets {
  let plan: Plan;
  if (filename === null) {
    plan = { kind: 'file', path: path.join(options.cwd, STDIN_NAME), overlay: { abs: '', bytes, shown: STDIN_NAME } };
  } else {
    const abs = resolveFrom(options.base ?? options.cwd, filename);
    if (isDir(abs)) throw new LintPathError(`--stdin-filename ${filename} is a directory; name the file the input stands for`, 'EISDIR');
    const layout = layoutOf(abs);
    const sec = layout ? path.join(layout.root, ...layout.rel.split('/').slice(0, layout.rel.split('/').indexOf('security') + 1)) : null;
    plan = layout && sec && (isDir(sec) || isDir(path.join(layout.root, 'etc/security')))
      ? { kind: 'tree', path: layout.root, only: new Set([abs]), overlay: { abs, bytes } }
      : { kind: 'file', path: abs, overlay: { abs, bytes } };
  }
  return {
    count: 1,
    async* [Symbol.asyncIterator]() { yield loadPlan(plan, options); },
  };
}

/** How standard input without --stdin-filename is named in findings (as eslint's `<text>`). */
export const STDIN_NAME = '<stdin>';
