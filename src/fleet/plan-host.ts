/**
 * Plan one Ansible task for one managed host on the controller, from the snapshot its read
 * command printed (src/core/fleet/remote.ts): the snapshot is laid out as a private copy of the
 * host's tree under the controller's temporary directory, and read back with the very code
 * `limitsctl set/unset/apply` use — loadTree (pam_limits' reading order, symlinks followed
 * chroot-style and confined to the tree: src/io/paths.ts resolveInRoot), detectProfile (the
 * host's os-release), loadAccountDb (its passwd/group), loadBaseline (its /proc/1/limits,
 * fs.nr_open or sysctl configuration) — and planned with planEdits (src/core/edit/plan.ts). Same
 * warnings, refusals and idempotence as the CLI; only the write differs: the host writes with
 * one compare-and-swap command (writeScript).
 */
import { execFileSync } from 'node:child_process';
import { systemTool } from '../io/system-tools.js';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants as fsConstants, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { identityFor } from '../core/accounts.js';
import { toBytes } from '../core/bytes.js';
import { type EditPlan, type EditRequest, planEdits, planOptionsFrom, type PlanOptions } from '../core/edit.js';
import { type TaskIntent, TaskInputError, iniRequests, taskWords } from '../core/fleet/params.js';
import {
  MAX_WRITE_SCRIPT, MAX_WRITE_STDIN, parseSnapshot, parseWriteOutput, type RemoteWrite, type Snapshot, SnapshotError, writeScript,
} from '../core/fleet/remote.js';
import { binaryToDisplay } from '../core/model.js';
import { resolveLimits } from '../core/resolve.js';
import { canonicalProfile, isProfileName, itemForProfile, PROFILE_NAMES, PROFILE_TRAITS } from '../core/schema.js';
import { effectiveJson, halfView, rlimitItemsFor } from '../formatters/effective.js';
import { loadAccountDb } from '../io/accounts.js';
import { resolveInRoot } from '../io/paths.js';
import { onSignalCleanup } from '../io/signal-cleanup.js';
import { parsePolicy } from '../io/policy.js';
import { detectProfile, loadBaseline } from '../io/system.js';
import { loadTree } from '../io/tree.js';
import { hardLinkRefusal } from '../io/write.js';
import { tooLargeRefusal } from '../io/commit.js';
import { MAX_LIMITS_FILE_BYTES } from '../io/read.js';

/** A task result as Ansible shows it (JSON-able; bigints become numbers on the wire). */
export type TaskResult = Record<string, unknown>;

/** What planning one host gives: the result, and the write command when there is something to write. */
export interface HostPlan {
  readonly result: TaskResult;
  /** the write command (not in check mode, not when nothing changes) */
  readonly write: string | null;
  /** the bytes to give the write command on its standard input (binary string), or null */
  readonly stdin: string | null;
}

const utf8 = (binary: string) => Buffer.from(binary, 'latin1').toString('utf8');

/** The host path of a path relative to the root. */
function hostPath(root: string, rel: string): string {
  return root === '/' ? `/${rel}` : `${root.replace(/\/+$/, '')}/${rel}`;
}

/**
 * Lay the snapshot out under `dir`, so that the tree reader finds what the host has: files with
 * their bytes, directories, symlinks (a target naming a path under the host's root is made
 * chroot-style: `/srv/img/etc/x` → `/etc/x`, which the reader resolves the same way), FIFOs for
 * special files, and the other names of listed directories (so ignored files are named).
 *
 * The snapshot comes from the host and is not trusted (parseSnapshot already refused names with
 * `..`, `.`, empty components, NUL or absolute paths, and names the read command does not read).
 * Here nothing is written outside `dir` whatever the names: every directory on the way is made
 * here, one component at a time, and must be a real directory (lstat); files are created with
 * O_CREAT|O_EXCL|O_NOFOLLOW; symlinks are made last, so nothing is ever written through one.
 * @throws SnapshotError when a name would lead through a symlink or something not made here
 */
