import type { Analysis, ItemKey } from '../analysis.js';
import { fieldsSpan, show } from '../helpers.js';
import { matchEntryDomain } from '../../resolve.js';
import { entryRaw } from '../../parse.js';
import type { Identity } from '../../accounts.js';
import { FALLBACK_PROFILE, PROFILE_TRAITS } from '../../schema.js';
import type { Rule } from '../types.js';

const NOT_FOR_ROOT = new Set(['wildcard', 'group', 'gid', 'gid-range', 'percent-group', 'percent-gid', 'percent-all']);

/**
 * Per target (its Analysis), worked out once for every file: which domain ids (Analysis.columns)
 * are of a kind Debian does not apply to root, and per item id, root's identity when no line sets
 * the item for root (null: some line does, or no finding for that item); the items are resolved
 * only when one of their lines is of such a kind, as the tree-wide check did.
 */
interface RootFacts {
  readonly notForRoot: Uint8Array;
  /** per item id: undefined = not worked out yet */
  readonly rootUnset: Array<Identity | null | undefined>;
  /** per item id: 1 when a valid line of the item has a domain of notForRoot */
  readonly hasLine: Uint8Array;
  /** Analysis.itemKeys(), by item id */
  readonly keys: readonly ItemKey[];
}

const facts = new WeakMap<Analysis, RootFacts>();

function factsOf(an: Analysis): RootFacts {
  let f = facts.get(an);
  if (!f) {
    const { domainSpecs, domain, item, valid } = an.columns;
    const notForRoot = new Uint8Array(domainSpecs.length);
    for (let d = 0; d < domainSpecs.length; d++) if (NOT_FOR_ROOT.has(domainSpecs[d]!.kind)) notForRoot[d] = 1;
    const keys = an.itemKeys();
    const hasLine = new Uint8Array(keys.length);
    for (let i = 0; i < item.length; i++) if (item[i]! >= 0 && valid[i] === 1 && notForRoot[domain[i]!] === 1) hasLine[item[i]!] = 1;
    f = { notForRoot, rootUnset: new Array(keys.length), hasLine, keys };
    facts.set(an, f);
  }
  return f;
}

/** Root's identity when no line sets item `id` for root (root keeps its starting value), else null. */
function rootUnset(an: Analysis, f: RootFacts, id: number): Identity | null {
  let r = f.rootUnset[id];
  if (r === undefined) {
    r = null;
    const key = f.keys[id]!;
    // root's logins are never counted anyway
    if (key !== 'logins' && f.hasLine[id] === 1) {
      // root's class only (outcomes would resolve every class of the item)
      const ia = an.item(key);
      const i = ia.accounts.findIndex((c) => c.identity.uid === 0 && c.identity.name === 'root');
      const root = i >= 0 ? ia.outcomeAt(i) : undefined;
      if (root && root.applied && !root.soft.source && !root.hard.source) r = root.account.identity;
    }
    f.rootUnset[id] = r;
  }
  return r;
}

export const notAppliedToRoot: Rule = {
  code: 'LC206',
  name: 'not-applied-to-root',
  category: 'semantics',
  severity: 'info',
  description: "Debian: a *, @group or % line for an item no line sets for root: Debian's pam_limits does not apply such lines to uid 0.",
  fixable: false,
  scope: 'file',
  check(ctx) {
    if (!PROFILE_TRAITS[ctx.profile].rootExempt || ctx.tree.failure) return;
    const an = ctx.analysis;
    const dead = an.deadFlags();
    const f = factsOf(an);
    const { domain, item, valid } = an.columns;
    for (const { file } of ctx.docs) {
      const range = an.entryRange(file);
      if (!range) continue;
      // the file's entries by their columns: an entry object is read only for a finding
      for (let i = range.lo; i < range.hi; i++) {
        const id = item[i]!;
        if (id < 0 || valid[i] === 0 || f.notForRoot[domain[i]!] === 0) continue;
        const root = rootUnset(an, f, id);
        if (root === null) continue;
        if (dead[an.orderAt(i)] === 1) continue;
        const r = an.readingAt(i);
        const spec = r.domainSpec;
        // a group line matters only if root is in that group (as upstream pam_limits would match it)
        if (spec.kind !== 'wildcard' && !matchEntryDomain(spec, root, FALLBACK_PROFILE)) continue;
        ctx.report({
          file: an.fileAt(i),
          span: fieldsSpan(r),
          message: `Debian's pam_limits does not apply '${show(entryRaw(r, 0))}' lines to root (uid 0), and no line sets ${f.keys[id]!} for root: root keeps the starting value (PID 1's limit). Add a 'root' line if root should get this limit too`,
        });
      }
    }
  },
};
