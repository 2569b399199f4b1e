/**
 * The tree a plan holds now, cut for one account: each file keeps only the lines whose domain can
 * match that account (or whose `<domain> -` can stop its reading), so resolving a 100,000-line
 * file for `benchuser` reads the `*` lines and benchuser's own, not every line.
 *
 * resolveLimits gives the same values, sources, `-` stops, failures and result on the cut tree as
 * on the whole one: a line whose domain does not match is skipped there without effect (only its
 * unmatched event and its place in `order` are lost, which is why the cut tree is for the plan's
 * checks, resolved with `events: 'matched'`, and never handed out as the plan's `after`).
 *
 * The cut can also leave out the lines of items the caller does not read ({@link outcomeItems}):
 * a line of another item sets only that item's slot, so every slot, the login limit, the `-`
 * stop, the failure and the result read the same.
 *
 * Pure.
 */
import type { Identity } from '../accounts.js';
import { parseDomain } from '../domain.js';
import type { ConfigTree, TreeFile } from '../model.js';
import { matchEntryDomain, matchNoLimitDomain } from '../resolve.js';
import type { ItemInfo, Profile } from '../schema.js';
import { type FileLines, itemPattern, linesOf } from './lines.js';
import type { WorkTree } from './work-tree.js';

/**
 * The items whose lines can change what the plan's checks read of a resolution for `info`
 * (outcome.ts checkOutcome; plan-set.ts --at-least/--at-most): its value, clamp and EPERM, the
 * result (PAM_SUCCESS or not) and the login limit that denies a session. That is the item itself;
 * maxlogins and maxsyslogins (a limit of 0 denies the session); nofile (a hard limit above
 * fs.nr_open makes setrlimit fail, which Linux-PAM answers with PAM_PERM_DENIED); and when the
 * session's process lacks CAP_SYS_RESOURCE (`capSysResource` false) every rlimit, since raising
 * any hard limit fails then — null, no cut by item, in that case. Sources: pam_limits.c
 * setup_limits() and check_logins() in Linux-PAM 1.5.2 and 1.7.2; resolve.ts follows them.
 */
export function outcomeItems(info: ItemInfo, capSysResource: boolean | undefined): string[] | null {
  return capSysResource === false ? null : [info.name, 'maxlogins', 'maxsyslogins', 'nofile'];
}

/**
 * The tree cut for account `id`: the lines whose domain can match it, and with `items` only those
 * of the named items (plus every line that may be a `<domain> -` line or is too long to be sure).
 */
export function reachTree(work: WorkTree, id: Identity, profile: Profile, items: readonly string[] | null = null): ConfigTree {
  return cut(work.tree(), (f) => work.file(f.path)?.lines, id, profile, items);
}

/**
 * The same cut of a plan's `after` tree (a tree planEdits returned, or any tree): the lines of a
 * file the plan edited are the ones it already indexed; other files are indexed once and kept
 * with their document. For --json's effective values after an edit, which read only the
 * requested items' slots, the result and the login limit (src/cli/editing.ts).
 */
export function reachAfter(tree: ConfigTree, id: Identity, profile: Profile, items: readonly string[] | null): ConfigTree {
  return cut(tree, (f) => (f.doc ? linesOf(f.doc) : undefined), id, profile, items);
}

function cut(tree: ConfigTree, lines: (f: TreeFile) => FileLines | undefined, id: Identity, profile: Profile, items: readonly string[] | null): ConfigTree {
  const pattern = items === null ? null : itemPattern(items);
  const memo = new Map<string, boolean>();
  const matches = (domain: string): boolean => {
    let m = memo.get(domain);
    if (m === undefined) {
      const spec = parseDomain(domain);
      m = spec.kind !== 'invalid' && (matchEntryDomain(spec, id, profile) !== null || matchNoLimitDomain(spec, id));
      memo.set(domain, m);
    }
    return m;
  };
  const files = tree.files.map((f): TreeFile => {
    const fl = f.doc ? lines(f) : undefined;
    if (!f.doc || !fl) return f;
    return { ...f, doc: { file: f.doc.file, profile: f.doc.profile, text: fl.text, lines: fl.reachable(matches, pattern) } };
  });
  return { ...tree, files };
}
