/**
 * The streaming writer of each lint output format (names: lint-format-names.ts)
 * (LintFormatWriter, src/core/lint/report.ts: begin, finding, aside, end). docs/lint.md,
 * "Output formats", describes each.
 */
import type { LintFormatWriter } from '../core/lint/report.js';
import { checkstyleWriter } from './checkstyle.js';
import { codeClimateWriter } from './codeclimate.js';
import { githubWriter } from './github.js';
import { lintJsonWriter } from './json.js';
import { junitWriter } from './junit.js';
import { lintSarifWriter } from './sarif.js';
import type { LintFormat } from './lint-format-names.js';
import { type FindingBytes, type TextStyle, textWriter } from './text.js';


export { isLintFormat, LINT_FORMATS, type LintFormat } from './lint-format-names.js';

/** What some formats take besides the report. */
export interface LintWriterOptions {
  /**
   * sarif: the analysis category, written as `automationDetails.id` = `CATEGORY/` (GitHub code
   * scanning keeps the latest upload per category); none: no automationDetails (sarif.ts says why)
   */
  readonly sarifCategory?: string;
}

/**
 * The writer of one format; `style` colours the text format only. The text, JSON and SARIF
 * writers can also write a finding as bytes ({@link FindingBytes}, see {@link findingBytes}).
 */
export function lintWriter(format: LintFormat, style: TextStyle, options: LintWriterOptions = {}): LintFormatWriter & Partial<FindingBytes> {
  switch (format) {
    case 'json': return lintJsonWriter();
    case 'sarif': return lintSarifWriter(options.sarifCategory === undefined ? {} : { category: options.sarifCategory });
    case 'github': return githubWriter();
    case 'junit': return junitWriter();
    case 'checkstyle': return checkstyleWriter();
    case 'codeclimate': return codeClimateWriter();
    case 'text': return textWriter(style);
  }
}

/** `writer` when it can write a finding as bytes ({@link FindingBytes}), else null. */
export function findingBytes(writer: LintFormatWriter & Partial<FindingBytes>): (LintFormatWriter & FindingBytes) | null {
  return typeof writer.findingInto === 'function' ? writer as LintFormatWriter & FindingBytes : null;
}
