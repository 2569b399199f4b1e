/**
 * Shared by set / unset / apply: plan, refuse changes that would not take effect, write through
 * the one edit transaction (commitEdits, src/io/commit.ts: lock, re-plan, compare-and-swap,
 * retry), and report the result (diff, JSON with the effective values after).
 */
import path from 'node:path';
import { identityFor } from '../core/accounts.js';
import { type EditPlan, type EditRequest, planEdits, planOptionsFrom, type PlanOptions } from '../core/edit.js';
import { toBytes } from '../core/bytes.js';
import { documentBytes } from '../core/edit/lines.js';
import { outcomeItems, reachAfter } from '../core/edit/reach.js';
import { type JsDiff, quoteDiffPath, unifiedDiff } from '../core/edit/unified-diff.js';
import { escapeControls } from '../formatters/terminal.js';
import type { TextEdit } from '../core/text-edit.js';
import { binaryToDisplay } from '../core/model.js';
import { resolveLimits } from '../core/resolve.js';
import { canonicalProfile, itemForProfile, itemInfo } from '../core/schema.js';
import { effectiveJson } from '../formatters/effective.js';
import { JSON_VERSIONS } from '../formatters/json-versions.js';
import { loadAccountDb } from '../io/accounts.js';
import { resolveFrom } from '../io/cwd.js';
import type { LoadedTree } from '../io/tree.js';
import { type Context, loadBaseline, loadContextTree } from './context.js';
import { cliTerms, UsageError } from './errors.js';
import { type Colors, toJson } from './output.js';

export interface EditArgs {
  dryRun?: boolean;
  check?: boolean;
  backup?: boolean;
  force?: boolean;
  strict?: boolean;
  file?: string;
}

/**
 * Unified diff of a plan, with paths relative to the root (a/etc/security/limits.conf), 3 lines of
 * context: the text jsdiff's createTwoFilesPatch gives for the display text of each file, built
 * from the changed regions only (src/core/edit/unified-diff.ts). Also used by `set --unit`.
 */
export async function planDiff(plan: { readonly changes: readonly { readonly path: string; readonly before: string | null; readonly after: string; readonly edits?: readonly TextEdit[] }[] }): Promise<string> {
  if (plan.changes.length === 0) return '';
  const jsdiff = await import('diff');
  let out = '';
  for (const c of plan.changes) {
    // a plan's one edit spans the changed middle: the shared head and tail are known
    const e = c.edits?.length === 1 ? c.edits[0]! : undefined;
    const before = c.before ?? '';
    const known = e === undefined ? undefined : { head: e.offset, tail: before.length - e.offset - e.length };
    const patch = unifiedDiff(jsdiff as unknown as JsDiff, c.before === null ? '/dev/null' : quoteDiffPath(`a/${c.path}`), quoteDiffPath(`b/${c.path}`), before, c.after, 3, known);
    // jsdiff starts with an "Index"/separator line only for createPatch; keep the ---/+++ form
    out += patch.replace(/^=+\n/m, '');
  }
  return out;
}

export function colorDiff(diff: string, c: Colors): string {
  if (!c.enabled) return diff;
  return diff.split('\n').map((l) => (l.startsWith('+++') || l.startsWith('---') ? c.bold(l)
    : l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l)).join('\n');
}

function normalizeFileArg(ctx: Context, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const abs = path.resolve(ctx.root, file.startsWith('/') ? `.${file}` : file);
  const fromCwd = resolveFrom(ctx.io.cwd, file);
  // accept a path relative to the root, absolute within the root, or relative to the cwd inside the root
  const candidate = [abs, fromCwd].find((p) => p === ctx.root || p.startsWith(`${ctx.root === '/' ? '' : ctx.root}/`));
  if (!candidate) throw new UsageError(`--file ${file} is outside --root ${ctx.root}`);
  return path.relative(ctx.root, candidate).split(path.sep).join('/');
}

