/**
 * What every command needs: the I/O streams, colour, the root, the profile, and helpers to load
 * the tree, accounts and the baseline limits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Identity } from '../core/accounts.js';
import { type ProcLimits, parseProcLimits, type ResolveOptions } from '../core/resolve.js';
import { type Dialect, isDialect } from '../core/schema.js';
import { loadIdentity, UnknownUserError } from '../io/accounts.js';
import { checkRoot, type LoadedTree, loadTree, TreeRootError } from '../io/tree.js';
import { UsageError } from './errors.js';
import { type Colors, makeColors } from './output.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
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
  readonly dialect: Dialect;
  readonly json: boolean;
  /** profile as asked ('auto' resolved) and why */
  readonly profileReason: string;
}

export function wantColor(io: CliIO, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.isTTY;
}

/** `auto`: Debian, Ubuntu and derivatives (ID/ID_LIKE in os-release) → debian, else upstream. */
export function detectProfile(root: string): { dialect: Dialect; reason: string } {
  let text: string;
  try {
    text = readFileSync(path.join(root, 'etc/os-release'), 'utf8');
  } catch {
    try {
      text = readFileSync(path.join(root, 'usr/lib/os-release'), 'utf8');
    } catch {
      return { dialect: 'upstream', reason: 'no os-release in the root: assuming upstream Linux-PAM' };
    }
  }
  const field = (k: string) => (text.match(new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm'))?.[1] ?? '').toLowerCase();
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/).filter(Boolean);
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) {
    return { dialect: 'debian', reason: `os-release ID=${field('ID')}${field('ID_LIKE') ? ` ID_LIKE=${field('ID_LIKE')}` : ''}: Debian's patched pam_limits` };
  }
  return { dialect: 'upstream', reason: `os-release ID=${field('ID') || '?'}: upstream Linux-PAM` };
}

export function makeContext(args: GlobalArgs, io: CliIO): Context {
  let root: string;
  try {
    root = checkRoot(path.resolve(io.cwd, args.root));
  } catch (e) {
    if (e instanceof TreeRootError) throw new UsageError(e.message);
    throw e;
  }
  let dialect: Dialect;
  let profileReason: string;
  if (args.profile === 'auto') {
    const d = detectProfile(root);
    dialect = d.dialect;
    profileReason = d.reason;
  } else if (isDialect(args.profile)) {
    dialect = args.profile;
    profileReason = `--profile ${args.profile}`;
  } else {
    throw new UsageError(`unknown profile '${args.profile}'; use debian, upstream, upstream-1.7 or auto`);
  }
  return { io, colors: makeColors(wantColor(io, args.color)), root, dialect, json: args.json, profileReason };
}

export function loadContextTree(ctx: Context, conf?: string): LoadedTree {
  return loadTree(ctx.root, conf === undefined ? { dialect: ctx.dialect } : { dialect: ctx.dialect, conf });
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The starting limits pam_limits would see: PID 1's limits and fs.nr_open from the live system
 * (root "/") or from <root>/proc when the tree carries a snapshot; unknown otherwise.
 */
export function loadBaseline(ctx: Pick<Context, 'root'>): Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> {
  const live = ctx.root === '/';
  const procDir = path.join(ctx.root, 'proc');
  const pid1Text = readOptional(path.join(procDir, '1/limits'));
  const nrText = readOptional(path.join(procDir, 'sys/fs/nr_open'));
  const nr = nrText?.match(/^\s*(\d+)/)?.[1];
  const out: Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> = {
    nrOpen: nr ? BigInt(nr) : nrText === null && live ? null : 1048576n,
  };
  if (pid1Text !== null) out.pid1Limits = parseProcLimits(pid1Text);
  else if (live) out.pid1Limits = null;
  if (live) {
    const self = readOptional('/proc/self/limits');
    if (self) out.processLimits = parseProcLimits(self) as ProcLimits;
  }
  return out;
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
  try {
    const opts: Parameters<typeof loadIdentity>[2] = {};
    if (args.uid !== undefined) opts.uid = args.uid;
    if (args.gid !== undefined) opts.gid = args.gid;
    if (args.groups) opts.groups = args.groups.split(',').map((g) => g.trim()).filter(Boolean);
    return loadIdentity(ctx.root, args.user, opts);
  } catch (e) {
    if (e instanceof UnknownUserError) throw new UsageError(e.message);
    throw e;
  }
}
