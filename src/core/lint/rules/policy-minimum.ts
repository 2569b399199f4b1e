import { checkPolicyRange } from '../policy-check.js';
import type { Rule } from '../types.js';

export const policyMinimum: Rule = {
  code: 'LC401',
  name: 'policy-minimum',
  category: 'policy',
  severity: 'error',
  description: 'An effective value below a minimum set in the settings file ([policy] min[] = <domain> <type> <item> <value>).',
  fixable: false,
  check(ctx) {
    checkPolicyRange(ctx, 'min');
  },
};