export function materialize(snap: Snapshot, hostRoot: string, dir: string): void {
  const r = hostRoot.replace(/\/+$/, '');
  const parts = (rel: string) => {
    const c = utf8(rel).split('/');
    if (c.some((x) => x === '' || x === '.' || x === '..' || x.includes('\0'))) throw new SnapshotError(`unsafe name ${JSON.stringify(rel.slice(0, 120))} in the host's snapshot`);
    return c;
  };
  const made = new Set<string>([dir]);
  // a directory made here (each component checked: never a symlink, never outside dir)
  const mkdirs = (comps: readonly string[]): string => {
    let cur = dir;
    for (const c of comps) {
      const next = path.join(cur, c);
      if (!made.has(next)) {
        try {
          mkdirSync(next);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          if (!lstatSync(next).isDirectory()) throw new SnapshotError(`the host's snapshot names a path through ${JSON.stringify(path.relative(dir, next))}, which is not a directory: refused`);
        }
        made.add(next);
      }
      cur = next;
    }
    return cur;
  };
  const create = (p: string, bytes: Buffer | null) => {
    const fd = openSync(p, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o666);
    try {
      for (let off = 0; bytes !== null && off < bytes.length;) off += writeSync(fd, bytes, off);
    } finally { closeSync(fd); }
  };
  const exists = (p: string) => { try { lstatSync(p); return true; } catch { return false; } };
  const sorted = [...snap.entries.entries()].sort(([a], [b]) => a.split('/').length - b.split('/').length);
  const links: Array<[string, string]> = [];
  for (const [rel, e] of sorted) {
    const comps = parts(rel);
    if (e.kind === 'dir') { mkdirs(comps); continue; }
    if (e.kind === 'unreadable') continue;
    const p = path.join(mkdirs(comps.slice(0, -1)), comps[comps.length - 1]!);
    if (e.kind === 'link') { links.push([rel, p]); continue; }
    if (exists(p)) continue;
    if (e.kind === 'file') create(p, Buffer.from(e.bytes, 'latin1'));
    else execFileSync(systemTool('mkfifo'), ['--', p]);
  }
  for (const [d, names] of snap.listings) {
    const base = mkdirs(parts(d));
    for (const n of names) {
      if (snap.entries.has(`${d}/${n.name}`)) continue;
      const c = parts(n.name);
      if (c.length !== 1) throw new SnapshotError(`unsafe name ${JSON.stringify(n.name.slice(0, 120))} in the host's snapshot`);
      const p = path.join(base, c[0]!);
      if (exists(p)) continue;
      if (n.kind === 'd') mkdirs([...parts(d), c[0]!]);
      else create(p, null);
    }
  }
  // symlinks last: nothing above was written through one
  for (const [rel, p] of links) {
    if (exists(p)) continue;
    const e = snap.entries.get(rel) as { kind: 'link'; target: string };
    let t = utf8(e.target);
    if (r !== '' && (t === r || t.startsWith(`${r}/`))) t = `/${t.slice(r.length + 1)}`;
    symlinkSync(t, p);
  }
}

let scratch: string | null = null;
/** Removes the signal clean-up of the scratch directory (set while it exists). */
let unhookScratch: (() => void) | null = null;
/**
 * A private directory for the laid-out snapshots of this process (removed at exit): in /dev/shm
 * when it is a writable directory (tmpfs: creating and removing a small tree there costs a tenth
 * of what it costs on an overlay /tmp), else in the temporary directory.
 */
function scratchDir(): string {
  if (scratch === null) {
    let base = os.tmpdir();
    try {
      if (statSync('/dev/shm').isDirectory()) { accessSync('/dev/shm', fsConstants.W_OK); base = '/dev/shm'; }
    } catch { /* keep tmpdir */ }
    scratch = mkdtempSync(path.join(base, 'limitsctl-fleet-'));
    process.once('exit', removeScratch);
    unhookScratch = onSignalCleanup(removeScratch); // a signal: removed, then the process ends by it
  }
  return scratch;
}

