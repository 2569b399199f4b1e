/**
 * Load a config tree in pam_limits' own order: etc/security/limits.conf, then
 * etc/security/limits.d/*.conf in C byte order of basenames (plus, for 1.7, the vendor
 * directory usr/share/pam/security with its shadowing rules).
 */
import { closeSync, type Dirent, lstatSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ConfigTree, FileRole, IgnoredFile, TreeFile } from '../core/model.js';
import { documentBytes, lazyDocument } from '../core/edit/lines.js';
import { displayBytes } from '../core/bytes.js';
import type { ProfileDetection } from '../core/profiles.js';
import { canonicalProfile, type Profile, type ProfileName, PROFILE_TRAITS, DROPIN_DIR, MAIN_FILE, profileInfo } from '../core/schema.js';
import { checkRootInScope, resolveInRoot, type ResolvedInRoot, withTreeScope } from './paths.js';
import { detectProfile } from './system.js';
import { dirInScope, isDenied, isDevNull, kindOf, listDirInRoot, MAX_LIMITS_FILE_BYTES, openDirInRoot, pamWouldDo, type ReadFailure, readFileInRoot, readRegularAt, refuseOwnLimit } from './read.js';

// the paths are defined once, in the schema (the core needs them too)
export { DROPIN_DIR, MAIN_FILE } from '../core/schema.js';

export interface LoadedTree extends ConfigTree {
  /** the absolute root directory */
  readonly root: string;
  /** how the profile was chosen when none was given (os-release detection); absent when one was */
  readonly detection?: ProfileDetection & { readonly file: string | null };
}

