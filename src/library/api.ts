/**
 * The library's functions for reading: each checks its arguments at the boundary (src/library/args.ts:
 * LimitsError `EARGUMENT`, never a TypeError from deep inside) and calls the core or the io ring,
 * which the CLI calls directly. Shapes and sources are in the called modules; docs/library.md shows each.
 */
import { explainItem as explainCore, type LineExplanation } from '../core/explain.js';
import { identityFor as identityForCore, parseGroup as parseGroupCore, parsePasswd as parsePasswdCore, type AccountDb, type GroupEntry, type Identity, type PasswdEntry } from '../core/accounts.js';
import { displayBytes as displayCore, fromBytes as fromCore, toBytes as toCore, type Bytes } from '../core/bytes.js';
import type { TreeFile as CoreTreeFile } from '../core/model.js';
import { parseLimits as parseCore } from '../core/parse.js';
import { parseOsRelease as parseOsReleaseCore, profileForOsRelease as profileForCore, type OsReleaseFields, type ProfileDetection } from '../core/profiles.js';
import { parseProcLimits as parseProcCore, resolveLimits as resolveCore, type PamResult, type ProcLimits, type Resolution } from '../core/resolve.js';
import {
  canonicalProfile as canonicalCore, FALLBACK_PROFILE, itemForProfile as itemForProfileCore, itemInfo as itemInfoCore, ITEM_NAMES, profileInfo as profileInfoCore,
  type ItemInfo, type ItemName, type Profile, type ProfileInfo, type ProfileName,
} from '../core/schema.js';
import { effectiveJson as effectiveCore, type SourceRef } from '../formatters/effective.js';
import { loadAccountDb as loadAccountDbCore, loadIdentity as loadIdentityCore } from '../io/accounts.js';
import { checkRoot as checkRootCore } from '../io/paths.js';
import { parsePolicy as parsePolicyCore, type Policy } from '../io/policy.js';
import { detectProfile as detectCore, loadBaseline as loadBaselineCore, type Baseline } from '../io/system.js';
import { loadTree as loadTreeCore } from '../io/tree.js';
import * as arg from './args.js';
import { accountDbIn, accountDbOut, groupOut, identityIn, identityOut, nameIn, passwdOut, resolutionIn, resolutionOut } from './names.js';
import { coreTree, defined, type ConfigTree, type LimitsDocument, type LoadedTree, type DisplayOptions, type IdentityOptions, type LoadTreeOptions, type ParseOptions, type ResolveOptions } from './types.js';

// ── bytes ────────────────────────────────────────────────────────────────────────────────────────

/** A binary string as it is, or bytes as one (arg.binary). */
function asBinary(fn: string, name: string, v: unknown): string {
  return typeof v === 'string' ? v : arg.binary(fn, name, v);
}

/**
 * Text → its UTF-8 bytes as a binary string (one char per byte: the form account names and
 * `Source.domain` take in results). A U+DC80..U+DCFF from {@link fromBytes} becomes its byte again.
 * @throws LimitsError `EARGUMENT` when `text` is not a string
 */
export function toBytes(text: string): Bytes {
  arg.str('toBytes', 'text', text);
  return toCore(text);
}

/**
 * Bytes (a Buffer, or a binary string) → text, losslessly: UTF-8 decoded, each byte that is not
 * UTF-8 as U+DC80..U+DCFF, so `toBytes(fromBytes(b))` gives `b` back.
 * @throws LimitsError `EARGUMENT` when `bytes` is neither bytes nor a string
 */
export function fromBytes(bytes: Uint8Array | Bytes): string {
  return fromCore(asBinary('fromBytes', 'bytes', bytes));
}

/**
 * Bytes (a Buffer, or a binary string) → text for people: UTF-8 decoded, invalid bytes and control
 * characters shown as `\xNN` (C1 controls as `\u0085`); `keep` lists control characters kept as they are.
 * Not reversible: use {@link fromBytes} where the value must round-trip.
 * @throws LimitsError `EARGUMENT` when `bytes` is neither bytes nor a string
 */
export function displayBytes(bytes: Uint8Array | Bytes, options: DisplayOptions = {}): string {
  const o = arg.opts('displayBytes', 'options', options);
  arg.optStr('displayBytes', 'options.keep', o.keep);
  return displayCore(asBinary('displayBytes', 'bytes', bytes), defined(o));
}

/**
 * A whole file's bytes → text for people, as {@link displayBytes} with tab, newline and CR kept
 * (a diff, an Ansible diff).
 * @throws LimitsError `EARGUMENT` when `bytes` is neither bytes nor a string
 */
