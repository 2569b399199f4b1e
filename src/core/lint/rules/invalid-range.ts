import type { EntryReading, InvalidReading, NoLimitReading, TreeFile } from '../../model.js';
import { readingIndex, show, syntaxOwner } from '../helpers.js';
import type { Rule } from '../types.js';

export const invalidRange: Rule = {
  code: 'LC007',
  name: 'invalid-range',
  category: 'syntax',
  severity: 'error',
  description: 'A domain with a colon that is not a valid uid/gid range: pam_limits logs "invalid uid range" and skips the line.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    const one = (file: TreeFile, r: EntryReading | NoLimitReading | InvalidReading): void => {
      if (r.problem?.code !== 'invalid-range' || syntaxOwner(r) !== 'problem') return;
      const domain = r.kind === 'invalid' ? r.fields[0]! : r.domain;
      const why = r.kind !== 'invalid' && r.domainSpec.range.form === 'error' ? r.domainSpec.range.why : 'not a valid range';
      ctx.report({
        file,
        span: domain,
        message: `pam_limits skips this line: invalid uid range '${show(domain.raw)}' (${why}); write :uid, min:max or min: with decimal numbers (@:gid, @min:max for groups)`,
      });
    };
    // the entries, then the "no limits" and invalid lines (the engine sorts a file's findings by position)
    for (const { file, entries, others } of readingIndex(ctx)) {
      for (const r of entries) one(file, r);
      for (const r of others) one(file, r);
    }
  },
};