/** Plan, check, and (unless dry-run/check) write. Returns the exit code. */
export async function runEdit(ctx: Context, requests: readonly EditRequest[], args: EditArgs, extra: Partial<PlanOptions> = {}): Promise<number> {
  const io = ctx.io;
  const c = ctx.colors;
  const file = normalizeFileArg(ctx, args.file);
  const writing = !args.dryRun && !args.check;
  const db = loadAccountDb(ctx.root);
  const baseline = loadBaseline(ctx);
  // commitEdits plans once before the lock and again under it, from the files as they are then:
  // when every file reads the same, the plan is the same (planEdits is pure), so it is reused
  // instead of being made again from identical bytes.
  let last: { tree: LoadedTree; plan: EditPlan } | null = null;
  const planOnce = (): EditPlan => {
    // each file's bytes are kept next to its text: the load under the lock is compared by its bytes
    // (its text is never made when they are the same), and the write builds from them (io/commit.ts)
    // (a file that still holds the bytes of the first load is compared with them a piece at a
    // time, and those bytes are kept: no second copy of a large file, io/read.ts readFd)
    const tree = loadContextTree(ctx, undefined, true, last?.tree);
    if (last !== null && sameTree(last.tree, tree)) return last.plan;
    const plan = planFrom(tree);
    last = { tree, plan };
    return plan;
  };
  const planFrom = (tree: LoadedTree): EditPlan => {
    // bad input throws EditInputError (EEDIT, input; with its hint): main() reports it
    return planEdits(tree, requests, { ...planOptionsFrom(baseline, db.present ? db : null, file), ...extra });
  };

  // The one edit transaction (src/io/commit.ts): bad input, a change that would not take effect
  // and --strict warnings are refused before the lock is taken (a refused run creates nothing,
  // not even the lock file), and again under the lock before writing.
  const { commitEdits } = await import('../io/commit.js');
  const { plan, written } = await commitEdits(ctx.root, planOnce, {
    dryRun: !writing,
    check: (p) => {
      refuseIfBlocked(p, args, !writing);
      if (args.strict && p.warnings.length > 0) throw new UsageError(`${p.warnings.join('; ')} (--strict)`);
    },
    backup: args.backup === true,
    hardLinks: args.force === true ? 'split' : 'refuse',
    onRecovered: (r) => io.stderr(c.yellow(`${recoveryNote(r)}\n`)),
  });

  // the diff is shown by a dry run or --check, and is part of --json; a plain write does not print it
  const diff = ctx.json || !writing ? await planDiff(plan) : '';
  const changed = plan.changes.length > 0;
  // a file that makes pam_limits fail (or hang) before applying anything is still there after the
  // edit (e.g. `unset` on a tree with a FIFO drop-in): the edit is written, but applies nowhere
  const fatal = plan.after.failure;
  const warnings = [
    ...(ctx.profileWarning !== null ? [ctx.profileWarning] : []),
    ...(fatal ? [`${fatal.reason.startsWith(fatal.file) ? fatal.reason : `${fatal.file}: ${fatal.reason}`}; until that path is fixed, every session through pam_limits fails or hangs and none of these limits applies`] : []),
    ...plan.warnings,
  ];
  if (ctx.json) {
    io.stdout(`${toJson({
      version: JSON_VERSIONS.edit,
      changed,
      dryRun: !writing,
      files: plan.changes.map((ch) => ({ path: ch.path, created: ch.before === null, ...(written.find((w) => w.path === ch.path)?.backupPath ? { backup: written.find((w) => w.path === ch.path)!.backupPath } : {}) })),
      diff,
      changes: plan.notes.map((n) => ({ status: n.status, detail: n.detail, ...(n.note !== undefined ? { note: n.note } : {}) })),
      effective: effectiveAfter(ctx, plan, requests, db, baseline),
      blockers: plan.blockers.map((b) => ({ account: b.account, item: b.item, half: b.half, wanted: b.wanted, got: b.got, because: cliTerms(b.because) })),
      warnings,
    })}\n`);
  } else {
    printChanges((t) => io.stdout(t), c, plan.notes, diff, writing && changed ? written : [], writing, ctx.root);
    // a lowered value (`unlimited` -> 4096) is what was asked, but worth a word
    for (const n of plan.notes) if (n.note !== undefined) io.stderr(c.yellow(`note: ${n.note}\n`));
    for (const b of plan.blockers.filter((x) => !x.everyone)) {
      io.stderr(c.yellow(`note: ${b.account} keeps ${b.item} ${halfWord(b)}${b.got} (wanted ${b.wanted}): ${cliTerms(b.because)}\n`));
    }
    // the profile warning was printed by makeContext
    for (const w of warnings.filter((x) => x !== ctx.profileWarning)) io.stderr(c.yellow(`warning: ${w}\n`));
  }
  if (args.check && changed) return 1;
  return 0;
}

/**
 * The text every edit prints on stdout (set, unset, apply, and their --unit forms): each request's
 * status and detail, the coloured diff of a dry run, and the files written (new, or with their backup).
 */
export function printChanges(
  out: (text: string) => void, c: Colors, notes: ReadonlyArray<{ readonly status: string; readonly detail: string }>, diff: string,
  written: ReadonlyArray<{ readonly path: string; readonly created?: boolean; readonly backupPath?: string | null }>, writing: boolean, root: string,
): void {
  for (const n of notes) out(`${n.status === 'changed' ? c.green(writing ? 'changed' : 'would change') : c.dim('unchanged')}: ${n.detail}\n`);
  if (diff && !writing) out(colorDiff(diff, c));
  for (const w of written) out(c.dim(`wrote ${escapeControls(w.path)}${w.created ? ' (new file)' : ''}${w.backupPath ? `; backup ${escapeControls(path.relative(root, w.backupPath))}` : ''}\n`));
}

