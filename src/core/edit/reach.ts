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
import type { ConfigTree, Line, TreeFile } from '../model.js';
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
 * With `latest`, also without the lines a later line of the cut overrides ({@link withoutOverridden}):
 * for the plan's checks, which read a resolution's slots, logins, result, `-` stop and failure,
 * never its events or the lines each slot beat.
 */
export function reachTree(work: WorkTree, id: Identity, profile: Profile, items: readonly string[] | null = null, latest = false): ConfigTree {
  const tree = cut(work.tree(), (f) => work.file(f.path)?.lines, id, profile, items);
  return latest ? withoutOverridden(tree) : tree;
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

/** A line this long may be read in pieces (1.5.2 reads 1023-byte chunks): never keyed. */
const LONG_LINE = 1000;

/**
 * The first three fields of the line text[start, end) — domain, type, item, as their bytes, joined
 * by NUL — when they are plain: only space and tab before and between them, and none of '#', NUL,
 * \v, \f, \r in them, on a line too short to be read in pieces. Both parser families then split
 * them alike (1.5.2's sscanf splits at isspace, 1.7's getline at space and tab), so two lines with
 * the same key read as the same domain, type and item (or, with fewer than four fields, as no entry
 * at all). Null otherwise, and for a line of fewer than three fields (a `<domain> -` line has two).
 */
function plainKey(text: string, start: number, end: number): string | null {
  if (end - start >= LONG_LINE) return null;
  let p = start;
  const from: number[] = [];
  for (let field = 0; field < 3; field++) {
    while (p < end && (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09)) p++;
    if (p >= end) return null;
    const f0 = p;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === 0x20 || c === 0x09) break;
      if (c === 0x23 || c === 0 || (c >= 0x0a && c <= 0x0d)) return null;
    }
    from.push(f0, p);
  }
  return `${text.slice(from[0], from[1])}\0${text.slice(from[2], from[3])}\0${text.slice(from[4], from[5])}`;
}

/**
 * The cut without each line that a later line of it overrides: a line whose plain key
 * ({@link plainKey}: the same domain, type and item bytes) is that of a later line which applies
 * (one entry reading, no problem: pam_limits applies it to a matching account), with only lines of
 * the same domain between them, each one plain entry (a line without a key — a possible
 * `<domain> -` line, a long line — or that is not one entry reading ends the run). Lines are walked from the last file's end, so
 * a dropped line is never parsed.
 *
 * Why the resolution reads the same (resolve.ts, after pam_limits.c process_limit): both lines
 * match the account alike (same domain) with the same rank r. A line sets a slot's half when the
 * slot's rank is not stronger than its own, and leaves the stronger of the two ranks; with the
 * earlier line or without it, the slot's rank is "not stronger than r" at every later line of rank
 * r alike, so every line in between (all of rank r) and the later one decide as they would have,
 * including a `-` line's hard half, which depends on its soft half's decision. The later line then
 * sets what the earlier one set (the slot's half, or the logins, priority, nonewprivs or chroot
 * value) and makes the same side effects of reading a line (the login group; maxlogins vs
 * maxsyslogins). What differs: the events, the order numbers, each slot's `beat`
 * list and per-line warnings — not read by the plan's checks. A tree with a fatal file is left as
 * it is (the reading stops there).
 */
export function withoutOverridden(tree: ConfigTree): ConfigTree {
  if (tree.files.some((f) => f.fatal)) return tree;
  // the keys of lines that apply later, all of one domain: a line of another domain in between
  // may rank above or below them, and a `-` line's hard half is set only when its soft half is
  // not outranked (resolve.ts): only lines of the same rank in between are known to decide alike
  const covered = new Set<string>();
  let coveredDomain: string | null = null;
  const files = tree.files.slice();
  for (let fi = files.length - 1; fi >= 0; fi--) {
    const f = files[fi]!;
    if (!f.doc) continue;
    const { text, lines } = f.doc;
    const kept: Line[] = [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      const key = plainKey(text, l.start, l.end);
      if (key !== null && covered.has(key)) continue;
      kept.push(l);
      const rs = l.readings;
      const r = rs.length === 1 ? rs[0]! : null;
      if (key === null || r === null || r.kind !== 'entry') { covered.clear(); coveredDomain = null; continue; }
      const domain = key.slice(0, key.indexOf('\0'));
      if (domain !== coveredDomain) { covered.clear(); coveredDomain = domain; }
      if (r.problem === null && r.itemInfo !== null && r.parsedValue !== null && `${r.domain.raw}\0${r.type.raw}\0${r.item.raw}` === key) covered.add(key);
    }
    if (kept.length === lines.length) continue;
    kept.reverse();
    files[fi] = { ...f, doc: { file: f.doc.file, profile: f.doc.profile, text, lines: kept } };
  }
  return { ...tree, files };
}
