/**
 * The entry point: plan a list of requests against a tree, each seeing the result of the ones
 * before, then check the outcome and collect the changed files.
 *
 * Pure.
 */
import type { AccountDb } from '../accounts.js';
import { displayBytes, toBytes } from '../bytes.js';
import { parseDomain } from '../domain.js';
import type { ConfigTree } from '../model.js';
import { canonicalProfile, itemForProfile } from '../schema.js';
import type { TextEdit } from '../text-edit.js';
import { type Ctx, halvesOf } from './context.js';
import { checkOutcome } from './outcome.js';
import { commonPrefix, commonSuffix } from './unified-diff.js';
import { planSetOne } from './plan-set.js';
import { planPrune, planUnsetOne } from './plan-unset.js';
import { checkTargetPath, refuseUnreadFiles, refuseUnwritable } from './target.js';
import { type Blocker, EditInputError, type EditPlan, type EditRequest, type FileChange, type PlanOptions } from './types.js';
import { requestBytes, validateDomainText } from './validate.js';
import { WorkTree } from './work-tree.js';

/** Plan a list of requests against a tree; each sees the result of the ones before. */
export function planEdits(tree: ConfigTree, textRequests: readonly EditRequest[], textOptions: PlanOptions = {}): EditPlan {
  const profile = canonicalProfile(tree.profile);
  const work = new WorkTree(tree, profile);
  // The one conversion from text to bytes (bytes.ts); notes give back the caller's own request.
  if (!Array.isArray(textRequests)) throw new EditInputError(`planEdits takes an array of edit requests, got ${textRequests === null ? 'null' : typeof textRequests}`);
  const requests = textRequests.map(requestBytes);
  const original = new Map<EditRequest, EditRequest>(requests.map((r, i) => [r, textRequests[i]!]));
  const options: PlanOptions = textOptions.prune ? { ...textOptions, prune: textOptions.prune.map((d) => { validateDomainText(d); return toBytes(d); }) } : textOptions;
  const ctx: Ctx = { work, profile, options, notes: [], warnings: [] };
  if (options.file !== undefined) checkTargetPath(options.file);
  refuseUnreadFiles(tree);
  for (const req of requests) {
    if (req.op === 'set') planSetOne(ctx, req);
    else planUnsetOne(ctx, req);
  }
  if (options.prune && options.prune.length > 0) {
    const keep = new Set<string>();
    for (const r of requests) {
      if (r.op !== 'set') continue;
      const info = itemForProfile(r.item.toLowerCase(), profile);
      if (!info) continue;
      for (const h of halvesOf(r.type, info)) keep.add(`${r.domain}\0${info.name}\0${h}`);
    }
    planPrune(ctx, options.prune, keep);
  }
  const after = work.tree();
  const blockers: Blocker[] = [];
  for (const req of requests) if (req.op === 'set') checkOutcome(ctx, req, blockers);
  // unknown accounts
  const accounts = options.accounts;
  if (accounts && accounts.users.length > 0) {
    for (const req of requests) {
      const spec = parseDomain(req.domain);
      if (spec.kind === 'user' && !accounts.users.some((u) => u.name === req.domain)) ctx.warnings.push(`user '${displayBytes(req.domain)}' is not in the tree's etc/passwd`);
      if ((spec.kind === 'group' || spec.kind === 'percent-group') && !accounts.groups.some((g) => g.name === spec.group)) ctx.warnings.push(`group '${displayBytes(spec.group!)}' is not in the tree's etc/group`);
    }
  }
  const changes: FileChange[] = [];
  for (const f of work.files) {
    if (f.original === null && f.text === '') continue;
    // the edits say whether the text changed: they compare only what lies between the untouched
    // head and tail, not the whole of a large file a second time
    const edits = diffEdits(f.original ?? '', f.text, f.untouched);
    if (f.original !== null && edits.length === 0) continue;
    if (f.original === null) refuseUnwritable(tree, f.path);
    const change: FileChange = { path: f.path, before: f.original, after: f.text, edits };
    if (f.originalBytes !== undefined && f.original !== null && f.originalBytes.length === f.original.length) {
      Object.defineProperty(change, 'beforeBytes', { value: f.originalBytes, enumerable: false });
    }
    changes.push(change);
  }
  const notes = ctx.notes.map((n) => ({ ...n, request: original.get(n.request) ?? n.request }));
  return { changes, notes, warnings: [...new Set(ctx.warnings)], blockers, after };
}

/**
 * The PlanOptions a caller builds from a tree's baseline (src/io/system.ts loadBaseline: PID 1's
 * limits, fs.nr_open and where the sysctl configuration set it, CAP_SYS_RESOURCE), its accounts
 * (null when the tree has no etc/passwd) and the `--file` target: only the members that are set,
 * so an absent fact keeps planEdits' default. Used by the CLI (src/cli/editing.ts) and the fleet
 * planner (src/fleet/plan-host.ts).
 */
export function planOptionsFrom(
  baseline: Pick<PlanOptions, 'pid1Limits' | 'nrOpen' | 'nrOpenSource' | 'capSysResource'>,
  accounts: AccountDb | null, file?: string,
): PlanOptions {
  return {
    ...(file !== undefined ? { file } : {}),
    accounts,
    ...(baseline.pid1Limits !== undefined ? { pid1Limits: baseline.pid1Limits } : {}),
    ...(baseline.nrOpen !== undefined ? { nrOpen: baseline.nrOpen } : {}),
    ...(baseline.nrOpenSource !== undefined ? { nrOpenSource: baseline.nrOpenSource } : {}),
    ...(baseline.capSysResource !== undefined ? { capSysResource: baseline.capSysResource } : {}),
  };
}

/**
 * One edit covering the changed middle of two texts (for callers that want edits, not texts): the
 * longest common prefix and suffix, searched from the lengths `known` to be untouched.
 */
function diffEdits(before: string, after: string, known: { readonly head: number; readonly tail: number }): TextEdit[] {
  const s = commonPrefix(before, after, known.head);
  if (s === before.length && s === after.length) return [];
  const e = commonSuffix(before, after, Math.min(before.length, after.length) - s, known.tail);
  return [{ offset: s, length: before.length - s - e, content: after.slice(s, after.length - e) }];
}
