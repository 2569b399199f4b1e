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
 * Pure.
 */
import type { Identity } from '../accounts.js';
import { parseDomain } from '../domain.js';
import type { ConfigTree, TreeFile } from '../model.js';
import { matchEntryDomain, matchNoLimitDomain } from '../resolve.js';
import type { Profile } from '../schema.js';
import type { WorkTree } from './work-tree.js';

export function reachTree(work: WorkTree, id: Identity, profile: Profile): ConfigTree {
  const tree = work.tree();
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
    const wf = f.doc ? work.file(f.path) : undefined;
    if (!f.doc || !wf) return f;
    return { ...f, doc: { file: f.doc.file, profile: f.doc.profile, text: wf.text, lines: wf.lines.reachable(matches) } };
  });
  return { ...tree, files };
}