export function binaryToDisplay(bytes: Uint8Array | Bytes): string {
  return displayCore(asBinary('binaryToDisplay', 'bytes', bytes), { keep: '\t\n\r' });
}

// ── parsing and the schema (pure) ───────────────────────────────────────────────────────────────

/**
 * Parse a limits file losslessly, as the pam_limits of `options.profile` reads it (default
 * `linux-pam-1.5.2`); `lines[i].other` holds the other parser family's reading where it differs
 * (1.5.2 vs 1.7). Source: pam_limits.c parse_config_file, Linux-PAM 1.1.8 … 1.7.2.
 * @param bytes the file's bytes (a Buffer or Uint8Array; a string is refused, its encoding would be a guess)
 * @param options `file`: a display name kept on the document; `profile`: a release profile or alias
 * @throws LimitsError `EARGUMENT` for bytes that are not bytes, or an unknown profile
 */
export function parseLimits(bytes: Uint8Array, options: ParseOptions = {}): LimitsDocument {
  const fn = 'parseLimits';
  arg.bytes(fn, 'bytes', bytes);
  const o = arg.opts(fn, 'options', options);
  arg.optStr(fn, 'options.file', o.file);
  arg.optProfile(fn, 'options.profile', o.profile);
  return parseCore(bytes, defined(o));
}

/**
 * A document's exact bytes (what it was parsed from).
 * @throws LimitsError `EARGUMENT` when `doc` is not a document
 */
export function printDocument(doc: LimitsDocument): Buffer {
  arg.obj('printDocument', 'doc', doc);
  const text = (doc as { text?: unknown }).text;
  if (typeof text !== 'string') throw arg.argumentError('printDocument', 'doc must be a document parseLimits (or treeFromFiles, loadTree) returned; this one lacks its bytes');
  return Buffer.from(text, 'latin1');
}

/**
 * The row of the release profile table for a profile or alias (docs/profiles.md: the evidence of every cell).
 * @throws LimitsError `EARGUMENT` for a name that is not a profile
 */
export function profileInfo(profile: ProfileName): ProfileInfo {
  arg.profile('profileInfo', 'profile', profile);
  return profileInfoCore(profile);
}

/**
 * The release profile an alias stands for (`debian` → `debian-12`); a release profile is returned as it is.
 * @throws LimitsError `EARGUMENT` for a name that is not a profile
 */
export function canonicalProfile(profile: ProfileName): Profile {
  arg.profile('canonicalProfile', 'profile', profile);
  return canonicalCore(profile);
}

/**
 * What pam_limits knows of an item (`nofile`, `maxlogins`…), by its name as written in a file; undefined for an unknown name.
 * @throws LimitsError `EARGUMENT` when `name` is not a string
 */
export function itemInfo(name: string): ItemInfo | undefined {
  arg.str('itemInfo', 'name', name);
  return itemInfoCore(name);
}

/**
 * {@link itemInfo}, but undefined also when the profile's pam_limits does not know the item.
 * @throws LimitsError `EARGUMENT` when `name` is not a string or `profile` not a profile
 */
export function itemForProfile(name: string, profile: ProfileName): ItemInfo | undefined {
  arg.str('itemForProfile', 'name', name);
  arg.profile('itemForProfile', 'profile', profile);
  return itemForProfileCore(name, profile);
}

/**
 * The fields of an os-release file (os-release(5)): quoted values unquoted.
 * @throws LimitsError `EARGUMENT` when `text` is not a string
 */
export function parseOsRelease(text: string): OsReleaseFields {
  arg.str('parseOsRelease', 'text', text);
  return parseOsReleaseCore(text);
}

/**
 * The release profile for os-release fields, with the reason and any warning (docs/profiles.md).
 * @throws LimitsError `EARGUMENT` when `fields` is not an object of strings
 */
export function profileForOsRelease(fields: OsReleaseFields): ProfileDetection {
  arg.obj('profileForOsRelease', 'fields', fields);
  for (const [k, v] of Object.entries(fields)) arg.optStr('profileForOsRelease', `fields.${k}`, v);
  return profileForCore(fields);
}

/**
 * etc/passwd's bytes → its entries, names (and home, shell) as text (docs/library.md "Bytes and
 * text"); lines that are not entries are skipped.
 * @throws LimitsError `EARGUMENT` when `bytes` is not a Buffer or Uint8Array
 */
