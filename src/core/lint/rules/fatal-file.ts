import type { Rule } from '../types.js';

export const fatalFile: Rule = {
  code: 'LC303',
  name: 'fatal-file',
  category: 'files',
  severity: 'error',
  description: 'A missing limits.conf, a dangling drop-in symlink (1.5.2), an unreadable file, or a FIFO, device or socket where a file should be: pam_limits fails (or blocks) every session and applies no limits.',
  fixable: false,
  check(ctx) {
    if (ctx.standalone) return;
    for (const f of ctx.tree.files) {
      if (!f.fatal) continue;
      if (f.status === 'special') {
        ctx.report({ file: f, message: `${f.fatal}; no limits are applied — replace it with a regular file (or remove it)` });
        continue;
      }
      const fix = f.status === 'missing'
        ? 'create it (it may be empty)'
        : f.status === 'dangling-symlink' ? 'fix or remove the symlink' : 'make it readable (or remove it)';
      ctx.report({
        file: f,
        message: `${f.fatal}: every session through pam_limits fails (PAM_SERVICE_ERR) and no limits are applied; ${fix}`,
      });
    }
  },
};
