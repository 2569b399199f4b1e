/**
 * The streaming writer of each lint output format (names: lint-format-names.ts)
 * (LintFormatWriter, src/core/lint/report.ts: begin, finding, aside, end). docs/lint.md,
 * "Output formats", describes each.
 */
import type { LintFormatWriter } from '../core/lint/report.js';
import { githubWriter } from './github.js';
import { lintJsonWriter } from './json.js';
import { lintSarifWriter } from './sarif.js';
import type { LintFormat } from './lint-format-names.js';
import { type TextStyle, textWriter } from './text.js';

export { isLintFormat, LINT_FORMATS, type LintFormat } from './lint-format-names.js';

/** The writer of one format; `style` colours the text format only. */
export function lintWriter(format: LintFormat, style: TextStyle): LintFormatWriter {
  switch (format) {
    case 'json': return lintJsonWriter();
    case 'sarif': return lintSarifWriter();
    case 'github': return githubWriter();
    case 'text': return textWriter(style);
  }
}
