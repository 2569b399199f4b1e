import { readingIndex, show } from '../helpers.js';
import { kernelToConf } from '../../values.js';
import { PROFILE_TRAITS, RLIM_INFINITY, type RlimitItem } from '../../schema.js';
import type { Rule } from '../types.js';

/**
 * LC211: a tree whose PID 1 lacks CAP_SYS_RESOURCE (proc/1/status: a container started with
 * Docker's default capabilities) cannot raise a hard limit above the one it starts with
 * (proc/1/limits): setrlimit(2) fails with EPERM (capabilities(7)); upstream pam_limits then
 * denies the session (setup_limits, every release), Debian's 032 patch ignores the error.
 */
export const hardAboveStart: Rule = {
  code: 'LC211',
  name: 'hard-above-start',
  category: 'semantics',
  severity: 'error',
  description: 'A hard limit above the one the system starts with, where PID 1 lacks CAP_SYS_RESOURCE (a container): setrlimit fails with EPERM (upstream denies the login, Debian keeps the old limit).',
  fixable: false,
  scope: 'file',
  check(ctx) {
    if (ctx.capSysResource !== false || !ctx.startingLimits) return;
    const traits = PROFILE_TRAITS[ctx.profile];
    for (const { file, entries } of readingIndex(ctx)) for (const r of entries) {
      if (r.kind !== 'entry' || r.problem || !r.itemInfo || r.itemInfo.rlimit === null || !r.parsedValue) continue;
      if (r.limitType !== 'hard' && r.limitType !== '-') continue;
      const item = r.itemInfo.name as RlimitItem;
      const start = ctx.startingLimits[item]?.hard;
      let v = r.parsedValue.kernel;
      if (start === undefined || v === null || v === undefined) continue;
      if (item === 'nofile' && v === RLIM_INFINITY && traits.nofileUnlimited === 'nr-open') v = ctx.nrOpen;
      if (v <= start) continue;
      const effect = traits.epermNotFatal
        ? `Debian's pam_limits ignores the error and keeps the previous ${item} limits`
        : 'pam_limits denies the login (PAM_PERM_DENIED)';
      const startText = kernelToConf(r.itemInfo, start);
      ctx.report({
        file,
        span: r.value,
        message: `hard ${item} ${show(r.value.raw)} is above the hard limit the system starts with (${startText}, proc/1/limits), and PID 1 lacks CAP_SYS_RESOURCE (proc/1/status): setrlimit fails with EPERM, so ${effect}. Use at most ${startText}, or give the container CAP_SYS_RESOURCE`,
      });
    }
  },
};
