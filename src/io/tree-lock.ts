/**
 * An exclusive, cross-process lock per config tree.
 *
 * Node has no flock(2), so the lock is a file created with O_CREAT|O_EXCL:
 * `<root>/etc/security/.limitsctl.lock` ({@link LOCK_RELATIVE_PATH}). The name is hidden and does
 * not end in `.conf`, and it is not in limits.d, so pam_limits never reads it. It holds one JSON
 * line naming the holder (pid, host name, boot id, the process's start time, a random token) and
 * is removed when the lock is released — also when the process exits while holding it, or is
 * ended by SIGINT, SIGTERM or SIGHUP (the lock is removed, then the process ends by the signal).
 *
 * A lock left behind by a process that was killed is *stale* and is taken over: on the same host,
 * when the holder pid no longer exists, or exists but started at another time (pid reused), or the
 * machine was rebooted since (boot id). A lock file limitsctl was killed while writing (empty, or
 * a cut-off start of its own record: {@link looksLikeOurs}) counts as stale once it is older than
 * {@link MALFORMED_STALE_MS}. Anything else at the lock path is never used nor removed: a symlink
 * (dangling or not) is refused with "… is a symlink; limitsctl will not use or remove it"
 * (`ENOTREG`), and a regular file that limitsctl did not write (other content, or more than
 * {@link MAX_LOCK_BYTES} bytes) is refused (`EEXIST`) naming the path; the caller exits 2 with
 * nothing written, and a person decides what to do with it. A lock from another host (a tree shared over the network) is never
 * taken over automatically: the timeout error tells who holds it. Taking a stale lock over is
 * serialised through a second, short-lived lock file (`.limitsctl.lock.break`), so two processes
 * recovering the same stale lock at once cannot remove each other's fresh lock.
 *
 * The lock path is never opened in a way that blocks: a FIFO, socket or device there is refused
 * (`ENOTREG`) with a message naming it. Right after taking the lock, a multi-file write that a
 * killed process left half-done is completed or undone (see ./write-journal.ts).
 *
 * Staleness does not depend on time while the holder lives, so a slow or stopped holder keeps its
 * lock (unlike mtime-refreshing schemes). Waiting polls with a jittered back-off and gives up with a
 * {@link LockTimeoutError} after `timeoutMs` (30 s by default).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomHex } from './random.js';
import { closeSync, constants as fsConstants, openSync, readFileSync, unlinkSync } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { LimitsIoError, LockTimeoutError, type LockOwner, isErrno, pidAlive, wrapIoError } from './write-errors.js';
import { type RecoveryReport, kind, recoverJournal } from './write-journal.js';
import { onSignalCleanup } from './signal-cleanup.js';
import { openTreeDirAt, resolveRoot } from './write-paths.js';

/** Where the lock lives, relative to the tree root. */
export const LOCK_RELATIVE_PATH = 'etc/security/.limitsctl.lock';

/** Default time to wait for the lock before giving up. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** A lock file limitsctl was killed while writing (see {@link looksLikeOurs}) older than this is treated as stale. */
const MALFORMED_STALE_MS = 5_000;

/** A lock file larger than this was not written by limitsctl (its record is about 200 bytes). */
const MAX_LOCK_BYTES = 4_096;

/** How every lock record limitsctl writes begins (JSON.stringify of {@link LockInfo}: `tool` first). */
const RECORD_START = '{"tool":"limitsctl"';

/** Options of {@link withTreeLock}. */
export interface TreeLockOptions {
  /** Give up after this many milliseconds (default {@link DEFAULT_LOCK_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Told when taking the lock finished (or undid) a multi-file write a killed process left half-done. */
  readonly onRecovered?: (report: RecoveryReport) => void;
}

/** What a lock file records about its holder. */
interface LockInfo {
  readonly tool: 'limitsctl';
  readonly pid: number;
  readonly host: string;
  readonly bootId: string | null;
  /** the holder's start time in clock ticks since boot (/proc/<pid>/stat field 22) */
  readonly start: string | null;
  readonly token: string;
  readonly created: string;
}

/** Lock files this process holds right now: token → lock path (change it only through hold/unhold). */
const heldByThisProcess = new Map<string, string>();
/** Removes the signal handlers of ./signal-cleanup.ts; set while this process holds a lock. */
let signalHook: (() => void) | null = null;

/** Record a lock file as this process's; while any is held, a SIGINT/SIGTERM/SIGHUP removes them first. */
function hold(token: string, p: string): void {
  heldByThisProcess.set(token, p);
  signalHook ??= onSignalCleanup(removeHeldLocks);
}

function unhold(token: string): void {
  heldByThisProcess.delete(token);
  if (heldByThisProcess.size === 0 && signalHook !== null) {
    signalHook();
    signalHook = null;
  }
}
/** Lock paths held in the current async context, for re-entrancy. */
const context = new AsyncLocalStorage<ReadonlySet<string>>();
let exitHookInstalled = false;

