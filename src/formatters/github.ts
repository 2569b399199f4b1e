/**
 * `--format github`: GitHub Actions workflow commands, one per finding:
 * `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=LC003 unknown-item::message`.
 * Property values escape % \r \n : and , ; the message escapes % \r \n. `writeGithub` writes a
 * line at a time, `githubWriter` as the findings are produced; `formatGithub` is the same text as one string. Pure.
 */
import { type LintFormatWriter, type LintReport, type LintReportTail, reportPieces } from '../core/lint/report.js';
import type { Diagnostic, Severity } from '../core/lint/types.js';
import { collect, type Write } from './stream.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Writes `formatGithub(report)` to `write`, one line at a time. */
export function writeGithub(report: LintReport, write: Write): void {
  for (const line of githubPieces(report)) write(line);
}

/** The lines of `formatGithub(report)`, one at a time as they are asked for. */
export function githubPieces(report: LintReport): Generator<string, void, undefined> {
  return reportPieces(githubWriter(), report);
}

/** The GitHub format written as findings are produced ({@link LintFormatWriter}); a diff is not its to print. */
export function githubWriter(): LintFormatWriter {
  return {
    begin: () => '',
    finding(d: Diagnostic): string {
      const props = [
        `file=${escapeProperty(d.file)}`,
        `line=${d.line}`,
        `col=${d.text ? d.text.column : d.column}`,
        `endLine=${d.endLine}`,
        `endColumn=${d.text ? d.text.endColumn : d.endColumn}`,
        `title=${escapeProperty(`${d.code} ${d.rule}`)}`,
      ];
      return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(d.message)}\n`;
    },
    aside: () => '',
    end(tail: LintReportTail): string {
      const s = tail.summary;
      return `limitsctl lint: ${s.errors} error(s), ${s.warnings} warning(s), ${s.info} info in ${s.files} file(s)\n`;
    },
  };
}

export function formatGithub(report: LintReport): string {
  return collect((w) => writeGithub(report, w));
}