/** Remove this process's scratch directory now (it is made again when needed); also run at exit. */
export function removeScratch(): void {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
  unhookScratch?.();
  unhookScratch = null;
}

/** `file`: as the host names it (/etc/security/limits.d/x.conf) or relative to root. */
function normalizeFile(root: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const r = root.replace(/\/+$/, '');
  let abs: string;
  if (file.startsWith('/')) abs = r !== '' && (file === r || file.startsWith(`${r}/`)) ? path.posix.resolve(file) : path.posix.resolve(`${r}/${file}`);
  else abs = path.posix.resolve(`${r}/`, file);
  if (abs !== (r || '/') && !abs.startsWith(`${r}/`)) throw new TaskInputError(`file ${file} is outside root ${root}`);
  return path.posix.relative(r || '/', abs);
}

function refuseIfBlocked(plan: EditPlan, force: boolean): void {
  const hard = plan.blockers.filter((b) => b.everyone);
  if (hard.length === 0 || force) return;
  const lines = hard.map((b) => `${b.account}: ${b.item} ${b.half} would be ${b.got}, not ${b.wanted}: ${taskWords(b.because)}`);
  throw new TaskInputError(`refusing: the change would not take effect (nothing was written): ${lines.join('; ')}. `
    + 'Edit or remove the line named, choose a file read later with file=, or set force=true to write it anyway');
}

