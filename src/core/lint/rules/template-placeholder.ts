import { fieldsOf, readingIndex, show, syntaxOwner, templateSyntax } from '../helpers.js';
import type { Rule } from '../types.js';

export const templatePlaceholder: Rule = {
  code: 'LC010',
  name: 'template-placeholder',
  category: 'syntax',
  severity: 'error',
  description: 'Unrendered template syntax ({{ }}, {% %}, <% %>, ${…}) or a <PLACEHOLDER> left in a field: pam_limits reads it literally.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    for (const { file, markup, owned } of readingIndex(ctx)) for (const r of owned > 0 ? markup : []) {
      if (syntaxOwner(r) !== 'template') continue;
      const fields = fieldsOf(r);
      const f = templateSyntax(fields)!;
      const first = f === fields[0]; // the domain (fields are compared within one fieldsOf array: a reading may make a new Field per access)
      const angle = /^<[^<>\s]+>$/.test(f.raw);
      const effect = r.kind === 'entry' && !r.problem
        ? `pam_limits takes it literally (a ${first ? 'user' : 'value'} named '${show(f.raw)}'), so the line matches nobody or means something else`
        : 'pam_limits skips the line';
      ctx.report({
        file,
        span: f,
        message: angle
          ? `placeholder '${show(f.raw)}' was never filled in: ${effect}; replace it with the real ${first ? 'user or group' : 'value'}`
          : `template syntax '${show(f.raw)}' in a config file: ${effect}; render the template and lint its output instead`,
      });
    }
  },
};
