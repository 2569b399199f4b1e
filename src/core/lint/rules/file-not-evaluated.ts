import type { Rule } from '../types.js';

export const fileNotEvaluated: Rule = {
  code: 'LC306',
  name: 'file-not-evaluated',
  category: 'files',
  severity: 'warning',
  description: 'A file pam_limits (or the system) reads that limitsctl could not evaluate: a symlink leading outside the tree root, a file this uid may not read (pam_limits reads it as root), one above the size cap, or an unusable etc/passwd, etc/group or os-release.',
  fixable: false,
  check(ctx) {
    for (const f of ctx.tree.files) {
      if (f.status === 'outside-root') {
        ctx.report({ file: f, message: `${f.error ?? 'a symlink that leads outside the tree root'}: its lines were not checked (on the system this tree stands for, pam_limits reads whatever the link names there); point it inside the tree or copy the file in` });
      } else if (f.status === 'not-evaluated') {
        ctx.report({ file: f, message: `${f.error ?? 'not evaluated'}: its lines were not checked and are left out of every result` });
      }
    }
    for (const u of ctx.tree.unusable ?? []) ctx.report({ file: u.path, message: u.detail });
  },
};
