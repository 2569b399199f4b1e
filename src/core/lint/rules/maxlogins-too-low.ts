import { readingIndex, show } from '../helpers.js';
import { PROFILE_TRAITS, profileInfo } from '../../schema.js';
import type { Rule } from '../types.js';

export const maxloginsTooLow: Rule = {
  code: 'LC210',
  name: 'maxlogins-too-low',
  category: 'semantics',
  severity: 'warning',
  description: 'maxlogins or maxsyslogins of 0 (every login refused) or 1 (a second session refused; not enforced by 1.7 with logind).',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the valid entries of the items whose values rules check (FileReadings.valued)
    for (const { file, valued } of readingIndex(ctx)) for (const r of valued) {
      if (r.kind !== 'entry' || r.problem || !r.parsedValue) continue;
      const item = r.itemInfo?.name;
      if (item !== 'maxlogins' && item !== 'maxsyslogins') continue;
      const v = r.parsedValue.number;
      if (v !== 0n && v !== 1n) continue;
      const who = item === 'maxsyslogins' ? 'while any other session is open on the system' : `for '${show(r.domain.raw)}'`;
      ctx.report({
        file,
        span: r.value,
        message: v === 0n
          ? `${item} 0 refuses every login ${item === 'maxsyslogins' ? '' : `of '${show(r.domain.raw)}' `}(root excepted): pam_limits returns PAM_PERM_DENIED. Remove the line if logins should be allowed`
          : PROFILE_TRAITS[ctx.profile].maxlogins === 'logind'
            ? `${item} 1 is not enforced by ${profileInfo(ctx.profile).title}'s pam_limits${profileInfo(ctx.profile).unsure.includes('maxlogins') ? ' where it is built with systemd-logind' : ''}: it counts sessions through logind, logs "Maxlogin limit needs to be 2 or higher" and lets every session in (Linux-PAM 1.7.0, f5db2603). Use 2 or more`
            : `${item} 1 refuses a second session ${who} (another terminal, su, an SSH login next to a desktop session), and Linux-PAM 1.7 built with logind does not enforce 1 at all ("needs to be 2 or higher"). Use 2 or more`,
      });
    }
  },
};
