/**
 * Edits as the library gives them: file contents are Buffers, so the obvious
 * `writeFileSync(path, change.after)` writes every byte as planned (a `# Zoë — café` comment, a
 * latin1 account name). The planner (src/core/edit) works on binary strings (one char per byte),
 * which is fast and what the CLI uses; this module converts once, at the boundary. `applyPlan` and
 * `commitEdits` write a plan through the CLI's own transaction (src/io/commit.ts: lock,
 * compare-and-swap, atomic rename, all files or none).
 */
import path from 'node:path';
import { planEdits as planCore } from '../core/edit.js';
import type { ChangeNote, Blocker, EditRequest as CoreEditRequest } from '../core/edit.js';
import { commitEdits as commitCore, type CommitOptions as CoreCommitOptions, type CommittedFile } from '../io/commit.js';
import type { RecoveryReport } from '../io/write-journal.js';
import { checkRootPaths, resolveInRoot } from '../io/paths.js';
import { readFileInRoot } from '../io/read.js';
import { ConcurrentModificationError, OutsideRootError, wrapIoError } from '../io/write-errors.js';
import * as arg from './args.js';
import { accountDbIn } from './names.js';
import type { AccountDb } from '../core/accounts.js';
import { coreTree, defined, type ConfigTree, type EditRequest, type PlanOptions } from './types.js';

/** One file an {@link EditPlan} changes. */
export interface FileChange {
  /** the file's path as the tree names it: relative to the tree root for a tree from `loadTree` (`etc/security/limits.conf`) */
  readonly path: string;
  /** the bytes the change was planned from; null when the file is new */
  readonly before: Buffer | null;
  /** the complete new bytes of the file: write them as they are */
  readonly after: Buffer;
}

/** What {@link planEdits} plans: the files to write, what each request did, and what stands in its way. */
export interface EditPlan {
  /** changed files only, in the tree's order; empty when every request already holds */
  readonly changes: readonly FileChange[];
  /** one per request: changed or unchanged, and how */
  readonly notes: readonly ChangeNote[];
  readonly warnings: readonly string[];
  /** why a value would not take effect for some account (a stronger line, a kernel clamp…) */
  readonly blockers: readonly Blocker[];
  /** the tree as it would be after the changes */
  readonly after: ConfigTree;
}

const SET_KEYS = ['op', 'domain', 'item', 'value', 'type', 'mode', 'comment'] as const;
const UNSET_KEYS = ['op', 'domain', 'item', 'type'] as const;
const MODES = ['exact', 'at-least', 'at-most'] as const;
const TYPES = ['soft', 'hard', 'both'] as const;
const PLAN_OPTION_KEYS = ['file', 'accounts', 'pid1Limits', 'nrOpen', 'nrOpenSource', 'capSysResource', 'prune'] as const;

/**
 * Plan `set`/`unset` requests against a tree: the least change of bytes that makes each request
 * hold for pam_limits (the line that wins is edited in place, everything else kept byte for byte),
 * idempotent (planning the same requests on the result changes nothing). Pure: no I/O.
 *
 * Requests are text as a person types it (`domain: 'josé'` is written as UTF-8); contents are
 * bytes (Buffers). Source: pam_limits.c parse_config_file (Linux-PAM 1.1.8 … 1.7.2, per the
 * tree's release profile; docs/profiles.md).
 *
 * @param tree a tree from `loadTree`, or built by hand from `parseLimits` documents
 * @param requests `{ op: 'set', domain, item, value, type?, mode?, comment? }` or `{ op: 'unset', domain, item, type? }`;
 *   `type` is 'soft', 'hard' or 'both' (default: both halves); `mode` is 'exact' (default: the value
 *   as given, lowering too), 'at-least' (only raise: a higher value already there is kept) or
 *   'at-most' (only lower). Exactly these keys and values: anything else is refused.
 * @param options `file` (where a new line goes), `accounts` (to check who is affected), baseline limits
 * @throws LimitsError `EARGUMENT` when an argument has the wrong type or shape, an unknown key
 *   (named, with the closest known one) or a `type`/`mode` that is not one of the values above
 * @throws EditInputError `EEDIT` for a request pam_limits would refuse (unknown item, bad value,
 *   a domain with a control character…), `ETARGET` for a target in the wrong form
 */