/**
 * Run `fn` while holding the exclusive lock of the tree at `root`, and release the lock afterwards
 * (whether `fn` resolves or throws). Hold it across the whole read → plan → write sequence so that
 * concurrent limitsctl processes on the same tree never lose each other's updates.
 *
 * Re-entrant within one async call chain: a nested `withTreeLock` on the same tree just runs `fn`.
 * Two independent calls in the same process wait for each other like two processes would.
 *
 * The lock directory (`<root>/etc/security`) is created (0755) when missing, so take the lock only
 * for operations that write; read-only commands and dry runs need no lock.
 *
 * @param root the tree root: an absolute directory ("/" on the live system)
 * @throws LockTimeoutError (`ELOCKTIMEOUT`) when the lock stays held longer than `timeoutMs`
 * @throws LimitsIoError `ENOTREG` when the lock path is a symlink, FIFO, socket, device or
 *   directory; `EEXIST` when it is a regular file limitsctl did not write (neither is used or removed)
 * @throws JournalError (`EJOURNAL`) when a left-over journal can be neither completed nor undone
 * @throws OutsideRootError when `<root>/etc/security` leads out of the tree
 * @throws LimitsIoError with the errno code when the lock file cannot be created (EROFS, EACCES…)
 */
export async function withTreeLock<T>(
  root: string,
  fn: () => Promise<T> | T,
  options: TreeLockOptions = {},
): Promise<T> {
  const lockPath = await treeLockPath(root);
  const held = context.getStore();
  if (held?.has(lockPath)) return await fn();
  const token = await acquire(lockPath, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  try {
    const report = await recoverJournal(root);
    if (report !== null) options.onRecovered?.(report);
    return await context.run(new Set([...(held ?? []), lockPath]), fn);
  } finally {
    await release(lockPath, token);
  }
}

/**
 * The physical path of the lock file of the tree at `root` (its directory is created if missing).
 * @throws OutsideRootError / LimitsIoError as {@link withTreeLock}
 */
export async function treeLockPath(root: string): Promise<string> {
  const tree = await resolveRoot(root);
  const given = path.join(tree.real, LOCK_RELATIVE_PATH);
  // Opened from the root without following links (created when missing): etc/security must be a
  // real directory of the tree, not a symlink out of it.
  const dir = await openTreeDirAt(tree, path.posix.dirname(LOCK_RELATIVE_PATH), { given, create: true });
  dir.close();
  return path.join(dir.phys, path.basename(given));
}

// ---------------------------------------------------------------------------------------------

let cachedBootId: string | null | undefined;
function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** A process's start time (clock ticks after boot) from /proc, or null where /proc is missing. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: fields 3.. follow the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 = index 22 - 3
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface LockFileState {
  readonly raw: string;
  readonly info: LockInfo | undefined;
  readonly ageMs: number;
}

/**
 * Read a lock file without following a symlink and without blocking (O_NONBLOCK: a FIFO there
 * would otherwise hang every command); undefined when it does not exist.
 * @throws LimitsIoError `ENOTREG` when the path is a symlink or not a regular file; `EEXIST` when
 *   it is a regular file whose content limitsctl did not write ({@link looksLikeOurs})
 */
async function readLock(p: string): Promise<LockFileState | undefined> {
  let fh;
  try {
    fh = await open(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    if (isErrno(e, 'ELOOP')) {
      // A symlink where the lock should be: limitsctl never creates one, so it is someone else's
      // (or an attack) — neither followed nor removed, whether it dangles or not.
      const st = await lstat(p).catch(() => undefined);
      if (st?.isSymbolicLink() !== true) return undefined; // gone or replaced meanwhile: look again
      throw new LimitsIoError(
        `${p} is a symlink; limitsctl will not use or remove it — limitsctl creates its lock file itself: ` +
          'check what made the link and remove it',
        { code: 'ENOTREG', path: p },
      );
    }
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      throw new LimitsIoError(
        `cannot take the lock ${p}: it is ${kind(st)}, not a lock file — remove it (limitsctl creates the lock file itself)`,
        { code: 'ENOTREG', path: p },
      );
    }
    const raw = st.size > MAX_LOCK_BYTES ? undefined : await fh.readFile('utf8');
    const info = raw === undefined ? undefined : parseInfo(raw);
    if (raw === undefined || (info === undefined && !looksLikeOurs(raw))) {
      throw new LimitsIoError(
        `cannot take the lock ${p}: it is a file of ${st.size} bytes that limitsctl did not write; ` +
          'limitsctl will not use or remove it — check what put it there and remove it',
        { code: 'EEXIST', path: p },
      );
    }
    return { raw, info, ageMs: Date.now() - st.mtimeMs };
  } finally {
    await fh.close();
  }
}

function parseInfo(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (v && v.tool === 'limitsctl' && Number.isInteger(v.pid) && typeof v.host === 'string' && typeof v.token === 'string') {
      return v as LockInfo;
    }
  } catch {
    /* malformed */
  }
  return undefined;
}