export function parsePasswd(bytes: Uint8Array): PasswdEntry[] {
  return parsePasswdCore(arg.binary('parsePasswd', 'bytes', bytes)).map(passwdOut);
}

/**
 * etc/group's bytes → its entries, names as text.
 * @throws LimitsError `EARGUMENT` when `bytes` is not a Buffer or Uint8Array
 */
export function parseGroup(bytes: Uint8Array): GroupEntry[] {
  return parseGroupCore(arg.binary('parseGroup', 'bytes', bytes)).map(groupOut);
}

/**
 * The identity of an account of `db` (its groups by primary gid and membership), with `extraGroups` added by name.
 * Names are text, as `loadAccountDb` and `parsePasswd` give them (`'josé'`), in and out.
 * @throws LimitsError `EARGUMENT` for arguments of the wrong type
 */
export function identityFor(db: AccountDb, name: string, uid: number, gid: number, extraGroups: readonly string[] = []): Identity {
  const fn = 'identityFor';
  const core = accountDbIn(fn, 'db', db);
  const n = nameIn(fn, 'name', name);
  arg.id(fn, 'uid', uid);
  arg.id(fn, 'gid', gid);
  arg.arr(fn, 'extraGroups', extraGroups);
  const extra = extraGroups.map((g, i) => nameIn(fn, `extraGroups[${i}]`, g));
  return identityOut(identityForCore(core, n, uid, gid, extra));
}

// ── a tree in memory (pure) ─────────────────────────────────────────────────────────────────────

const MAIN = 'etc/security/limits.conf';
const DROPIN = /^etc\/security\/limits\.d\/([^/]+\.conf)$/;

/**
 * A tree from files in memory, as `loadTree` would read them from disk: `etc/security/limits.conf`,
 * then the `etc/security/limits.d/*.conf` drop-ins in byte order of their names (pam_limits' glob
 * order). For trees in tests, editors and services that hold the files themselves; the vendor
 * files of Linux-PAM 1.6+ (/usr/lib/security) are not modelled here: use `loadTree` for those.
 * @param files path (relative to the root) → the file's bytes; `etc/security/limits.conf` is required
 * @param options `profile`: the release profile or alias to read the files as (default linux-pam-1.5.2)
 * @throws LimitsError `EARGUMENT` for a path that is not limits.conf or a limits.d/*.conf drop-in,
 *   contents that are not bytes, a missing limits.conf or an unknown profile
 */
export function treeFromFiles(files: Readonly<Record<string, Uint8Array>>, options: { readonly profile?: ProfileName | undefined } = {}): ConfigTree {
  const fn = 'treeFromFiles';
  arg.obj(fn, 'files', files);
  const o = arg.opts(fn, 'options', options);
  arg.optProfile(fn, 'options.profile', o.profile);
  const profile = canonicalCore(options.profile ?? FALLBACK_PROFILE);
  const dropins: Array<{ path: string; name: Buffer }> = [];
  for (const [p, bytes] of Object.entries(files)) {
    arg.bytes(fn, `files['${p}']`, bytes);
    const m = DROPIN.exec(p);
    if (m) dropins.push({ path: p, name: Buffer.from(m[1]!, 'utf8') });
    else if (p !== MAIN) throw arg.argumentError(fn, `'${p}' is not ${MAIN} nor a drop-in etc/security/limits.d/NAME.conf`);
  }
  const main = files[MAIN];
  if (main === undefined) throw arg.argumentError(fn, `files must hold ${MAIN} (pam_limits reads it first)`);
  dropins.sort((a, b) => Buffer.compare(a.name, b.name));
  const file = (p: string, role: 'main' | 'dropin', bytes: Uint8Array): CoreTreeFile => ({ path: p, role, status: 'ok', doc: parseCore(bytes, { profile, file: p }) });
  return {
    profile,
    files: [file(MAIN, 'main', main), ...dropins.map((d) => file(d.path, 'dropin', files[d.path]!))],
    ignored: [],
    failure: null,
  };
}

// ── effective limits (pure) ─────────────────────────────────────────────────────────────────────

/**
 * The limits pam_limits sets for `identity` from `tree`, per half with the value, its rank, its
 * source line and the lines it beat; `calls` are the setrlimit/setpriority calls it makes and
 * `result` its PAM return code. Source: pam_limits.c (parse_config_file, setup_limits) per the
 * tree's release profile.
 * @param tree a tree from `loadTree`, or `{ profile, files: [{ path, role, status, doc }], ignored, failure }`
 * @param identity `{ name, uid, gid, groups: [{ name, gid }] }`, names as text (`'josé'`; `loadIdentity` gives one)
 * @returns the resolution; its `identity` has text names, `Source.domain` values are bytes as read from the file
 * @param options `pid1Limits`, `nrOpen`… the limits a session starts from (`loadBaseline` reads them)
 * @throws LimitsError `EARGUMENT` for a tree, identity or options of the wrong shape, or an unknown profile
 */