export function planEdits(tree: ConfigTree, requests: readonly EditRequest[], options: PlanOptions = {}): EditPlan {
  const fn = 'planEdits';
  arg.tree(fn, 'tree', tree);
  arg.arr(fn, 'requests', requests);
  for (const [i, r] of requests.entries()) {
    const at = `requests[${i}]`;
    arg.obj(fn, at, r);
    if (r.op !== 'set' && r.op !== 'unset') throw arg.argumentError(fn, `${at}.op must be 'set' or 'unset'`);
    arg.keys(fn, at, r, r.op === 'set' ? SET_KEYS : UNSET_KEYS);
    arg.str(fn, `${at}.domain`, r.domain);
    arg.str(fn, `${at}.item`, r.item);
    if (r.op === 'set') {
      arg.str(fn, `${at}.value`, r.value);
      arg.optStr(fn, `${at}.comment`, r.comment);
      arg.optOneOf(fn, `${at}.mode`, r.mode, MODES);
    }
    arg.optOneOf(fn, `${at}.type`, r.type, TYPES);
  }
  const o = arg.opts(fn, 'options', options);
  arg.keys(fn, 'options', o, PLAN_OPTION_KEYS);
  arg.optStr(fn, 'options.file', o.file);
  arg.baseline(fn, o);
  arg.optStr(fn, 'options.nrOpenSource', o.nrOpenSource);
  arg.optBool(fn, 'options.capSysResource', o.capSysResource);
  arg.optStrings(fn, 'options.prune', o.prune);
  const accounts = o.accounts === undefined || o.accounts === null ? o.accounts : accountDbIn(fn, 'options.accounts', o.accounts as AccountDb);
  const plan = planCore(coreTree(tree), requests.map((r) => defined<CoreEditRequest>(r)), defined({ ...o, accounts } as PlanOptions));
  return {
    changes: plan.changes.map((ch) => ({
      path: ch.path,
      before: ch.before === null ? null : Buffer.from(ch.before, 'latin1'),
      after: Buffer.from(ch.after, 'latin1'),
    })),
    notes: plan.notes,
    warnings: plan.warnings,
    blockers: plan.blockers,
    after: plan.after,
  };
}

/** One file a plan given to {@link commitEdits} changes (an {@link EditPlan}'s changes fit). */
export interface CommitChange {
  /** relative to the tree root, '/'-separated */
  readonly path: string;
  /** the bytes planned from; null = a new file */
  readonly before: Uint8Array | null;
  /** the complete new bytes */
  readonly after: Uint8Array;
}

/** What a plan callback of {@link commitEdits} returns: the changes, plus anything else the caller wants back. */
export interface CommitPlan {
  readonly changes: readonly CommitChange[];
}

/** Options of {@link commitEdits} and {@link applyPlan}. */
export interface CommitOptions<P extends CommitPlan = EditPlan> {
  /** called with every plan before anything is written (dry runs too); throw to refuse (the error is passed on unchanged) */
  readonly check?: ((plan: P) => void) | undefined;
  /** plan and check only: nothing written, no lock taken */
  readonly dryRun?: boolean | undefined;
  /** keep the old content of each replaced file as `<name>.<UTC time>.bak` next to it */
  readonly backup?: boolean | undefined;
  /** a target with other hard links: 'refuse' (default; EHARDLINK) or 'split' (replace this name only) */
  readonly hardLinks?: 'refuse' | 'split' | undefined;
  /** how many times to plan under the lock when files keep changing underneath (default 3) */
  readonly maxAttempts?: number | undefined;
  /** how long to wait for the tree lock, in milliseconds (default 30 000) */
  readonly lockTimeoutMs?: number | undefined;
  /** told when taking the lock completed (or undid) a multi-file change a killed process left */
  readonly onRecovered?: ((report: RecoveryReport) => void) | undefined;
}

/** What {@link commitEdits} did. */
export interface CommitResult<P extends CommitPlan = EditPlan> {
  /** the plan that was written (or, for a dry run or a plan without changes, the one made) */
  readonly plan: P;
  /** the files written, in the plan's order; empty for a dry run or a plan without changes */
  readonly written: readonly CommittedFile[];
  /** how many times the change was planned under the lock (0 when the lock was not needed) */
  readonly attempts: number;
  /** a half-done change of a killed process that taking the lock completed or undid, else null */
  readonly recovered: RecoveryReport | null;
}