/**
 * Whether `raw`, a lock file's content that is not a complete lock record, is what limitsctl leaves
 * when killed while creating its lock: the file exists from the exclusive create on and the record
 * is written right after, so a kill in between leaves it empty or holding the record's start.
 * That is: empty, a prefix of `{"tool":"limitsctl"`, or text beginning with it.
 */
function looksLikeOurs(raw: string): boolean {
  return raw === '' || RECORD_START.startsWith(raw) || raw.startsWith(RECORD_START);
}

function isStale(state: LockFileState): boolean {
  const info = state.info;
  if (!info) return state.ageMs > MALFORMED_STALE_MS;
  if (info.host !== hostname()) return false; // cannot tell: never break another host's lock
  const ours = bootId();
  if (info.bootId && ours && info.bootId !== ours) return true; // rebooted since
  if (info.pid === process.pid) return !heldByThisProcess.has(info.token);
  if (!pidAlive(info.pid)) return true;
  if (info.start) {
    const now = processStart(info.pid);
    if (now !== null && now !== info.start) return true; // pid reused by another process
  }
  return false;
}

function owner(state: LockFileState | undefined): LockOwner | undefined {
  const i = state?.info;
  return i ? { pid: i.pid, host: i.host, created: i.created } : undefined;
}

function newInfo(): LockInfo {
  return {
    tool: 'limitsctl',
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    start: processStart(process.pid),
    token: randomHex(12),
    created: new Date().toISOString(),
  };
}

/** Create `p` exclusively with `info`; false when it already exists. */
async function createExclusive(p: string, info: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await open(p, 'wx', 0o644);
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return false;
    throw e;
  }
  try {
    await fh.writeFile(JSON.stringify(info) + '\n');
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(p).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return true;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', removeHeldLocks);
}

/**
 * Remove every lock file this process holds that still carries its token (synchronous: at exit,
 * or on a signal before the process ends by it; see ./signal-cleanup.ts).
 */
function removeHeldLocks(): void {
  for (const [token, p] of heldByThisProcess) {
    try {
      const fd = openSync(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
      let raw: string;
      try {
        raw = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
      if (parseInfo(raw)?.token === token) unlinkSync(p);
    } catch {
      /* best effort */
    }
  }
}

async function acquire(lockPath: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const info = newInfo();
  installExitHook();
  let delay = 5;
  let last: LockFileState | undefined;
  for (;;) {
    try {
      // Register first so the exit hook and isStale() know the token before the file exists.
      hold(info.token, lockPath);
      if (await createExclusive(lockPath, info)) return info.token;
      unhold(info.token);
      last = await readLock(lockPath);
      if (last === undefined) continue; // released meanwhile: try again at once
      if (isStale(last) && (await breakStale(lockPath, last.raw))) continue;
    } catch (e) {
      unhold(info.token);
      throw wrapIoError(e, 'lock', lockPath, undefined, path.dirname(lockPath));
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new LockTimeoutError(lockPath, timeoutMs, owner(last));
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, 100);
  }
}

/**
 * Remove the stale lock whose content was `raw`, under the break lock. Returns false when another
 * process is busy breaking it (the caller waits and retries).
 */
async function breakStale(lockPath: string, raw: string): Promise<boolean> {
  const breakPath = `${lockPath}.break`;
  const info = newInfo();
  hold(info.token, breakPath);
  try {
    if (!(await createExclusive(breakPath, info))) {
      const b = await readLock(breakPath);
      // A breaker that died in its few-microsecond window leaves a stale break lock behind.
      if (b && isStale(b)) await unlink(breakPath).catch(() => undefined);
      return false;
    }
    try {
      // Only remove the lock if it is still exactly the stale one we looked at.
      const again = await readLock(lockPath);
      if (again && again.raw === raw) await unlink(lockPath).catch((e: unknown) => {
        if (!isErrno(e, 'ENOENT')) throw e;
      });
    } finally {
      await unlink(breakPath).catch(() => undefined);
    }
    return true;
  } finally {
    unhold(info.token);
  }
}

/** Release: remove the lock file if it still carries our token. Never throws. */
async function release(lockPath: string, token: string): Promise<void> {
  try {
    const state = await readLock(lockPath);
    if (state?.info?.token === token) await unlink(lockPath);
  } catch {
    /* best effort: a lock we cannot remove is recovered as stale later */
  } finally {
    unhold(token);
  }
}