/** The host's limits files the snapshot could not read: planning would be blind there. */
function unreadableLimits(snap: Snapshot, root: string): string[] {
  const out: string[] = [];
  for (const [rel, e] of snap.entries) {
    if (e.kind === 'unreadable' && /^(etc\/security|usr\/share\/pam\/security)\//.test(rel)) out.push(`${hostPath(root, utf8(rel))} (${e.message})`);
  }
  return out;
}

/**
 * Plan a task for one host from its snapshot.
 * @param intent the checked task (core/fleet/params.ts taskIntent)
 * @param snapshotText the read command's stdout
 * @param mode check: plan only; diff: add Ansible's diff (before/after with the host's paths); stdin: the
 *   connection can give the write command input data (the file bytes then travel there, not in the command)
 * @throws TaskInputError (or a LimitsError of the library) for input the host's tree refuses: nothing is written
 */
export async function planHost(intent: TaskIntent, snapshotText: string, mode: { check: boolean; diff: boolean; stdin?: boolean }): Promise<HostPlan> {
  const p = intent.params;
  const root = path.posix.normalize(p.root);
  const snap = parseSnapshot(snapshotText, root);
  if (snap === null) throw new TaskInputError(`root ${root} is not a directory on the host; give the directory that holds etc/security (default /)`);
  const blind = unreadableLimits(snap, root);
  if (blind.length > 0) throw new TaskInputError(`cannot read ${blind.join(', ')} on the host: nothing was planned or written; run the task with become: true`);
  const dir = mkdtempSync(path.join(scratchDir(), 'h-'));
  try {
    materialize(snap, root, dir);
    // the profile: the host's own os-release, or the one given
    let profile;
    let reason: string;
    let profileWarning: string | null = null;
    if (p.profile === 'auto') {
      const d = detectProfile(dir);
      profile = d.profile;
      reason = d.reason;
      profileWarning = d.warning;
    } else if (isProfileName(p.profile)) {
      profile = canonicalProfile(p.profile);
      reason = profile === p.profile ? `profile ${p.profile}` : `profile ${p.profile} (an alias of ${profile})`;
    } else {
      throw new TaskInputError(`unknown profile '${p.profile}'; use auto or one of ${PROFILE_NAMES.join(', ')} (aliases: debian, upstream, upstream-1.7)`);
    }
    const db = loadAccountDb(dir);
    const baseline = loadBaseline({ root: dir });
    const tree = loadTree(dir, { profile });
    const base: TaskResult = { root, profile, profile_reason: reason };
    if (intent.kind === 'query') {
      const q = query(intent.users, tree, db, profile, baseline, root);
      return { result: { changed: false, ...base, ...q.result, warnings: [...(profileWarning ? [profileWarning] : []), ...intent.ignored, ...q.warnings] }, write: null, stdin: null };
    }

    let requests: readonly EditRequest[];
    let prune = intent.prune;
    if (intent.requests !== null) requests = intent.requests;
    else {
      const parsed = await parsePolicy(intent.iniText!, 'policy');
      requests = iniRequests(intent, parsed);
      prune = parsed.domains;
    }
    const file = normalizeFile(root, p.file as string | undefined);
    const options: PlanOptions = { ...planOptionsFrom(baseline, db.present ? db : null, file), ...(p.prune && prune ? { prune } : {}) };
    const plan = planEdits(tree, requests, options);
    refuseIfBlocked(plan, p.force);

    // where each change really goes on the host, and the size and hard-link refusals the CLI makes
    const writes: RemoteWrite[] = [];
    const files: TaskResult[] = [];
    for (const ch of plan.changes) {
      const r = resolveInRoot(dir, ch.path);
      const given = hostPath(root, ch.path);
      const real = hostPath(root, r.rel);
      // a file above the read cap would be one the next run cannot read (check mode too)
      if (ch.after.length > MAX_LIMITS_FILE_BYTES) throw tooLargeRefusal(given, ch.after.length, MAX_LIMITS_FILE_BYTES);
      if (ch.before !== null && !p.force) {
        const e = snap.entries.get(Buffer.from(r.rel, 'utf8').toString('latin1'));
        if (e && e.kind === 'file' && e.nlink > 1) {
          // the library's refusal as it is: failure() (server.ts) returns its code, EHARDLINK
          throw hardLinkRefusal(given, real, BigInt(e.nlink));
        }
      }
      writes.push({ path: real, before: ch.before, after: ch.after });
      files.push({ path: given, created: ch.before === null, ...(real !== given ? { real_path: real } : {}) });
    }
    const fatal = plan.after.failure;
    const warnings = [
      ...(profileWarning ? [profileWarning] : []),
      ...(fatal ? [`${fatal.reason.startsWith(fatal.file) ? fatal.reason : `${fatal.file}: ${fatal.reason}`}; until that path is fixed, every session through pam_limits fails or hangs and none of these limits applies`] : []),
      ...plan.warnings.map(taskWords),
      ...plan.blockers.map((b) => (b.everyone
        ? `forced: ${b.account} gets ${b.item} ${b.half} ${b.got}, not ${b.wanted}: ${taskWords(b.because)}`
        : `${b.account} keeps ${b.item} ${b.half} ${b.got} (wanted ${b.wanted}): ${taskWords(b.because)}`)),
    ];
    const changed = plan.changes.length > 0;
    const result: TaskResult = {
      changed,
      msg: plan.notes.map((n) => `${n.status === 'changed' ? (mode.check ? 'would change' : 'changed') : n.status}: ${n.detail}`).join('; '),
      ...base,
      files,
      changes: plan.notes.map((n) => ({ status: n.status, detail: n.detail, ...(n.note !== undefined ? { note: n.note } : {}) })),
      effective: effectiveAfter(plan, requests, db, profile, baseline),
      blockers: plan.blockers.map((b) => ({ account: b.account, item: b.item, half: b.half, wanted: b.wanted, got: b.got, because: taskWords(b.because), everyone: b.everyone })),
      warnings,
    };
    if (mode.diff && changed) {
      result.diff = plan.changes.map((ch) => ({
        before_header: ch.before === null ? '/dev/null' : hostPath(root, ch.path),
        after_header: hostPath(root, ch.path),
        before: ch.before === null ? '' : binaryToDisplay(ch.before),
        after: binaryToDisplay(ch.after),
      }));
    }
    if (!changed) return { result, write: null, stdin: null };
    // the write command is made in check mode too: check mode refuses what the real run would
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    const cmd = writeScript(writes, { backup: p.backup, stamp, nonce: randomBytes(6).toString('hex'), stdin: mode.stdin === true });
    if (cmd.stdin !== null && cmd.stdin.length > MAX_WRITE_STDIN) {
      throw new TaskInputError(`the files to write are too large (${cmd.stdin.length} bytes with the old bytes they are checked against; the limit is ${MAX_WRITE_STDIN}); nothing was written`);
    }
    if (cmd.stdin === null && cmd.script.length > MAX_WRITE_SCRIPT) {
      throw new TaskInputError(`the files to write are too large for one command (${cmd.script.length} bytes of shell; the limit is ${MAX_WRITE_SCRIPT}) and this connection cannot send them on the command's standard input; nothing was written. `
        + 'Use a connection that takes input data (ssh, local, chroot, docker…) with pipelining enabled when the task uses become (ANSIBLE_PIPELINING=true), and not become_method su');
    }
    if (mode.check) return { result, write: null, stdin: null };
    return { result, write: cmd.script, stdin: cmd.stdin };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The outcome of a write command for a planned result: the final result, or `retry` when a
 * compare-and-swap check failed (another writer changed a file since the read: nothing of it was
 * overwritten; the task reads and plans again).
 */
export function finishHost(result: TaskResult, stdout: string, rc: number, stderr: string): { retry: true; conflict: string } | { retry: false; result: TaskResult } {
  const o = parseWriteOutput(stdout);
  if (o.conflict !== null) return { retry: true, conflict: utf8(o.conflict) };
  const files = (result.files as TaskResult[]) ?? [];
  const wrote = new Map(o.wrote.map((w) => [utf8(w.path), w.backup === null ? null : utf8(w.backup)]));
  const withBackups = files.map((f) => {
    const real = (f.real_path ?? f.path) as string;
    const b = wrote.get(real);
    return b ? { ...f, backup: b } : f;
  });
  if (o.failed !== null || !o.done) {
    const done = [...wrote.keys()];
    const why = o.failed ? `writing ${utf8(o.failed.path)} failed (${o.failed.step})` : `the write command stopped (exit ${rc})`;
    return {
      retry: false,
      result: {
        ...result, files: withBackups, failed: true, changed: done.length > 0,
        msg: `${why}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}; ${done.length > 0 ? `already written: ${done.join(', ')}` : 'nothing was written'}`,
      },
    };
  }
  const first = [...wrote.values()].find((b) => b !== null);
  return { retry: false, result: { ...result, files: withBackups, ...(first ? { backup_file: first } : {}) } };
}

/** One entry of effectiveJson's `limits` (camelCase, as `effective --json` prints it). */
interface LimitJson { soft: unknown; hard: unknown; softFrom: { file: string; line: number; domain: string } | null; hardFrom: { file: string; line: number; domain: string } | null }

/** The entry as the task's result gives it: Ansible results use snake_case keys (soft_from, hard_from). */
function snakeLimit(v: LimitJson): { soft: unknown; hard: unknown; soft_from: LimitJson['softFrom']; hard_from: LimitJson['hardFrom'] } {
  return { soft: v.soft, hard: v.hard, soft_from: v.softFrom, hard_from: v.hardFrom };
}

/** Effective values after the plan, for the user domains the requests name. */
function effectiveAfter(plan: EditPlan, requests: readonly EditRequest[], db: ReturnType<typeof loadAccountDb>, profile: ReturnType<typeof canonicalProfile>, baseline: ReturnType<typeof loadBaseline>): TaskResult {
  const out: TaskResult = {};
  const users = new Set<string>();
  for (const r of requests) if (!/^[@%*]/.test(r.domain) && !r.domain.includes(':')) users.add(r.domain);
  for (const name of users) {
    const pw = db.users.find((u) => u.name === toBytes(name));
    if (!pw) continue;
    const full = effectiveJson(resolveLimits(plan.after, identityFor(db, pw.name, pw.uid, pw.gid), { profile, ...baseline }));
    const items = new Set(requests.filter((r) => r.domain === name).map((r) => itemForProfile(r.item.toLowerCase(), profile)?.name).filter(Boolean));
    out[name] = {
      result: full.result,
      applied: full.applied,
      limits: Object.fromEntries(Object.entries(full.limits).filter(([k]) => items.has(k as never)).map(([k, v]) => [k, snakeLimit(v as LimitJson)])),
      warnings: full.warnings,
    };
  }
  return out;
}

/**
 * The read-only `query` form: for each user, every rlimit pam_limits would give a new session,
 * `{soft, hard, soft_source, hard_source}` — values in limits.conf units (an integer, or
 * 'unlimited'; null when unknown), a source `/etc/security/limits.conf:12` (the host's path and
 * line that sets it) or `inherited (pid1)` / `inherited (fallback)` when no line sets it and the
 * session keeps its starting value — plus each session's result (`sessions`).
 */
function query(users: readonly string[], tree: ReturnType<typeof loadTree>, db: ReturnType<typeof loadAccountDb>, profile: ReturnType<typeof canonicalProfile>, baseline: ReturnType<typeof loadBaseline>, root: string): { result: TaskResult; warnings: string[] } {
  const warnings: string[] = [];
  const limits: TaskResult = {};
  const sessions: TaskResult = {};
  const unknown: string[] = [];
  for (const name of users) {
    const pw = db.users.find((u) => u.name === toBytes(name));
    if (!pw) { unknown.push(name); continue; }
    const res = resolveLimits(tree, identityFor(db, pw.name, pw.uid, pw.gid), { profile, ...baseline });
    const full = effectiveJson(res);
    const mine: TaskResult = {};
    for (const item of rlimitItemsFor(res)) {
      const s = halfView(res, item, 'soft');
      const h = halfView(res, item, 'hard');
      // no line sets it: the session keeps its starting value, PID 1's (unknown without the host's proc/1/limits)
      const value = (v: typeof s) => (v.from ? v.value : v.inherited);
      const src = (v: typeof s) => (v.from ? `${hostPath(root, v.from.file)}:${v.from.line}`
        : !res.applied ? null // the session fails: no value (sessions[user].result says why)
        // Debian 13, upstream: the session starts from the limits of the process calling pam_limits
        // (formatters/effective.ts baselineText), which no file on the host shows
        : v.baseline === 'process' || (v.inherited === null && v.baseline === 'unknown' && !PROFILE_TRAITS[profile].pid1Baseline)
          ? 'inherited (calling process: sshd, login…; not known from the files)'
        : v.inherited === null && v.baseline !== null ? `inherited (unknown: ${hostPath(root, 'proc/1/limits')} was not readable)`
        : v.baseline ? `inherited (${v.baseline})` : null);
      mine[item] = { soft: value(s), hard: value(h), soft_source: src(s), hard_source: src(h) };
    }
    for (const [k, v] of Object.entries(full.limits as Record<string, LimitJson>)) {
      if (k in mine) continue;
      const src = (f: { file: string; line: number } | null) => (f ? `${hostPath(root, f.file)}:${f.line}` : null);
      mine[k] = { soft: v.soft, hard: v.hard, soft_source: src(v.softFrom), hard_source: src(v.hardFrom) };
    }
    limits[name] = mine;
    sessions[name] = { result: full.result, applied: full.applied, uid: full.uid, groups: full.groups, priority: full.priority, warnings: full.warnings };
    if (full.result !== 'PAM_SUCCESS') warnings.push(`${name}: a session through pam_limits ends with ${String(full.result)}${full.applied ? '' : ' and gets none of these limits'}`);
  }
  if (unknown.length > 0) warnings.push(`not in the host's passwd: ${unknown.join(', ')}`);
  return {
    result: {
      limits, sessions,
      ...(unknown.length > 0 ? { unknown_users: unknown } : {}),
      msg: `${Object.keys(limits).length} user(s) queried${unknown.length > 0 ? `; not in the host's passwd: ${unknown.join(', ')}` : ''}`,
    },
    warnings,
  };
}