function checkOptions(fn: string, options: unknown): void {
  const o = arg.opts(fn, 'options', options);
  if (o.check !== undefined) arg.func(fn, 'options.check', o.check);
  if (o.onRecovered !== undefined) arg.func(fn, 'options.onRecovered', o.onRecovered);
  arg.optBool(fn, 'options.dryRun', o.dryRun);
  arg.optBool(fn, 'options.backup', o.backup);
  if (o.hardLinks !== undefined && o.hardLinks !== 'refuse' && o.hardLinks !== 'split') throw arg.argumentError(fn, "options.hardLinks must be 'refuse' or 'split'");
  if (o.maxAttempts !== undefined && (typeof o.maxAttempts !== 'number' || !Number.isInteger(o.maxAttempts) || o.maxAttempts < 1)) {
    throw arg.argumentError(fn, 'options.maxAttempts must be a whole number of at least 1');
  }
  if (o.lockTimeoutMs !== undefined && (typeof o.lockTimeoutMs !== 'number' || !(o.lockTimeoutMs >= 0))) {
    throw arg.argumentError(fn, 'options.lockTimeoutMs must be a number of milliseconds ≥ 0');
  }
}

/**
 * The edit transaction `set`, `apply`, `lint --fix` and the Ansible module use: `plan()` is called
 * and checked before any lock is taken (a refused plan creates nothing, not even the lock file),
 * then again under the tree lock `<root>/etc/security/.limitsctl.lock`, and every changed file is
 * written as one all-or-nothing commit, each compared with its `before` right before its atomic
 * rename; when another program changed one meanwhile, the tree is planned again (`maxAttempts`).
 * `plan` must read the tree afresh on every call and may be async. Guarantees: docs/editing.md.
 *
 * @param root the tree root: an absolute directory ("/" on the live system)
 * @param plan returns `{ changes: [{ path, before, after }] }` with paths relative to `root` and
 *   contents as bytes (a {@link planEdits} result fits as it is)
 * @throws LimitsError `EARGUMENT` when an argument has the wrong type or shape (nothing written)
 * @throws whatever `plan` or `check` throws, unchanged (nothing written)
 * @throws TreeRootError `EBADROOT`; ConcurrentModificationError `ECONFLICT` when files kept changing;
 *   LockTimeoutError `ELOCKTIMEOUT`; JournalError `EJOURNAL`; OutsideRootError `EOUTSIDEROOT`;
 *   LimitsIoError with the OS's code (`EACCES`, `EROFS`…) or `ENOTREG`, `EHARDLINK`, `EATTR`:
 *   nothing written.
 * @throws LimitsIoError `ETOOLARGE` when a file's new content (`after`) would be above the
 *   16 MiB limitsctl reads a limits file up to (MAX_LIMITS_FILE_BYTES): the message names the file,
 *   the size it would have and the cap (bytes); refused before the lock, dry runs included,
 *   nothing written. PartialWriteError `EPARTIAL`: the journal stays, the next locked run completes it.
 * @throws ProcessLimitError `EMFILE` when fewer file descriptors are free below the soft
 *   RLIMIT_NOFILE than the write needs (20 and one per changed file: src/io/descriptors.ts),
 *   refused before the lock file is created (a real run only); also when a read runs out.
 */
export async function commitEdits<P extends CommitPlan>(root: string, plan: () => P | Promise<P>, options: CommitOptions<P> = {}): Promise<CommitResult<P>> {
  const fn = 'commitEdits';
  arg.path(fn, 'root', root);
  arg.func(fn, 'plan', plan);
  checkOptions(fn, options);
  return await commit(fn, root, plan, options);
}

interface Planned<P> {
  readonly original: P;
  readonly changes: ReadonlyArray<{ readonly path: string; readonly before: string | null; readonly after: string }>;
}

