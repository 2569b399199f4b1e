import { describeWho } from '../analysis.js';
import { at, show } from '../helpers.js';
import { itemInfo, RANK_NAMES } from '../../schema.js';
import type { Rule } from '../types.js';

export const hardHalfSkipped: Rule = {
  code: 'LC204',
  name: 'hard-half-skipped',
  category: 'semantics',
  severity: 'warning',
  description: 'A "-" line whose soft half is outranked for some account: pam_limits then returns before the hard half, so the hard value is not applied (the "-" short-circuit).',
  fixable: false,
  check(ctx) {
    if (ctx.tree.failure) return;
    const dead = ctx.analysis.deadFlags();
    for (const key of ctx.analysis.itemKeys()) {
      const info = itemInfo(key);
      if (!info || info.rlimit === null) continue;
      const ia = ctx.analysis.item(key);
      for (const [i, s] of ia.shortCircuit) {
        // by position first: the entry's object is made only for a finding
        if (dead[ia.orderAt(i)] === 1 || (ia.exhaustive && !ia.won[i])) continue;
        const accounts = ctx.analysis.witnesses(s.accounts);
        if (accounts.length === 0) continue;
        const ref = ia.refAt(i);
        const by = s.by ? ` by ${at(s.by)} ('${show(s.by.domain)}', rank ${RANK_NAMES[s.by.rank]})` : '';
        const byRef = s.byRef ?? undefined;
        ctx.report({
          file: ref.file,
          span: ref.reading.type,
          message: `for ${describeWho(ia, ref.reading.domainSpec, accounts, ctx.profile)} the soft half of this '-' line is outranked${by}, and pam_limits then stops without looking at the hard half: hard ${key} ${show(ref.reading.value.raw)} is not applied to them. Write separate 'soft' and 'hard' lines`,
          ...(byRef ? { related: [{ file: byRef.file, span: byRef.reading.value, message: 'holds the soft value' }] } : {}),
        });
      }
    }
  },
};
