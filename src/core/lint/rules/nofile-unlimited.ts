import { readingIndex, show } from '../helpers.js';
import { PROFILE_TRAITS, RLIM_INFINITY } from '../../schema.js';
import type { Rule } from '../types.js';

export const nofileUnlimited: Rule = {
  code: 'LC208',
  name: 'nofile-unlimited',
  category: 'semantics',
  severity: 'info',
  description: 'nofile unlimited: file descriptors cannot be unlimited; pam_limits 1.5.2 and later (and RHEL 8.6+/9 backports) substitute fs.nr_open.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the valid entries of the items whose values rules check (FileReadings.valued)
    for (const { file, valued } of readingIndex(ctx)) for (const r of valued) {
      if (r.kind !== 'entry' || r.problem || r.itemInfo?.name !== 'nofile' || r.parsedValue?.kernel !== RLIM_INFINITY) continue;
      // before 1.5.2 there is no substitution: LC207 reports the refused RLIM_INFINITY instead
      if (PROFILE_TRAITS[ctx.profile].nofileUnlimited !== 'nr-open') continue;
      ctx.report({
        file,
        span: r.value,
        message: `nofile cannot be unlimited: pam_limits replaces '${show(r.value.raw)}' by fs.nr_open (${ctx.nrOpen} on this tree) when the session starts; write ${ctx.nrOpen} to say what is applied`,
      });
    }
  },
};
