/**
 * `--format junit`: JUnit XML as Jenkins' `junit` step and GitLab's `artifacts:reports:junit`
 * read it (the Ant JUnit report shape: `<testsuites>` of `<testsuite>` of `<testcase>`). Pure.
 *
 * - One `<testsuite name="FILE">` per file with findings, written as that file's findings come
 *   (findings arrive grouped by file, so nothing is held: a suite per rule would have to keep
 *   every finding to the end). Both tools list suites, and a failing file is what one fixes.
 * - One `<testcase>` per finding: `classname="limitsctl.LC003"` (Jenkins reads the part before
 *   the last dot as the package: its tree is limitsctl › LC003 › the findings of that rule; a
 *   file path as class name would be cut at the dot of `.conf`), `name="FILE:LINE:COL LC003
 *   unknown-item"`, `file="FILE"` (GitLab shows it). An error is a `<failure>` (message, type
 *   = severity, and `FILE:LINE:COL` with the message as text): errors are what fails the run.
 *   A warning or info finding is a `<skipped>` test with the message: listed, not failing
 *   (Jenkins marks a build with failures UNSTABLE; GitLab counts them as failed tests).
 * - A last suite `name="limitsctl"`: a passing testcase per file looked at without findings
 *   (a clean run shows passing tests, not an empty report), and with --max-warnings a testcase
 *   `max-warnings` that fails when there are more warnings than allowed — the run's exit code,
 *   decided only at the end (a warning alone cannot know whether it is one too many).
 * - No counts or times on the elements (they would be known only at the end; both tools count
 *   the testcases themselves). Paths as in the other formats; text escaped for XML 1.0 (xml.ts).
 */
import type { LintFormatWriter, LintReport, LintReportHead, LintReportTail } from '../core/lint/report.js';
import { reportPieces } from '../core/lint/report.js';
import type { Diagnostic } from '../core/lint/types.js';
import { collect, type Write } from './stream.js';
import { XML_DECLARATION, xmlAttr, xmlText } from './xml.js';

function column(d: Diagnostic): number {
  return d.text ? d.text.column : d.column;
}

/** The JUnit format written as the findings are produced ({@link LintFormatWriter}). */
export function junitWriter(): LintFormatWriter {
  let open: string | null = null; // the file whose suite is open
  let maxWarnings: number | null = null;
  // the files with findings (to list the others as passing): as many as LintTally keeps
  const withFindings = new Set<string>();
  return {
    begin(head: LintReportHead): string {
      maxWarnings = head.maxWarnings;
      return `${XML_DECLARATION}<testsuites name="limitsctl lint">\n`;
    },
    finding(d: Diagnostic): string {
      let out = '';
      if (d.file !== open) {
        if (open !== null) out += '  </testsuite>\n';
        open = d.file;
        withFindings.add(d.file);
        out += `  <testsuite name="${xmlAttr(d.file)}">\n`;
      }
      const where = `${d.file}:${d.line}:${column(d)}`;
      const head = `    <testcase classname="limitsctl.${xmlAttr(d.code)}" name="${xmlAttr(`${where} ${d.code} ${d.rule}`)}" file="${xmlAttr(d.file)}">\n`;
      const body = d.severity === 'error'
        ? `      <failure message="${xmlAttr(d.message)}" type="${d.severity}">${xmlText(`${where} ${d.severity} ${d.code} ${d.message} (${d.rule})`)}</failure>\n`
        : `      <skipped message="${xmlAttr(`${d.severity}: ${d.message}`)}"/>\n`;
      return `${out}${head}${body}    </testcase>\n`;
    },
    aside: () => '',
    end(tail: LintReportTail): string {
      let out = open !== null ? '  </testsuite>\n' : '';
      out += '  <testsuite name="limitsctl">\n';
      const clean = tail.files.filter((f) => !withFindings.has(f));
      for (const f of clean) out += `    <testcase classname="limitsctl" name="${xmlAttr(`${f}: no problems`)}" file="${xmlAttr(f)}"/>\n`;
      if (maxWarnings !== null) {
        const w = (tail.counted ?? tail.summary).warnings;
        const name = `max-warnings: at most ${maxWarnings} warning${maxWarnings === 1 ? '' : 's'}`;
        out += w > maxWarnings
          ? `    <testcase classname="limitsctl" name="${xmlAttr(name)}">\n      <failure message="${xmlAttr(`${w} warnings, more than --max-warnings ${maxWarnings}`)}" type="max-warnings"/>\n    </testcase>\n`
          : `    <testcase classname="limitsctl" name="${xmlAttr(name)}"/>\n`;
      }
      if (clean.length === 0 && maxWarnings === null && withFindings.size === 0) {
        out += '    <testcase classname="limitsctl" name="lint: no files"/>\n';
      }
      return `${out}  </testsuite>\n</testsuites>\n`;
    },
  };
}

/** The JUnit text of a complete report, one piece at a time. */
export function junitPieces(report: LintReport): Generator<string, void, undefined> {
  return reportPieces(junitWriter(), report);
}

export function writeJunit(report: LintReport, write: Write): void {
  for (const p of junitPieces(report)) write(p);
}

export function formatJunit(report: LintReport): string {
  return collect((w) => writeJunit(report, w));
}
