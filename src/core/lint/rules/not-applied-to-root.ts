import type { EntryRef } from '../analysis.js';
import { fieldsSpan, show } from '../helpers.js';
import { matchEntryDomain } from '../../resolve.js';
import { FALLBACK_PROFILE, PROFILE_TRAITS } from '../../schema.js';
import type { Rule } from '../types.js';

const NOT_FOR_ROOT = new Set(['wildcard', 'group', 'gid', 'gid-range', 'percent-group', 'percent-gid', 'percent-all']);

export const notAppliedToRoot: Rule = {
  code: 'LC206',
  name: 'not-applied-to-root',
  category: 'semantics',
  severity: 'info',
  description: "Debian: a *, @group or % line for an item no line sets for root: Debian's pam_limits does not apply such lines to uid 0.",
  fixable: false,
  check(ctx) {
    if (!PROFILE_TRAITS[ctx.profile].rootExempt || ctx.tree.failure) return;
    const dead = ctx.analysis.deadFlags();
    const forRoot = (e: EntryRef) => !e.reading.problem && NOT_FOR_ROOT.has(e.reading.domainSpec.kind);
    for (const key of ctx.analysis.itemKeys()) {
      if (key === 'logins') continue; // root's logins are never counted anyway
      // the item's own entries (Analysis.itemEntries), not a walk of every line per item
      const lines = ctx.analysis.itemEntries(key);
      if (!lines.some(forRoot)) continue;
      const ia = ctx.analysis.item(key);
      const root = ia.outcomes.find((o) => o.account.identity.uid === 0 && o.account.identity.name === 'root');
      if (!root || !root.applied || root.soft.source || root.hard.source) continue;
      for (const e of lines) {
        if (!forRoot(e) || dead[e.order] === 1) continue;
        // a group line matters only if root is in that group (as upstream pam_limits would match it)
        if (e.reading.domainSpec.kind !== 'wildcard' && !matchEntryDomain(e.reading.domainSpec, root.account.identity, FALLBACK_PROFILE)) continue;
        ctx.report({
          file: e.file,
          span: fieldsSpan(e.reading),
          message: `Debian's pam_limits does not apply '${show(e.reading.domain.raw)}' lines to root (uid 0), and no line sets ${key} for root: root keeps the starting value (PID 1's limit). Add a 'root' line if root should get this limit too`,
        });
      }
    }
  },
};
