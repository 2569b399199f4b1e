import type { TreeFile } from '../../model.js';
import type { Rule } from '../types.js';

export const fileNotEvaluated: Rule = {
  code: 'LC306',
  name: 'file-not-evaluated',
  category: 'files',
  severity: 'warning',
  description: 'A file pam_limits (or the system) reads that limitsctl could not evaluate: a symlink leading outside the tree root, a file this uid may not read or a limits.d it may not list (pam_limits reads them as root), one above the size cap, a limits.d that cannot be listed, or an unusable etc/passwd, etc/group or os-release.',
  fixable: false,
  check(ctx) {
    // A file of the tree linted on its own (`lint T/etc/security/limits.conf`, `--stdin
    // --stdin-filename`): the findings of the other files are not shown, but one this run could
    // not read leaves its lines out of the shown file's results too (a drop-in read after it, the
    // accounts), so it is said on the first shown file, line 1, naming the file it is about.
    const only = ctx.only;
    // Only a shown file pam_limits reads has results that leave the other file out: a shown file
    // it never reads (LC301: `usr/etc/security/limits.conf` of a profile without that vendor
    // directory, a README in limits.d) or the marker of an empty limits.d named on its own
    // (`limits.d/\0none`) gets nothing, and the finding stays on its file, not shown.
    const shown = only === undefined ? undefined : ctx.tree.files.find((f) => only.has(f.path));
    const report = (file: TreeFile | string, message: string): void => {
      const p = typeof file === 'string' ? file : file.path;
      if (only === undefined || shown === undefined || only.has(p)) ctx.report({ file, message });
      else ctx.report({ file: shown, message: `${p}, read with this file: ${message}` });
    };
    for (const f of ctx.tree.files) {
      if (f.dirListing) {
        // a limits.d that could not be listed: its drop-ins are unknown (not-evaluated: pam_limits,
        // as root, lists it) or none is read, by pam_limits either (unreadable, e.g. EIO)
        const why = f.status === 'not-evaluated'
          ? 'the drop-ins in it were not checked and are left out of every result; run as root to check them'
          : f.status === 'outside-root' ? 'not followed: the drop-ins in it were not checked' : 'no drop-in in it is read';
        report(f, `${f.error ?? 'this directory could not be listed'}: ${why}`);
      } else if (f.status === 'outside-root') {
        report(f, `${f.error ?? 'a symlink that leads outside the tree root'}: its lines were not checked (on the system this tree stands for, pam_limits reads whatever the link names there); point it inside the tree or copy the file in`);
      } else if (f.status === 'not-evaluated') {
        report(f, `${f.error ?? 'not evaluated'}: its lines were not checked and are left out of every result`);
      }
    }
    for (const u of ctx.tree.unusable ?? []) report(u.path, u.detail);
  },
};