export interface LoadTreeOptions {
  /**
   * the release profile (or alias) to read the tree as; when absent it is detected from the
   * tree's own os-release (io/system.ts detectProfile) and `detection` says how. Throws a
   * RangeError for an unknown name.
   */
  profile?: ProfileName;
  /** pam_limits' conf= option: read only this file (relative to the root), no limits.d */
  conf?: string;
  /**
   * Keep each file's bytes next to its text (core/edit/lines.ts documentBytes), the text made from
   * them on first read: for an edit, which compares a second load with the first and writes from
   * the bytes. Off by default: a command that reads every file (lint of a large tree) would hold
   * both.
   */
  keepBytes?: boolean;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A UTF-16 code unit from U+D800 up: a surrogate, or a BMP character that sorts after them in UTF-8. */
const NOT_BELOW_D800 = /[\uD800-\uFFFF]/;

/**
 * `list` sorted in place by the UTF-8 bytes of `key` (glob()'s order, compareBytes), stable. When
 * no key holds a code unit from U+D800 up, the code units' order is the bytes' order (each is its
 * code point, and UTF-8 keeps code points' order): the keys are compared as strings, without
 * encoding two of them per comparison (a limits.d of 10,000 names: some 130,000 comparisons).
 */
function sortByBytes<T>(list: T[], key: (x: T) => string): T[] {
  if (list.some((x) => NOT_BELOW_D800.test(key(x)))) return list.sort((a, b) => compareBytes(key(a), key(b)));
  return list.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A file name that is not UTF-8, as shown: its invalid bytes as `\xNN` (core/bytes.ts displayBytes). */
function shownName(raw: Buffer): string {
  return displayBytes(raw.toString('latin1'));
}

/** Whether the entry of raw name `raw` in the directory at host path `dirAbs` is a directory (not followed). */
function isDirectoryAt(dirAbs: string, raw: Buffer): boolean {
  try {
    return lstatSync(Buffer.concat([Buffer.from(`${dirAbs}/`, 'utf8'), raw])).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A drop-in whose name is not UTF-8 (raw bytes `raw` in the directory at host path `dirAbs`):
 * glob() finds it and pam_limits opens it like any other. Its kind is found through the bytes of
 * its name: a FIFO, device or socket is 'special' (fatal, as for any name), a directory is read as
 * empty, a symlink is followed inside the root (a dangling one is 'dangling-symlink'). A regular
 * file, or a link to one, is 'not-evaluated': limitsctl keeps names as strings, so it neither
 * reads nor edits it (a warning in every result, lint LC306, and edits refuse).
 */
function undecodableFile(root: string, dir: ResolvedInRoot, rel: string, raw: Buffer, role: FileRole, profile: Profile): TreeFile {
  const notEvaluated = (what: string, realPath?: string): TreeFile => ({
    path: rel, role, status: 'not-evaluated', doc: null, ...(realPath !== undefined ? { realPath } : {}),
    error: `${what}its name is not UTF-8, so limitsctl cannot open it (pam_limits reads it like any other .conf file); rename it to a UTF-8 name to see what it sets`,
  });
  const at = Buffer.concat([Buffer.from(`${dir.abs}/`, 'utf8'), raw]);
  let st: Stats;
  try {
    st = lstatSync(at);
  } catch {
    return notEvaluated('');
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      const t = readlinkSync(at, { encoding: 'buffer' });
      target = t.toString('utf8');
      if (!Buffer.from(target, 'utf8').equals(t)) return notEvaluated('a symlink whose target is not UTF-8 either: ');
    } catch {
      return notEvaluated('');
    }
    // followed as any link of the tree is (readFileInRoot, chroot-style): a relative target from
    // the directory the link is really in (limits.d may itself be a link), '..' resolved by the
    // kernel's rule and out of the root an error, an absolute target inside the root
    const via = target.startsWith('/') ? target : `${dir.rel}/${target}`;
    const f = readTreeFile(root, via, role, profile);
    const realPath = f.realPath ?? path.posix.normalize(via).replace(/^\/+/, '');
    switch (f.status) {
      case 'missing':
      case 'dangling-symlink':
        return { path: rel, role, status: 'dangling-symlink', doc: null, error: `symlink target ${realPath} does not exist`, realPath };
      case 'directory':
        return { path: rel, role, status: 'directory', doc: lazyDocument(rel, profile, ''), realPath };
      case 'special':
      case 'outside-root':
      case 'unreadable':
        return { ...f, path: rel, role, realPath };
      default:
        return notEvaluated(`a symlink to ${realPath}: `, realPath);
    }
  }
  const kind = kindOf(st);
  if (kind === 'directory') return { path: rel, role, status: 'directory', doc: lazyDocument(rel, profile, '') };
  if (kind === null || isDevNull(st)) return notEvaluated('');
  return { path: rel, role, status: 'special', doc: null, error: `not a regular file but a ${kind}: ${pamWouldDo(kind)}` };
}

/**
 * Read one file of the tree as pam_limits would open it, through readFileInRoot (chroot-style
 * links, regular files only, at most MAX_LIMITS_FILE_BYTES). A FIFO, device or socket is status
 * 'special' (pam_limits would block or fail there); a file this non-root uid may not read (or
 * may not reach: a directory on the way it may not search, so not even whether it exists is
 * known), one above the cap, or one that changed mid-open is 'not-evaluated' (pam_limits, running
 * as root, reads it; the result just does not include it). `keepBytes`: see LoadTreeOptions.
 * @throws ProcessLimitError when limitsctl runs out of file descriptors or memory reading it
 *   (EMFILE, ENFILE, ENOMEM: its own process's limit, not the file's — never 'unreadable')
 */
export function readTreeFile(root: string, rel: string, role: FileRole, profile: Profile, keepBytes = false, same?: Uint8Array): TreeFile {
  const r = readFileInRoot(root, rel, same === undefined ? { maxBytes: MAX_LIMITS_FILE_BYTES } : { maxBytes: MAX_LIMITS_FILE_BYTES, same });
  const realPath = r.resolved?.viaSymlink ? r.resolved.rel : undefined;
  const withReal = realPath !== undefined ? { realPath } : {};
  // the document's lines are indexed and read on first use: a plan of a large file reads the few
  // it needs through its own index (core/edit/lines.ts), and a second load under the edit lock
  // (compared with the first, src/cli/editing.ts) reads none; with `keepBytes` the text is made from
  // the bytes on first read, and a load only compared with another never makes it
  if (r.ok) return { path: rel, role, status: 'ok', doc: lazyDocument(rel, profile, keepBytes ? r.bytes : r.bytes.toString('latin1')), ...withReal };
  const f = r.failure;
  switch (f.kind) {
    case 'outside-root':
      return { path: rel, role, status: 'outside-root', doc: null, error: f.message };
    case 'missing':
      return f.dangling
        ? { path: rel, role, status: 'dangling-symlink', doc: null, error: r.resolved ? `symlink target ${r.resolved.rel} does not exist` : f.message, ...withReal }
        : { path: rel, role, status: 'missing', doc: null, error: 'no such file', ...withReal };
    case 'not-regular':
      if (f.fileKind === 'directory') return { path: rel, role, status: 'directory', doc: lazyDocument(rel, profile, ''), ...withReal };
      return { path: rel, role, status: 'special', doc: null, error: `not a regular file but a ${f.fileKind}: ${pamWouldDo(f.fileKind)}`, ...withReal };
    case 'denied':
      if (f.uid !== 0 && f.uid !== null) {
        return { path: rel, role, status: 'not-evaluated', doc: null, error: `cannot read as uid ${f.uid} (${f.code}); pam_limits reads it as root`, ...withReal };
      }
      return { path: rel, role, status: 'unreadable', doc: null, error: `${f.code}: permission denied`, ...withReal };
    case 'too-large':
    case 'changed':
      return { path: rel, role, status: 'not-evaluated', doc: null, error: f.message, ...withReal };
    case 'error':
      refuseOwnLimit(f, rel);
      return { path: rel, role, status: 'unreadable', doc: null, error: f.message, ...withReal };
  }
}

interface DirListing {
  readonly names: string[];
  /** the names whose directory entry is a regular file (readRegularAt may read them) */
  readonly regular?: ReadonlySet<string>;
  /** where the directory really is, when it was listed */
  readonly resolved?: ResolvedInRoot;
  readonly ignored: IgnoredFile[];
  /** the directory itself when it exists but could not be listed (see unlistedDir) */
  readonly unlisted?: TreeFile;
  /**
   * `*.conf` names that are not UTF-8 (raw bytes): pam_limits reads them, limitsctl cannot name
   * them with a string; each becomes a 'not-evaluated' file (see undecodableFile)
   */
  readonly undecodable?: Array<{ readonly raw: Buffer; readonly shown: string }>;
}

/**
 * A drop-in directory that exists but could not be listed, as an entry of the reading order (its
 * path is the directory's). pam_limits' glob(…, GLOB_ERR) skips every drop-in when it cannot list
 * the directory (pam_limits.c@v1.5.2:1139, @v1.7.2:1270-1272), but pam_limits runs as root: when a
 * non-root uid is refused (EACCES/EPERM) the files pam_limits reads are unknown, so the directory
 * is 'not-evaluated' (lint LC306, a warning in every result, and edits refuse: what wins is
 * unknown). Any other failure (EIO, ELOOP; EACCES as root) would make pam_limits' own glob fail
 * too: the directory is 'unreadable' (no drop-in applies, but say why). A link leaving the root is
 * 'outside-root'. A missing directory, or a path that is not a directory, is no entry: pam_limits
 * simply finds no drop-ins.
 * @throws ProcessLimitError for a failure with code EMFILE, ENFILE or ENOMEM (read.ts
 *   refuseOwnLimit): limitsctl's own process ran out of descriptors or memory opening the
 *   directory (open(2), opendir(3)), which says nothing of it — pam_limits, in another process,
 *   lists it and reads its drop-ins
 */
export function unlistedDir(dirRel: string, role: FileRole, failure: ReadFailure): TreeFile | undefined {
  const base = { path: dirRel, role, doc: null, dirListing: true } as const;
  switch (failure.kind) {
    case 'missing':
      return undefined;
    case 'outside-root':
      return { ...base, status: 'outside-root', error: failure.message };
    case 'denied':
      if (failure.uid !== 0 && failure.uid !== null) {
        return { ...base, status: 'not-evaluated', error: `cannot list ${dirRel} as uid ${failure.uid} (${failure.code}); pam_limits reads it as root` };
      }
      return { ...base, status: 'unreadable', error: `cannot list ${dirRel} (${failure.code}: permission denied); pam_limits' glob fails there too and reads no drop-in` };
    case 'changed':
      return { ...base, status: 'not-evaluated', error: failure.message };
    case 'error':
      if (failure.code === 'ENOTDIR') return undefined;
      refuseOwnLimit(failure, dirRel);
      return { ...base, status: 'unreadable', error: `${failure.message}; pam_limits' glob fails there too and reads no drop-in` };
    default:
      return { ...base, status: 'unreadable', error: failure.message };
  }
}

/**
 * Whether `rel` lies behind a directory this uid may not search (resolveInRoot throws EACCES or
 * EPERM): then whether it exists at all is unknown, not only its content.
 */
function behindUnsearchableDir(root: string, rel: string): boolean {
  try {
    resolveInRoot(root, rel);
    return false;
  } catch (e) {
    return isDenied(e);
  }
}

/** glob("<dir>/*.conf"): names ending exactly in .conf, not hidden; directories named x.conf included. */
function listDropins(root: string, dirRel: string, role: FileRole): DirListing {
  // The directory is reached by the same chroot-style rule (a link leaving the root is not
  // followed) and listed through a descriptor opened without following links.
  const listing = listDirInRoot(root, dirRel);
  // glob() failing (missing or unreadable directory) just skips the drop-ins; an existing
  // directory limitsctl could not list is said (unlistedDir).
  if (!listing.ok) {
    const unlisted = unlistedDir(dirRel, role, listing.failure);
    return unlisted ? { names: [], ignored: [], unlisted } : { names: [], ignored: [] };
  }
  let entries: Dirent[] = listing.entries;
  const names: string[] = [];
  const regular = new Set<string>();
  const ignored: IgnoredFile[] = [];
  const undecodable: Array<{ raw: Buffer; shown: string }> = [];
  if (listing.undecodable.length > 0) {
    // drop the lossy (U+FFFD) entries of those names: as many per decoded text as there are
    // undecodable names giving that text (a real U+FFFD name may give the same text)
    const lossy = new Map<string, number>();
    for (const raw of listing.undecodable) {
      const text = raw.toString('utf8');
      lossy.set(text, (lossy.get(text) ?? 0) + 1);
    }
    entries = entries.filter((e) => {
      const n = lossy.get(e.name);
      if (n === undefined || n === 0) return true;
      lossy.set(e.name, n - 1);
      return false;
    });
    // a shown name is the file's identity: one a real name already has (a file literally called
    // `a\xff.conf`) is told apart by a mark no listing gives twice
    const taken = new Set(entries.map((e) => e.name));
    for (const raw of [...listing.undecodable].sort(Buffer.compare)) {
      let shown = shownName(raw);
      for (let k = 1; taken.has(shown); k++) shown = `${shownName(raw)} (not UTF-8${k > 1 ? ` ${k}` : ''})`;
      taken.add(shown);
      const hidden = raw[0] === 0x2e;
      // glob("*.conf"): not hidden, ending exactly in .conf (bytes)
      if (!hidden && raw.length > 5 && raw.subarray(raw.length - 5).toString('latin1') === '.conf') undecodable.push({ raw, shown });
      else if (hidden) ignored.push({ path: `${dirRel}/${shown}`, reason: 'hidden', detail: 'hidden files are never read (glob * does not match a leading dot)' });
      else if (isDirectoryAt(listing.resolved.abs, raw)) ignored.push({ path: `${dirRel}/${shown}`, reason: 'subdirectory', detail: 'limits.d is not searched recursively' });
      else ignored.push({ path: `${dirRel}/${shown}`, reason: 'suffix', detail: 'only names ending exactly in ".conf" are read' });
    }
  }
  for (const e of entries) {
    const rel = `${dirRel}/${e.name}`;
    if (e.name.startsWith('.')) {
      ignored.push({ path: rel, reason: 'hidden', detail: 'hidden files are never read (glob * does not match a leading dot)' });
    } else if (!e.name.endsWith('.conf')) {
      if (e.isDirectory()) ignored.push({ path: rel, reason: 'subdirectory', detail: 'limits.d is not searched recursively' });
      else ignored.push({ path: rel, reason: 'suffix', detail: 'only names ending exactly in ".conf" are read' });
    } else {
      names.push(e.name);
      if (e.isFile()) regular.add(e.name);
    }
  }
  sortByBytes(names, (n) => n);
  sortByBytes(ignored, (g) => g.path);
  return { names, ignored, regular, resolved: listing.resolved, ...(undecodable.length > 0 ? { undecodable } : {}) };
}

/** The fatal reason of a FIFO, device or socket in the reading order. */
function specialReason(f: TreeFile): string {
  return `${f.path} is ${f.error ?? 'not a regular file'}`;
}

/**
 * Load the tree under `root` as its profile reads it: `options.profile`, else the one detected
 * from the tree's os-release. Throws RootError for an unusable root (io/paths.ts checkRoot).
 */
export function loadTree(root: string, options: LoadTreeOptions = {}, previous?: LoadedTree): LoadedTree {
  // its directories are opened once for all its files (io/paths.ts withTreeScope), the root's first
  return withTreeScope(path.resolve(root), () => loadCheckedTree(checkRootInScope(root), options, previous));
}

function loadCheckedTree(absRoot: string, options: LoadTreeOptions, previous: LoadedTree | undefined): LoadedTree {
  const detection = options.profile === undefined ? detectProfile(absRoot) : undefined;
  const profile: Profile = detection ? detection.profile : canonicalProfile(options.profile!);
  const traits = PROFILE_TRAITS[profile];
  const keep = options.keepBytes === true;
  // with `previous` (a load of the same tree with keepBytes, an edit's first): each file is compared
  // with the bytes it had then, and those bytes are kept when it still holds them (readFd)
  const before = new Map<string, Uint8Array>();
  if (keep && previous !== undefined) {
    for (const f of previous.files) {
      const b = f.doc === null ? undefined : documentBytes(f.doc);
      if (b !== undefined) before.set(f.path, b);
    }
  }
  const vendorMain = traits.vendorDir === null ? null : `${traits.vendorDir}/limits.conf`;
  const vendorDropins = traits.vendorDir === null ? null : `${traits.vendorDir}/limits.d`;
  const done = (): LoadedTree => (detection ? { root: absRoot, profile, files, ignored, failure, detection } : { root: absRoot, profile, files, ignored, failure });
  const files: TreeFile[] = [];
  const ignored: IgnoredFile[] = [];
  let failure: ConfigTree['failure'] = null;
  // pam_limits aborts when it reaches a file it cannot read; remember where (a matching
  // `<domain> -` line earlier in the order would stop reading before it).
  const fail = (file: string, reason: string) => {
    if (!failure) failure = { file, reason };
    const i = files.findIndex((f) => f.path === file);
    if (i >= 0) files[i] = { ...files[i]!, fatal: reason };
  };

  if (options.conf !== undefined) {
    const conf = options.conf.replace(/^\/+/, '');
    const f = readTreeFile(absRoot, conf, 'main', profile, keep, before.get(conf));
    files.push(f);
    if (f.status === 'special') fail(f.path, specialReason(f));
    else if (f.status !== 'ok' && f.status !== 'directory' && f.status !== 'not-evaluated') fail(f.path, `conf= file cannot be opened (${f.status}); pam_limits returns PAM_SERVICE_ERR`);
    return done();
  }

  let main = readTreeFile(absRoot, MAIN_FILE, 'main', profile, keep, before.get(MAIN_FILE));
  // pam_limits falls back when stat() of limits.conf fails with ENOENT (pam_limits.c 1.5.3+
  // 5deaac42): a missing file, or a symlink whose target is missing
  if ((main.status === 'missing' || main.status === 'dangling-symlink') && vendorMain !== null) {
    const vendor = readTreeFile(absRoot, vendorMain, 'vendor-main', profile, keep, before.get(vendorMain));
    if (vendor.status !== 'missing') main = vendor;
  } else if (vendorMain !== null && !(main.status === 'not-evaluated' && behindUnsearchableDir(absRoot, MAIN_FILE))) {
    // (a limits.conf behind a directory this uid may not search may or may not exist: whether
    // pam_limits reads the vendor file is unknown, so it is not said to be unused)
    const vendor = readTreeFile(absRoot, vendorMain, 'vendor-main', profile);
    if (vendor.status === 'ok') ignored.push({ path: vendorMain, reason: 'vendor-unused', detail: `${MAIN_FILE} exists, so the vendor file is not read` });
  }
  files.push(main);
  if (main.status === 'missing' || main.status === 'dangling-symlink') {
    if (traits.missingFileFatal) {
      fail(main.path, `${main.path} is ${main.status === 'missing' ? 'missing' : 'a dangling symlink'}: ${profileInfo(profile).title}'s pam_limits returns PAM_SERVICE_ERR and applies nothing (Linux-PAM before 1.5.3)`);
    }
  } else if (main.status === 'unreadable') {
    fail(main.path, `${main.path} cannot be opened (${main.error}): pam_limits returns PAM_SERVICE_ERR and applies nothing`);
  } else if (main.status === 'special') {
    fail(main.path, specialReason(main));
  }

  // limits.d is read only after the main file was processed successfully.
  const etc = listDropins(absRoot, DROPIN_DIR, 'dropin');
  for (const x of etc.ignored) ignored.push(x); // not push(...list): a huge limits.d would overflow the stack
  if (etc.unlisted) files.push(etc.unlisted);
  let dropins: Array<{ name: string; rel: string; role: FileRole; raw?: Buffer; dir?: ResolvedInRoot }> = etc.names.map((name) => ({ name, rel: `${DROPIN_DIR}/${name}`, role: 'dropin' as const }));
  const addUndecodable = (list: DirListing, dir: string, role: FileRole, shadowedBy: ReadonlySet<string> | null) => {
    for (const { raw, shown } of list.undecodable ?? []) {
      const rel = `${dir}/${shown}`;
      // the same name (bytes) in /etc/security/limits.d is read instead
      if (shadowedBy?.has(raw.toString('latin1'))) ignored.push({ path: rel, reason: 'shadowed', detail: `${DROPIN_DIR}/${shownName(raw)} has the same name and is read instead` });
      else dropins.push({ name: '', raw, rel, role, dir: list.resolved! });
    }
  };
  addUndecodable(etc, DROPIN_DIR, 'dropin', null);
  if (vendorDropins !== null) {
    const vendor = listDropins(absRoot, vendorDropins, 'vendor-dropin');
    for (const x of vendor.ignored) ignored.push(x);
    if (vendor.unlisted) files.push(vendor.unlisted);
    addUndecodable(vendor, vendorDropins, 'vendor-dropin', new Set((etc.undecodable ?? []).map((u) => u.raw.toString('latin1'))));
    const etcNames = new Set(etc.names);
    for (const name of vendor.names) {
      if (etcNames.has(name)) {
        ignored.push({ path: `${vendorDropins}/${name}`, reason: 'shadowed', detail: `${DROPIN_DIR}/${name} has the same name and is read instead` });
      } else {
        dropins.push({ name, rel: `${vendorDropins}/${name}`, role: 'vendor-dropin' });
      }
    }
    dropins = sortByBytes(dropins, (d) => d.name);
  }
  // glob() sorts by bytes: names that are not UTF-8 take their place among the others
  if (dropins.some((d) => d.raw)) dropins.sort((a, b) => Buffer.compare(a.raw ?? Buffer.from(a.name, 'utf8'), b.raw ?? Buffer.from(b.name, 'utf8')));
  // /etc/security/limits.d's regular files are read through one descriptor of the directory
  // (reached without a link: the tree scope's, which listed it, else one of its own); anything
  // else, or any failure there, by readTreeFile
  const plainEtc = etc.resolved !== undefined && !etc.resolved.viaSymlink && etc.resolved.rel === DROPIN_DIR;
  const scopedEtc = plainEtc ? dirInScope(absRoot, etc.resolved!) : null;
  const etcDir = scopedEtc ?? (plainEtc ? openDirInRoot(absRoot, etc.resolved!) : null);
  try {
    for (const d of dropins) {
      const same = before.get(d.rel);
      const bytes = d.raw ? null : etcDir !== null && d.role === 'dropin' && etc.regular?.has(d.name) ? readRegularAt(etcDir, d.name, MAX_LIMITS_FILE_BYTES, same) : null;
      const f = d.raw ? undecodableFile(absRoot, d.dir!, d.rel, d.raw, d.role, profile) : bytes !== null
        ? { path: d.rel, role: d.role, status: 'ok' as const, doc: lazyDocument(d.rel, profile, keep ? bytes : bytes.toString('latin1')) }
        : readTreeFile(absRoot, d.rel, d.role, profile, keep, same);
      files.push(f);
      if (f.status === 'missing' || f.status === 'dangling-symlink') {
        if (traits.missingFileFatal) fail(f.path, `${f.path} is ${f.status === 'missing' ? 'missing' : 'a dangling symlink'}: ${profileInfo(profile).title}'s pam_limits returns PAM_SERVICE_ERR and applies nothing (Linux-PAM before 1.5.3)`);
      } else if (f.status === 'unreadable') {
        fail(f.path, `${f.path} cannot be opened (${f.error}): pam_limits returns PAM_SERVICE_ERR and applies nothing`);
      } else if (f.status === 'special') {
        fail(f.path, specialReason(f));
      }
    }
  } finally {
    if (etcDir !== null && scopedEtc === null) closeSync(etcDir);
  }
  return done();
}
