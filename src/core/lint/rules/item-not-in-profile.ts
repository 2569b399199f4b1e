import { ownerIn, readingIndex, show } from '../helpers.js';
import { itemInfo, profileInfo } from '../../schema.js';
import type { Rule } from '../types.js';

const WHY: Record<string, string> = {
  rttime: 'rttime exists only since Linux-PAM 1.7.1 (d09b8939)',
  nonewprivs: 'nonewprivs exists only since Linux-PAM 1.5.0 (dd9cf929): not in RHEL 7 or 8, Debian 10 or 11, Ubuntu 20.04 or 22.04',
  chroot: "chroot exists only in Debian's and Ubuntu's patched pam_limits",
};

export const itemNotInProfile: Rule = {
  code: 'LC102',
  name: 'item-not-in-profile',
  category: 'dialect',
  severity: 'error',
  description: 'An item the selected pam_limits release does not know (nonewprivs before 1.5.0, rttime before 1.7.1, chroot outside Debian and Ubuntu): the line is skipped.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the entries pam_limits skips (FileReadings.skipped)
    for (const fr of readingIndex(ctx)) for (const r of fr.skipped) {
      const file = fr.file;
      if (r.problem?.code !== 'unknown-item' || ownerIn(fr, r, true) !== 'problem') continue;
      const known = itemInfo(r.itemText);
      if (!known) continue;
      ctx.report({
        file,
        span: r.item,
        message: `pam_limits (${ctx.profile}: ${profileInfo(ctx.profile).package}) does not know '${show(r.item.raw)}' and skips this line: ${WHY[known.name] ?? `${known.name} is known only to ${known.profiles.join(', ')}`}. Remove the line, or lint with the profile of the hosts that use it (--profile ${known.profiles[0]!})`,
      });
    }
  },
};
