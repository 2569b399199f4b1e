import type { EntryReading, InvalidReading, NoLimitReading } from '../../model.js';
import { type FileReadings, ownerIn, readingIndex, show } from '../helpers.js';
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
    const one = (fr: FileReadings, r: EntryReading | NoLimitReading | InvalidReading): void => {
      if (r.problem?.code !== 'invalid-range' || ownerIn(fr, r, true) !== 'problem') return;
      const domain = r.kind === 'invalid' ? r.fields[0]! : r.domain;
      const why = r.kind !== 'invalid' && r.domainSpec.range.form === 'error' ? r.domainSpec.range.why : 'not a valid range';
      ctx.report({
        file: fr.file,
        span: domain,
        message: `pam_limits skips this line: invalid uid range '${show(domain.raw)}' (${why}); write :uid, min:max or min: with decimal numbers (@:gid, @min:max for groups)`,
      });
    };
    // the skipped entries, then the "no limits" and invalid lines (the engine sorts a file's
    // findings by position); none of a file without a ':' (FileReadings.colon)
    for (const fr of readingIndex(ctx)) {
      if (!fr.colon) continue;
      for (const r of fr.skipped) one(fr, r);
      for (const r of fr.others) one(fr, r);
    }
  },
};
