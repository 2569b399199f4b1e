import { readingIndex, show } from '../helpers.js';
import { NICE_RANGE, RLIM_INFINITY, RTPRIO_RANGE } from '../../schema.js';
import type { Rule } from '../types.js';

const NICE = `${NICE_RANGE.min}..${NICE_RANGE.max}`;
const NICE_TEXT = `a value from ${NICE_RANGE.min} to ${NICE_RANGE.max}`;

export const outOfRange: Rule = {
  code: 'LC209',
  name: 'out-of-range',
  category: 'semantics',
  severity: 'warning',
  description: `nice or priority outside ${NICE}, or rtprio above ${RTPRIO_RANGE.max}: pam_limits or the kernel clamps the value.`,
  fixable: false,
  scope: 'file',
  check(ctx) {
    // the valid entries of the items whose values rules check (FileReadings.valued)
    for (const { file, valued } of readingIndex(ctx)) for (const r of valued) {
      if (r.kind !== 'entry' || r.problem || !r.itemInfo || !r.parsedValue) continue;
      const name = r.itemInfo.name;
      if (name !== 'nice' && name !== 'priority' && name !== 'rtprio') continue;
      const v = r.parsedValue;
      let message: string | null = null;
      switch (r.itemInfo.name) {
        case 'nice':
          if (v.notes.includes('clamped')) message = `nice ${show(r.value.raw)} is outside ${NICE}: pam_limits uses ${String(v.number)} instead; write ${NICE_TEXT}`;
          break;
        case 'priority':
          if (v.number !== null && (v.number < NICE_RANGE.min || v.number > NICE_RANGE.max)) {
            message = `priority ${show(r.value.raw)} is outside ${NICE}: the kernel uses ${v.number < NICE_RANGE.min ? NICE_RANGE.min : NICE_RANGE.max} instead; write a nice value from ${NICE_RANGE.min} to ${NICE_RANGE.max}`;
          }
          break;
        case 'rtprio':
          if (v.number !== null && v.number !== RLIM_INFINITY && v.number > RTPRIO_RANGE.max) {
            message = `rtprio ${show(r.value.raw)} is above ${RTPRIO_RANGE.max}, the highest realtime priority Linux has: it allows nothing more than ${RTPRIO_RANGE.max}; write ${RTPRIO_RANGE.max} (or less)`;
          }
          break;
        default:
          break;
      }
      if (message) ctx.report({ file, span: r.value, message });
    }
  },
};
