import { readingIndex, show } from '../helpers.js';
import type { Rule } from '../types.js';
import { RLIM_INFINITY } from '../../schema.js';

export const valueMisread: Rule = {
  code: 'LC005',
  name: 'value-misread',
  category: 'syntax',
  severity: 'warning',
  description: 'A value pam_limits accepts but reads differently from what it seems to say (10k is 10, 0x10 is 0, -5 wraps around, yes is 0).',
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the valid entries whose value has notes, or of chroot (FileReadings.noted)
    for (const { file, noted } of readingIndex(ctx)) for (const r of noted) {
      if (!r.itemInfo || !r.parsedValue) continue;
      const info = r.itemInfo;
      const v = r.parsedValue;
      // a value without notes (nearly every line) has nothing to say unless it is chroot's
      if (v.notes.length === 0 && info.name !== 'chroot') continue;
      const raw = show(r.value.raw);
      const read = v.number === null ? '' : v.number === RLIM_INFINITY && info.grammar === 'u64' ? 'unlimited' : String(v.number);
      const unit = info.unit === 'KiB' ? 'KiB' : info.unit === 'minutes' ? 'minutes' : info.unit === 'bytes' ? 'bytes' : '';
      const msgs: string[] = [];
      for (const note of v.notes) {
        switch (note) {
          case 'hex-not-read':
            msgs.push(`pam_limits reads '${raw}' as 0 (only decimal numbers are read); write the value in decimal`);
            break;
          case 'trailing-junk':
            if (!v.notes.includes('hex-not-read')) msgs.push(`pam_limits reads '${raw}' as ${read} and ignores '${show(v.ignored)}'; write a plain number${unit ? ` in ${unit}` : ''}${/^[0-9]+[kmgt]/i.test(r.value.raw) ? ' (suffixes like k or M are not understood)' : ''}`);
            break;
          case 'negative-wrapped':
            msgs.push(`pam_limits reads '${raw}' as an unsigned number: it wraps around to ${read}${v.kernel === RLIM_INFINITY ? ' (unlimited)' : ''}; use unlimited, or a positive number`);
            break;
          case 'saturated':
            if (!v.notes.includes('negative-wrapped')) msgs.push(`'${raw}' is too large: pam_limits makes it unlimited; write unlimited if that is meant`);
            break;
          case 'clamped':
            if (info.name !== 'nice') msgs.push(`'${raw}' is outside the range of a C int: pam_limits uses ${read}`);
            break;
          case 'not-a-flag':
            msgs.push(`nonewprivs takes 0 or 1: pam_limits stores 0 (off) for '${raw}'`);
            break;
          default:
            break;
        }
      }
      if (info.name === 'chroot' && /[A-Z]/.test(r.value.raw)) {
        msgs.push(`Debian's pam_limits lower-cases the value: it changes root to '${show(r.valueText)}', not '${raw}'`);
      }
      if (msgs.length > 0) ctx.report({ file, span: r.value, message: msgs.join('; ') });
    }
  },
};
