/**
 * What every command needs: the I/O streams, colour, the root, the profile, and helpers to load
 * the tree, accounts and the baseline limits.
 */
import path from 'node:path';
import type { Identity } from '../core/accounts.js';
import { type OsReleaseFields, suggestProfile } from '../core/profiles.js';
import { canonicalProfile, isProfileName, type Profile, PROFILE_ALIASES, PROFILE_NAMES, profileInfo } from '../core/schema.js';
import { loadIdentity } from '../io/accounts.js';
import { detectProfile, loadBaseline } from '../io/system.js';
import { resolveFrom } from '../io/cwd.js';
import { checkRoot } from '../io/paths.js';
import { type LoadedTree, loadTree } from '../io/tree.js';
import { UsageError } from './errors.js';

export { detectProfile, loadBaseline };
import { type Colors, makeColors } from './output.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** terminal width for help text */
  readonly columns?: number;
  /** why output could not be written (not for a reader that went away), or null */
  outputFailure?(): string | null;
  /** true once the reader of stdout went away (EPIPE): later output is dropped, so need not be made */
  stdoutClosed?(): boolean;
  /** a promise to wait on while stdout holds more than it wants (a slow reader), else undefined */
  stdoutReady?(): Promise<void> | undefined;
}


/** Options every command accepts. */
export interface GlobalArgs {
  root: string;
  profile: string;
  json: boolean;
  color?: boolean;
}

export interface Context {
  readonly io: CliIO;
  readonly colors: Colors;
  readonly root: string;
  readonly profile: Profile;
  readonly json: boolean;
  /** profile as asked ('auto' resolved) and why */
  readonly profileReason: string;
  /** how the profile was chosen, for JSON output (`profileSource`) and `files` */
  readonly profileSource: ProfileSource;
  /**
   * Set when --profile auto found an os-release it could not read (a FIFO, a device, above the
   * cap, a link leaving the root, EACCES — not when it is absent): the profile was not detected
   * from it. makeContext prints it on stderr; commands with a JSON warnings list add it there.
   */
  readonly profileWarning: string | null;
}

/**
 * Whether to colour the output, first rule that applies wins:
 * 1. `--color` / `--no-color`;
 * 2. NO_COLOR set and not empty: no colour (the no-color.org convention);
 * 3. FORCE_COLOR set and not empty: colour, except `0` and `false` (no colour), as Node's own
 *    tty.getColorDepth() and the supports-color convention read it;
 * 4. TERM=dumb: no colour (a terminal without escape sequences, as Emacs' M-x shell or a CI log
 *    that sets it; the convention of ls, git and supports-color);
 * 5. otherwise colour exactly when stdout is a terminal.
 */
export function wantColor(io: Pick<CliIO, 'env' | 'isTTY'>, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  const { NO_COLOR, FORCE_COLOR, TERM } = io.env;
  if (NO_COLOR !== undefined && NO_COLOR !== '') return false;
  if (FORCE_COLOR !== undefined && FORCE_COLOR !== '') return FORCE_COLOR !== '0' && FORCE_COLOR.toLowerCase() !== 'false';
  if (TERM === 'dumb') return false;
  return io.isTTY;
}

/**
 * How a command's profile was chosen, as JSON output shows it (`profileSource`): `how` is
 * `option` (--profile, or `profile =` in a lint config) or `auto` (detected from os-release);
 * `osRelease` holds the fields detection read (ID, ID_LIKE, VERSION_ID, codenames) from
 * `osReleaseFile` (relative to the root); `exact` is false when the release is not in the
 * profile table (the nearest one, or linux-pam-1.5.2, was used: `warning` says so); `unsure`
 * lists the profile's table cells that are not known for sure (docs/profiles.md).
 */
export interface ProfileSource {
  readonly how: 'auto' | 'option';
  readonly reason: string;
  readonly exact: boolean;
  readonly osReleaseFile: string | null;
  readonly osRelease: OsReleaseFields;
  readonly warning: string | null;
  readonly unsure: readonly string[];
}