/**
 * True when two loads of a tree read the same: the same files in the same order with the same
 * status, errors and bytes, the same ignored files, failure and profile. Files loaded with their
 * bytes (loadTree's keepBytes) are compared by them, without making the text of the second.
 */
function sameTree(a: LoadedTree, b: LoadedTree): boolean {
  if (a.profile !== b.profile || a.files.length !== b.files.length) return false;
  const meta = (x: unknown) => JSON.stringify(x);
  if (meta([a.failure, a.ignored, a.unusable]) !== meta([b.failure, b.ignored, b.unusable])) return false;
  for (let i = 0; i < a.files.length; i++) {
    const f = a.files[i]!;
    const g = b.files[i]!;
    if (meta({ ...f, doc: null }) !== meta({ ...g, doc: null })) return false;
    if ((f.doc === null) !== (g.doc === null)) return false;
    if (f.doc === null || g.doc === null) continue;
    const fb = documentBytes(f.doc);
    const gb = documentBytes(g.doc);
    if (fb !== undefined && gb !== undefined ? !sameBytes(fb, gb) : f.doc.text !== g.doc.text) return false;
  }
  return true;
}

/** Whether two byte arrays hold the same bytes: at once when they are one memory (a file read again that still held them). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength) return true;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The note printed when taking the lock finished a change a killed run left half-done. */
export function recoveryNote(r: { outcome: 'forward' | 'back'; pid: number; files: readonly string[] }): string {
  return `note: a change of ${r.files.join(', ')} by limitsctl process ${r.pid} was interrupted; ` +
    (r.outcome === 'forward' ? 'it has now been completed' : 'it has now been undone (those files are as before it)');
}

/** `soft ` / `hard ` for an rlimit; nothing for items without halves (maxlogins, priority…). */
function halfWord(b: { item: string; half: 'soft' | 'hard' }): string {
  return itemInfo(b.item)?.rlimit === null ? '' : `${b.half} `;
}

function refuseIfBlocked(plan: EditPlan, args: EditArgs, dry = false): void {
  const hard = plan.blockers.filter((b) => b.everyone);
  if (hard.length === 0 || args.force) return;
  const lines = hard.map((b) => `  ${b.account}: ${b.item} ${halfWord(b)}would be ${b.got}, not ${b.wanted}: ${cliTerms(b.because)}`);
  // a change the release's pam_limits answers with PAM_PERM_DENIED locks users out: say so first
  const denies = hard.some((b) => b.denies === true);
  const what = denies ? 'deny every session it applies to' : 'not take effect';
  const hint = hard.every((b) => b.because.includes('for uid 0'))
    ? 'No line limits the logins of root; pass --force to write the line anyway.'
    : hard.some((b) => b.source !== null)
    ? 'Edit or remove the line named above, choose a file read later with --file, or pass --force to write it anyway.'
    : `Write the value named above instead${denies ? '' : ', or pass --force to write it anyway'}.`;
  throw new UsageError(`${dry ? 'this change would' : 'refusing: the change would'} ${what}:\n${lines.join('\n')}`, hint);
}

/** Effective values after the plan for the accounts the requests name (for --json). */
function effectiveAfter(
  ctx: Context, plan: EditPlan, requests: readonly EditRequest[], db: ReturnType<typeof loadAccountDb>, baseline: ReturnType<typeof loadBaseline>,
) {
  const out: Array<Record<string, unknown>> = [];
  const users = new Set<string>();
  for (const r of requests) if (!/^[@%*]/.test(r.domain) && !r.domain.includes(':')) users.add(toBytes(r.domain)); // requests are text, accounts bytes
  const profile = canonicalProfile(ctx.profile);
  for (const name of users) {
    const pw = db.users.find((u) => u.name === name);
    if (!pw) continue;
    const infos = requests.filter((r) => toBytes(r.domain) === name).map((r) => itemForProfile(r.item.toLowerCase(), profile)).filter((i) => i !== undefined);
    const items = new Set(infos.map((i) => i.name));
    // only the requested items' values, the result and the login limit are shown: resolve the
    // lines that can change them (core/edit/reach.ts), not every line of a large file
    const reads = infos.map((i) => outcomeItems(i, baseline.capSysResource));
    const id = identityFor(db, pw.name, pw.uid, pw.gid);
    const cut = reachAfter(plan.after, id, profile, reads.length === 0 || reads.includes(null) ? null : reads.flat() as string[]);
    const res = resolveLimits(cut, id, { profile, ...baseline, events: 'matched' });
    const full = effectiveJson(res);
    out.push({ user: binaryToDisplay(name), result: full.result, limits: Object.fromEntries(Object.entries(full.limits).filter(([k]) => items.has(k as never))) });
  }
  return out;
}