async function commit<P extends CommitPlan>(fn: string, root: string, plan: () => P | Promise<P>, options: CommitOptions<P>, extra: Partial<CoreCommitOptions<Planned<P>>> = {}): Promise<CommitResult<P>> {
  const planned = async (): Promise<Planned<P>> => {
    const p = await plan();
    arg.obj(fn, 'the plan', p);
    arg.arr(fn, 'the plan.changes', p.changes);
    return {
      original: p,
      changes: p.changes.map((c, i) => {
        arg.obj(fn, `the plan.changes[${i}]`, c);
        arg.path(fn, `the plan.changes[${i}].path`, c.path);
        return { path: c.path, before: c.before === null ? null : arg.binary(fn, `the plan.changes[${i}].before`, c.before), after: arg.binary(fn, `the plan.changes[${i}].after`, c.after) };
      }),
    };
  };
  const { check, onRecovered, ...rest } = options;
  const r = await commitCore<Planned<P>>(root, planned, {
    ...defined<Omit<CoreCommitOptions<Planned<P>>, 'check' | 'onRecovered'>>(rest),
    ...(check !== undefined ? { check: (p: Planned<P>) => check(p.original) } : {}),
    ...(onRecovered !== undefined ? { onRecovered } : {}),
    ...extra,
  });
  if (options.dryRun === true) dryRunChecks(root, r.plan.changes);
  return { plan: r.plan.original, written: r.written, attempts: r.attempts, recovered: r.recovered };
}

/**
 * What a dry run checks, reading only (no lock, nothing created): the refusals the real run would
 * make from the tree as it is now — a bad root (`EBADROOT`), a path that leads outside the root
 * (`EOUTSIDEROOT`), a file whose bytes are not the plan's `before` (`ECONFLICT`: the real run
 * would re-plan a plan function, and refuse a plan object), a path behind a directory this uid
 * may not search (LimitsIoError `EACCES`/`EPERM`: its file is not missing, it cannot be seen).
 */
function dryRunChecks(root: string, changes: Planned<unknown>['changes']): void {
  checkRootPaths(root);
  const abs = path.resolve(root);
  for (const ch of changes) {
    const given = path.join(abs, ch.path);
    let resolved;
    try {
      resolved = resolveInRoot(abs, ch.path);
    } catch (e) {
      // a directory on the way this uid may not search (EACCES/EPERM): the real run cannot
      // inspect the path either, and says so in these words (io/write-paths.ts resolveInsideRoot)
      throw wrapIoError(e, 'stat', given, undefined, abs);
    }
    if (resolved.rel === '') throw OutsideRootError.write(given, abs, abs);
    const read = readFileInRoot(abs, ch.path, { maxBytes: Math.max(ch.before?.length ?? 0, 1) + 1 });
    const realPath = resolved.abs;
    if (!read.ok) {
      // larger than `before`: it differs (read no further)
      if (read.failure.kind === 'too-large') throw new ConcurrentModificationError(given, realPath, ch.before === null ? 'it was expected not to exist, but now it does' : 'its content differs');
      if (read.failure.kind !== 'missing') continue; // the writer reports it, with its own words
      if (ch.before !== null) throw new ConcurrentModificationError(given, realPath, 'it was deleted');
      continue;
    }
    if (ch.before === null) throw new ConcurrentModificationError(given, realPath, 'it was expected not to exist, but now it does');
    if (read.bytes.toString('latin1') !== ch.before) throw new ConcurrentModificationError(given, realPath, 'its content differs');
  }
}

/**
 * Write an {@link EditPlan} to the tree at `root` safely, with the transaction of {@link commitEdits}:
 * the tree lock, every file compared with the `before` it was planned from, atomic renames, all
 * files or none. Given a function, the plan is made again under the lock (and again when another
 * program changed a file meanwhile); given a plan, it is written once, and a file changed since it
 * was planned is a `ConcurrentModificationError` (`ECONFLICT`) with nothing written.
 *
 * @param root the tree root the plan's paths are relative to: an absolute directory
 * @param plan an {@link EditPlan}, or a function that plans afresh (e.g. `() => planEdits(loadTree(root), requests)`)
 * @returns what {@link commitEdits} returns: `{ plan, written, attempts, recovered }`
 * @throws as {@link commitEdits}
 */
export async function applyPlan(root: string, plan: EditPlan | (() => EditPlan | Promise<EditPlan>), options: CommitOptions<EditPlan> = {}): Promise<CommitResult<EditPlan>> {
  const fn = 'applyPlan';
  arg.path(fn, 'root', root);
  if (typeof plan !== 'function') arg.obj(fn, 'plan', plan);
  checkOptions(fn, options);
  if (typeof plan === 'function') return await commit(fn, root, plan, options);
  return await commit(fn, root, () => plan, { ...options, maxAttempts: 1 });
}
