/**
 * `--format codeclimate`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
 * subset of the Code Climate issue format GitLab reads (GitLab docs, doc/ci/testing/code_quality.md,
 * "Implement a custom tool", gitlabhq commit 01eae359257f2b5b0e3e50d110c084b889599fb6): a JSON
 * array of
 * `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`. Pure.
 *
 * - `description`: the message, then `(LC003 unknown-item)` (the merge request widget shows only
 *   the description and the place);
 * - `check_name`: `limitsctl.LC003` (GitLab merges the reports of several tools);
 * - `fingerprint`: 32 hex digits, unique per finding of a report and the same from run to run
 *   while the finding is the same, even after it moved to another line (fingerprint.ts says
 *   what goes in). GitLab shows findings with equal fingerprints as one, and tells new and
 *   resolved ones apart by them;
 * - `severity`: error → `major`, warning → `minor`, info → `info` (GitLab's scale is info,
 *   minor, major, critical, blocker; limitsctl has three levels and keeps the top two free);
 * - `location.path`: the display path, as in the other formats (relative to the working
 *   directory: run lint from the repository's top directory so that GitLab finds the files);
 *   `location.lines.begin`: the 1-based line.
 * Written one finding at a time, two-space indented, no byte order mark (GitLab refuses one).
 */
import type { LintFormatWriter } from '../core/lint/report.js';
import type { Diagnostic, Severity } from '../core/lint/types.js';
import { Fingerprinter, hash128 } from './fingerprint.js';
import { jsonString } from './stream.js';

/** GitLab's severity for each of limitsctl's. */
export const CODE_QUALITY_SEVERITY: Record<Severity, 'info' | 'minor' | 'major'> = { error: 'major', warning: 'minor', info: 'info' };

/** The Code Quality format written as the findings are produced ({@link LintFormatWriter}). */
export function codeClimateWriter(): LintFormatWriter {
  let first = true;
  const prints = new Fingerprinter();
  return {
    begin: () => '[',
    finding(d: Diagnostic): string {
      const { hash, occurrence } = prints.next(d);
      // one value per finding: the key and its occurrence hashed again, to a fixed length
      const fingerprint = hash128(`${hash}:${occurrence}`);
      const text = `${first ? '\n' : ',\n'}  {\n    "description": ${jsonString(`${d.message} (${d.code} ${d.rule})`)},\n    "check_name": ${jsonString(`limitsctl.${d.code}`)},\n    "fingerprint": "${fingerprint}",\n    "severity": "${CODE_QUALITY_SEVERITY[d.severity]}",\n    "location": {\n      "path": ${jsonString(d.file)},\n      "lines": {\n        "begin": ${d.line}\n      }\n    }\n  }`;
      first = false;
      return text;
    },
    aside: () => '',
    end: () => (first ? ']\n' : '\n]\n'),
  };
}