export function resolveLimits(tree: ConfigTree, identity: Identity, options: ResolveOptions = {}): Resolution {
  const fn = 'resolveLimits';
  arg.tree(fn, 'tree', tree);
  const who = identityIn(fn, 'identity', identity);
  const o = arg.opts(fn, 'options', options);
  arg.optProfile(fn, 'options.profile', o.profile);
  arg.baseline(fn, o);
  return resolutionOut(resolveCore(coreTree(tree), who, defined(o)));
}

/**
 * Why an item has its value: per line that matches the account (all lines with `includeUnmatched`),
 * the verdict of each half — wins, overridden, outranked, short-circuit, clamped, skipped, not-for-root.
 * @throws LimitsError `EARGUMENT` for a resolution that is not one, or an unknown item
 */
export function explainItem(resolution: Resolution, item: ItemName, includeUnmatched = false): LineExplanation[] {
  const fn = 'explainItem';
  const res = resolutionIn(fn, 'resolution', resolution);
  arg.str(fn, 'item', item);
  if (!ITEM_NAMES.includes(item)) throw arg.argumentError(fn, `item '${item}' is not a pam_limits item; use one of ${ITEM_NAMES.join(', ')}`);
  arg.optBool(fn, 'includeUnmatched', includeUnmatched);
  return explainCore(res, item, includeUnmatched);
}

/** One item of {@link EffectiveJson}: the values in limits.conf units and the line each half comes from. */
export interface EffectiveLimit {
  /** a number (bigint), 'unlimited', a path (chroot), or null when unknown */
  readonly soft: bigint | string | null;
  readonly hard: bigint | string | null;
  /** the line that set the half (file relative to the root, 1-based line, domain as text), or null when none did */
  readonly softFrom: SourceRef | null;
  readonly hardFrom: SourceRef | null;
}

/** The `effective --json` object (docs/effective-json.md; its JSON Schema is docs/schemas/effective.schema.json). */
export interface EffectiveJson {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly string[];
  readonly profile: Profile;
  readonly applied: boolean;
  readonly result: PamResult;
  /** per item the profile knows (rlimits, and maxlogins/nonewprivs/chroot when a line sets them) */
  readonly limits: Readonly<Record<string, EffectiveLimit>>;
  /** the nice value the session runs with (`value`, clamped to -20..19) and the one pam_limits wrote */
  readonly priority: { readonly value: number; readonly written: number; readonly from: SourceRef | null } | null;
  readonly warnings: readonly string[];
}

/**
 * The documented `effective --json` object of a resolution (docs/effective-json.md); values are bigints.
 * @throws LimitsError `EARGUMENT` for a resolution that is not one
 */
export function effectiveJson(resolution: Resolution): EffectiveJson {
  const res = resolutionIn('effectiveJson', 'resolution', resolution);
  let core: ReturnType<typeof effectiveCore>;
  try {
    core = effectiveCore(res);
  } catch (e) {
    // a pure formatter of the resolution's own fields: a TypeError here is a hand-made resolution
    // missing one (a getter that throws is passed on as it is)
    if (!(e instanceof TypeError)) throw e;
    throw Object.assign(arg.argumentError('effectiveJson', `resolution is not what resolveLimits returned (${arg.clip(e.message)})`), { cause: e });
  }
  const json: EffectiveJson = core as Omit<ReturnType<typeof effectiveCore>, 'limits'> & { limits: Record<string, EffectiveLimit> };
  return json;
}

/**
 * The text of /proc/PID/limits → soft/hard per item (bigint; RLIM_INFINITY for unlimited).
 * @throws LimitsError `EARGUMENT` when `text` is not a string
 */
export function parseProcLimits(text: string): ProcLimits {
  arg.str('parseProcLimits', 'text', text);
  return parseProcCore(text);
}

// ── the io ring: reading trees and accounts ─────────────────────────────────────────────────────

/**
 * The one check of a tree root: an absolute path of an existing, listable directory; returns it.
 * @throws TreeRootError `EBADROOT` otherwise; LimitsError `EARGUMENT` when `root` is not a string
 */
export function checkRoot(root: string): string {
  arg.path('checkRoot', 'root', root);
  return checkRootCore(root);
}

