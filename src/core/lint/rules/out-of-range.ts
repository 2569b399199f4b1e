import { readings, show } from '../helpers.js';
import { RLIM_INFINITY } from '../../schema.js';
import type { Rule } from '../types.js';

export const outOfRange: Rule = {
  code: 'LC209',
  name: 'out-of-range',
  category: 'semantics',
  severity: 'warning',
  description: 'nice or priority outside -20..19, or rtprio above 99: pam_limits or the kernel clamps the value.',
  fixable: false,
  check(ctx) {
    for (const { file, reading: r } of readings(ctx)) {
      if (r.kind !== 'entry' || r.problem || !r.itemInfo || !r.parsedValue) continue;
      const v = r.parsedValue;
      const raw = show(r.value.raw);
      let message: string | null = null;
      switch (r.itemInfo.name) {
        case 'nice':
          if (v.notes.includes('clamped')) message = `nice ${raw} is outside -20..19: pam_limits uses ${String(v.number)} instead; write a value from -20 to 19`;
          break;
        case 'priority':
          if (v.number !== null && (v.number < -20n || v.number > 19n)) {
            message = `priority ${raw} is outside -20..19: the kernel uses ${v.number < -20n ? -20 : 19} instead; write a nice value from -20 to 19`;
          }
          break;
        case 'rtprio':
          if (v.number !== null && v.number !== RLIM_INFINITY && v.number > 99n) {
            message = `rtprio ${raw} is above 99, the highest realtime priority Linux has: it allows nothing more than 99; write 99 (or less)`;
          }
          break;
        default:
          break;
      }
      if (message) ctx.report({ file, span: r.value, message });
    }
  },
};
