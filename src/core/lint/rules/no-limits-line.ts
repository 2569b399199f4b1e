import { fieldsSpan, readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';

export const noLimitsLine: Rule = {
  code: 'LC205',
  name: 'no-limits-line',
  category: 'semantics',
  severity: 'warning',
  description: 'A two-field "<domain> -" line: for the accounts it matches pam_limits applies nothing at all; with *, % or %group it matches nobody.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, others } of readingIndex(ctx)) for (const r of others) {
      if (r.kind !== 'nolimit' || r.problem) continue;
      const d = r.domainSpec;
      const never = d.kind === 'wildcard' || d.kind === 'percent-all' || d.kind === 'percent-group';
      ctx.report({
        file,
        span: fieldsSpan(r),
        message: never
          ? `'${show(r.domain.raw)} -' does nothing: a "no limits" line never matches '*', '%' or '%group' (they work only on 4-field lines); remove it`
          : `"no limits" line: for every account '${show(r.domain.raw)}' matches, pam_limits stops reading here and applies no limits at all, not even those of earlier lines and files, and no maxlogins check. If unlimited values are meant, write them as '<domain> - <item> unlimited' lines`,
      });
    }
  },
};
