import { readingIndex, show } from '../helpers.js';
import { PROFILE_TRAITS, profileInfo, RLIM_INFINITY } from '../../schema.js';
import type { Rule } from '../types.js';

export const nofileAboveNrOpen: Rule = {
  code: 'LC207',
  name: 'nofile-above-nr-open',
  category: 'semantics',
  severity: 'error',
  description: 'A nofile value above fs.nr_open, or nofile unlimited where pam_limits predates 1.5.2: the kernel refuses it (upstream denies the login, Debian silently keeps the old limits).',
  fixable: false,
  scope: 'file',
  check(ctx) {
    const n = ctx.nrOpen;
    // fs.nr_open from the tree's sysctl configuration (no /proc snapshot): say which line set it
    const nShown = ctx.nrOpenSource ? `${n}, set at ${ctx.nrOpenSource}` : `${n}`;
    // the valid entries of the items whose values rules check (FileReadings.valued)
    for (const { file, valued } of readingIndex(ctx)) for (const r of valued) {
      if (r.kind !== 'entry' || r.problem || r.itemInfo?.name !== 'nofile') continue;
      const v = r.parsedValue?.kernel;
      const traits = PROFILE_TRAITS[ctx.profile];
      // before Linux-PAM 1.5.2 (3234488f) nofile unlimited is RLIM_INFINITY itself: above any fs.nr_open
      const asInfinity = v === RLIM_INFINITY && traits.nofileUnlimited === 'infinity';
      if (v === null || v === undefined || (v === RLIM_INFINITY && !asInfinity) || v <= n) continue;
      const hard = r.limitType === 'hard' || r.limitType === '-';
      const effect = traits.epermNotFatal
        ? "Debian's pam_limits ignores the error and silently keeps the previous nofile limits"
        : 'setrlimit fails and pam_limits denies the login (PAM_PERM_DENIED)';
      // a soft-only unlimited is lowered to the hard limit before setrlimit (setup_limits: rlim_cur > rlim_max): never refused
      if (asInfinity && !hard) continue;
      if (asInfinity) {
        const title = profileInfo(ctx.profile).title;
        ctx.report({
          file,
          span: r.value,
          message: `nofile ${show(r.value.raw)} is RLIM_INFINITY on ${title} (pam_limits turns it into fs.nr_open only from Linux-PAM 1.5.2): the kernel refuses it, so ${effect}${traits.epermNotFatal ? '' : ' — every session this line applies to'}. Write ${n} instead`,
        });
        continue;
      }
      ctx.report({
        file,
        span: r.value,
        message: hard
          ? `nofile ${show(r.value.raw)} is above fs.nr_open (${nShown}): the kernel refuses a hard limit that high, so ${effect}. Use at most ${n}, or raise fs.nr_open with sysctl before login`
          : `soft nofile ${show(r.value.raw)} is above fs.nr_open (${nShown}): no hard limit can be that high, so pam_limits lowers it to the hard limit. Use at most ${n}`,
      });
    }
  },
};
