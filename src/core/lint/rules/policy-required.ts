import type { EntryReading } from '../../model.js';
import type { PolicyEntry } from '../policy.js';
import type { Rule } from '../types.js';

function satisfies(r: EntryReading, e: PolicyEntry): boolean {
  if (r.problem || !r.itemInfo || r.itemInfo.name !== e.item.name || r.domain.raw !== e.domain.text) return false;
  if (e.item.typeChecked && r.limitType !== e.type && r.limitType !== '-') return false;
  if (!e.value) return true;
  const v = r.parsedValue;
  if (!v) return false;
  return e.item.rlimit !== null ? v.kernel === e.value.kernel : v.number === e.value.number && (v.path ?? '') === (e.value.path ?? '');
}

export const policyRequired: Rule = {
  code: 'LC403',
  name: 'policy-required',
  category: 'policy',
  severity: 'error',
  description: 'An entry the settings file requires ([policy] require[] = <domain> <type> <item> [<value>]) is missing.',
  fixable: false,
  check(ctx) {
    const first = ctx.tree.files[0];
    if (!first) return;
    let entries: EntryReading[] | undefined;
    for (const e of ctx.policy.entries) {
      if (e.kind !== 'require') continue;
      if (!entries) {
        const an = ctx.analysis;
        entries = new Array<EntryReading>(an.count);
        for (let i = 0; i < entries.length; i++) entries[i] = an.readingAt(i);
      }
      const ok = e.type === '-' && e.item.typeChecked
        ? entries.some((r) => satisfies(r, e)) || (entries.some((r) => r.limitType === 'soft' && satisfies(r, { ...e, type: 'soft' })) && entries.some((r) => r.limitType === 'hard' && satisfies(r, { ...e, type: 'hard' })))
        : entries.some((r) => satisfies(r, e));
      if (ok) continue;
      ctx.report({
        file: first,
        message: `the policy 'require[] = ${e.text}' (${e.origin}) asks for an entry '${e.text}', and no file has one; add it`,
      });
    }
  },
};