/** The ProfileSource of a --profile value (`auto` detects from the tree under `root`). */
export function chooseProfile(asked: string, root: string, flag = '--profile'): { profile: Profile; source: ProfileSource } {
  if (asked === 'auto') {
    const d = detectProfile(root);
    return {
      profile: d.profile,
      source: { how: 'auto', reason: d.reason, exact: d.exact, osReleaseFile: d.file, osRelease: d.osRelease, warning: d.warning, unsure: profileInfo(d.profile).unsure },
    };
  }
  if (!isProfileName(asked)) {
    const guess = suggestProfile(asked);
    throw new UsageError(`unknown profile '${asked}'${guess ? ` (did you mean '${guess}'?)` : ''}; use auto or one of ${PROFILE_NAMES.join(', ')} (aliases: ${Object.keys(PROFILE_ALIASES).join(', ')}); docs/profiles.md describes each`);
  }
  const profile = canonicalProfile(asked);
  const reason = asked === profile ? `${flag} ${asked}` : `${flag} ${asked} (an alias of ${profile})`;
  return { profile, source: { how: 'option', reason, exact: true, osReleaseFile: null, osRelease: {}, warning: null, unsure: profileInfo(profile).unsure } };
}

export function makeContext(args: GlobalArgs, io: CliIO): Context {
  // a root that is not a usable directory: TreeRootError (EBADROOT), worded with the flag
  const root = checkRoot(resolveFrom(io.cwd, args.root), '--root');
  const { profile, source } = chooseProfile(args.profile, root);
  const colors = makeColors(wantColor(io, args.color));
  if (source.warning !== null) io.stderr(`${colors.yellow(`warning: ${source.warning}`)}\n`);
  return { io, colors, root, profile, json: args.json, profileReason: source.reason, profileWarning: source.warning, profileSource: source };
}

/**
 * `--file` as the edit code reads it. An absolute path inside the root (`--root /T --file
 * /T/etc/security/limits.d/50-app.conf`) becomes the path relative to the root; an absolute path
 * under /etc/security is read inside the root (`--file /etc/security/limits.d/50-app.conf`); any
 * other absolute path is outside the root: a usage error. A relative path is left as given
 * (relative to the root, or to the current directory inside the root).
 * @param rootArg --root as given (before symlinks were resolved), to match what the user typed
 * @throws UsageError for an empty path or an absolute path outside the root
 */
export function fileArgInRoot(ctx: Context, rootArg: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  if (file === '') throw new UsageError('--file needs a value, got an empty one');
  if (!path.isAbsolute(file)) return file;
  const abs = path.resolve(file);
  for (const root of new Set([ctx.root, resolveFrom(ctx.io.cwd, rootArg)])) {
    if (root === '/') return abs.slice(1);
    if (abs.startsWith(`${root}/`)) return abs.slice(root.length + 1);
  }
  if (abs === '/etc/security' || abs.startsWith('/etc/security/')) return abs.slice(1);
  throw new UsageError(`--file ${file} is outside --root ${ctx.root}`, 'Name a file inside the root, e.g. etc/security/limits.d/80-app.conf.');
}

/**
 * The tree under the context's root as its profile reads it (io/tree.ts loadTree); `conf` is
 * pam_limits' conf= file, `keepBytes` keeps each file's bytes next to its text (for an edit).
 */
export function loadContextTree(ctx: Context, conf?: string, keepBytes = false, previous?: LoadedTree): LoadedTree {
  return loadTree(ctx.root, { profile: ctx.profile, ...(conf === undefined ? {} : { conf }), ...(keepBytes ? { keepBytes } : {}) }, previous);
}

export interface IdentityArgs {
  user?: string;
  uid?: number;
  gid?: number;
  groups?: string;
}

export function loadContextIdentity(ctx: Context, args: IdentityArgs): Identity {
  if (!args.user) throw new UsageError('--user NAME is required');
  for (const k of ['uid', 'gid'] as const) {
    const v = args[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new UsageError(`--${k} must be an integer from 0 to 4294967295, got ${String(v)}`);
    }
  }
  const opts: Parameters<typeof loadIdentity>[2] = {};
  if (args.uid !== undefined) opts.uid = args.uid;
  if (args.gid !== undefined) opts.gid = args.gid;
  if (args.groups) opts.groups = args.groups.split(',').map((g) => g.trim()).filter(Boolean);
  // an unknown account throws UnknownUserError (EUNKNOWNUSER, input): main() reports it
  return loadIdentity(ctx.root, args.user, opts);
}
