import type { Rule } from '../types.js';

const LEFTOVER = /(\.rpmnew|\.rpmsave|\.rpmorig|\.dpkg-[a-z]+|\.ucf-[a-z]+|\.orig|\.bak|\.old|\.save|~)$/;
const TEMP = /^\..*\.limitsctl-\d+-[0-9a-f]+\.tmp$/;

export const ignoredFile: Rule = {
  code: 'LC301',
  name: 'ignored-file',
  category: 'files',
  severity: 'warning',
  description: 'A file in limits.d that pam_limits never reads (not ending in .conf, hidden, in a subdirectory), a directory named *.conf, or a file named to lint inside an etc/security layout that pam_limits never reads (namespace.init, limits.conf.rpmnew): reported, never linted or fixed as a limits file.',
  fixable: false,
  check(ctx) {
    for (const g of ctx.tree.ignored) {
      const base = g.path.slice(g.path.lastIndexOf('/') + 1);
      if (TEMP.test(base)) continue; // a write in progress
      let message: string;
      switch (g.reason) {
        case 'suffix':
          message = `pam_limits never reads this file: only names ending exactly in '.conf' are read from limits.d${LEFTOVER.test(base) ? ' (a backup or a package manager leftover? merge what it should change, then remove it)' : '; rename it to end in .conf if it should apply'}`;
          break;
        case 'hidden':
          message = "pam_limits never reads hidden files (names starting with '.') in limits.d; rename it if it should apply";
          break;
        case 'subdirectory':
          message = 'limits.d is not searched recursively: nothing in this directory is read; move the files up into limits.d';
          break;
        case 'not-read':
          // a lint PATH in an etc/security layout (namespace.init, limits.conf.rpmnew, …)
          message = g.detail;
          break;
        default:
          message = `pam_limits does not read this file: ${g.detail}`;
          break;
      }
      ctx.report({ file: g.path, message });
    }
    for (const f of ctx.tree.files) {
      if (f.status === 'directory') {
        ctx.report({ file: f, message: `this is a directory named like a config file: pam_limits opens it and reads it as an empty file; nothing inside it is read` });
      }
    }
  },
};