/**
 * Read the tree at `root` in pam_limits' order (limits.conf, then limits.d/*.conf by name; the
 * vendor files of profiles that have them), with ignored files and read failures as statuses.
 * Without `options.profile` the profile is detected from the tree's os-release (`detection`).
 * @param root the tree root, an absolute directory ("/" for the live system)
 * @param options `profile` (release profile or alias), `conf` (pam_limits' conf=: that file only)
 * @throws TreeRootError `EBADROOT` for a root that is not an existing directory; LimitsError
 *   `EARGUMENT` for arguments of the wrong type or an unknown profile. Unreadable files are statuses, not errors.
 */
export function loadTree(root: string, options: LoadTreeOptions = {}): LoadedTree {
  const fn = 'loadTree';
  arg.path(fn, 'root', root);
  const o = arg.opts(fn, 'options', options);
  arg.optProfile(fn, 'options.profile', o.profile);
  arg.optStr(fn, 'options.conf', o.conf);
  return loadTreeCore(root, defined(o));
}

/**
 * The release profile of the tree at `root` from its os-release, with the reason, the fields read,
 * the file and any warning (a guess).
 * @throws TreeRootError `EBADROOT` for a root that is not an existing directory; LimitsError `EARGUMENT` when `root` is not a string
 */
export function detectProfile(root: string): ProfileDetection & { readonly file: string | null } {
  arg.path('detectProfile', 'root', root);
  return detectCore(checkRootCore(root));
}

/**
 * The accounts of `<root>/etc/passwd` and `etc/group` (names as text); `present` false when the
 * tree has no etc/passwd. On "/" the files are read too (NSS may know more: use loadIdentity).
 * @param root the tree root: an existing directory (relative paths are taken from process.cwd(), as loadTree does)
 * @throws TreeRootError `EBADROOT` for a root that is not an existing directory; AccountFileError
 *   `EACCOUNTFILE` for an account file that exists but cannot be used; LimitsError `EARGUMENT` when `root` is not a string
 */
export function loadAccountDb(root: string): AccountDb & { readonly present: boolean } {
  arg.path('loadAccountDb', 'root', root);
  // a missing root is EBADROOT, as for loadTree (it gave an empty db: every name "unknown")
  return accountDbOut(loadAccountDbCore(checkRootCore(root)));
}

/**
 * The identity of `user` in the tree at `root` (NSS, via `id`, on "/"). `user` is text, UTF-8
 * encoded once inside; with `uid`/`gid` given, an account the tree lacks is described hypothetically.
 * @throws TreeRootError `EBADROOT`; UnknownUserError `EUNKNOWNUSER`; AccountFileError `EACCOUNTFILE`; LimitsError `EARGUMENT`
 */
export function loadIdentity(root: string, user: string, options: IdentityOptions = {}): Identity {
  const fn = 'loadIdentity';
  arg.path(fn, 'root', root);
  const abs = checkRootCore(root);
  arg.str(fn, 'user', user);
  const o = arg.opts(fn, 'options', options);
  if (o.uid !== undefined) arg.id(fn, 'options.uid', o.uid);
  if (o.gid !== undefined) arg.id(fn, 'options.gid', o.gid);
  arg.optStrings(fn, 'options.groups', o.groups);
  return identityOut(loadIdentityCore(abs, user, defined(o)));
}

/**
 * The limits a session starts from: PID 1's limits and fs.nr_open of the live system ("/") or of
 * `<root>/proc` when the tree carries a snapshot; pass the result to resolveLimits and planEdits.
 * @throws LimitsError `EARGUMENT` when `options.root` is not a string
 */
export function loadBaseline(options: { readonly root: string; readonly proc?: string | undefined }): Baseline {
  const o = arg.opts('loadBaseline', 'options', options);
  arg.path('loadBaseline', 'options.root', o.root);
  arg.optStr('loadBaseline', 'options.proc', o.proc);
  return loadBaselineCore(o.proc === undefined ? { root: o.root } : { root: o.root, proc: o.proc });
}

/**
 * A policy (ini: one section per domain, `item = value` or `type item = value`) → set requests for planEdits.
 * @param where a name for messages (the file's path)
 * @throws PolicyError `EPOLICY` naming the key; LimitsError `EARGUMENT`
 */
export async function parsePolicy(text: string, where: string): Promise<Policy> {
  arg.str('parsePolicy', 'text', text);
  arg.str('parsePolicy', 'where', where);
  return await parsePolicyCore(text, where);
}
