import { describeWho } from '../analysis.js';
import { at, show } from '../helpers.js';
import { itemInfo, RLIM_INFINITY } from '../../schema.js';
import { kernelToConf } from '../../values.js';
import type { Rule } from '../types.js';

export const softAboveHard: Rule = {
  code: 'LC201',
  name: 'soft-above-hard',
  category: 'semantics',
  severity: 'warning',
  description: 'For some account the soft limit that wins is above the hard limit that wins: pam_limits lowers soft to hard at login.',
  fixable: false,
  check(ctx) {
    if (ctx.tree.failure) return;
    for (const key of ctx.analysis.itemKeys()) {
      const info = itemInfo(key);
      if (!info || info.rlimit === null) continue;
      const ia = ctx.analysis.item(key);
      for (const c of ia.clamps.values()) {
        const accounts = ctx.analysis.witnesses(c.accounts);
        if (accounts.length === 0) continue;
        const soft = ctx.analysis.refOf(c.soft);
        const hard = ctx.analysis.refOf(c.hard);
        if (!soft || !hard) continue;
        const conf = (v: bigint) => (v === RLIM_INFINITY ? 'unlimited' : String(kernelToConf(info, v)));
        const softWritten = show(soft.reading.value.raw);
        const softVal = conf(c.softValue);
        ctx.report({
          file: soft.file,
          span: soft.reading.value,
          message: `soft ${key} ${softWritten}${softVal !== softWritten.toLowerCase() ? ` (= ${softVal})` : ''} is above the hard limit ${conf(c.hardValue)} set by ${at(c.hard)} for ${describeWho(ia, soft.reading.domainSpec, accounts, ctx.profile)}: pam_limits lowers soft to ${conf(c.hardValue)} at login. Lower the soft value or raise the hard one`,
          related: [{ file: hard.file, span: hard.reading.value, message: `hard ${key} ${show(hard.reading.value.raw)} set here` }],
        });
      }
    }
  },
};
