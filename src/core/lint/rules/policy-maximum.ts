import { checkPolicyRange } from '../policy-check.js';
import type { Rule } from '../types.js';

export const policyMaximum: Rule = {
  code: 'LC402',
  name: 'policy-maximum',
  category: 'policy',
  severity: 'error',
  description: 'An effective value above a maximum set in the settings file ([policy] max[] = <domain> <type> <item> <value>).',
  fixable: false,
  check(ctx) {
    checkPolicyRange(ctx, 'max');
  },
};
