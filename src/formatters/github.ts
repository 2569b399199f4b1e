/**
 * `--format github`: GitHub Actions workflow commands, one per finding:
 * `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=LC003 unknown-item::message`.
 * Property values escape % \r \n : and , ; the message escapes % \r \n. `writeGithub` writes a
 * line at a time, `githubWriter` as the findings are produced; `formatGithub` is the same text as one string. Pure.
 *
 * GitHub shows at most {@link ANNOTATION_LIMIT} annotations of each kind (error, warning, notice)
 * per step and drops the rest (actions/toolkit docs/problem-matchers.md, "Limitations", commit
 * 457303960f03375db6f033e214b9f90d79c3fe5c). So that the step says how many it did not show, a
 * kind with more findings than that gets {@link ANNOTATION_LIMIT} − 1 annotations; its other
 * findings are printed as plain log lines (`file:line:col error LC003 message (rule)`, as the
 * text format), and the last annotation of that kind, after the findings, counts them: "N more
 * errors not shown as annotations …". To know whether a kind overflows, the
 * {@link ANNOTATION_LIMIT}th finding of each kind is held until the next one of that kind or the
 * end (at most three findings held).
 */
import { type LintFormatWriter, type LintReport, type LintReportTail, reportPieces } from '../core/lint/report.js';
import type { Diagnostic, Severity } from '../core/lint/types.js';
import { collect, type Write } from './stream.js';
import { escapeControls } from './terminal.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * A workflow command's data (GitHub's own escapes: `%`, CR, LF as `%25`, `%0D`, `%0A`); any other
 * control character (ESC of a name's escape sequence, which the job log would interpret) shown as
 * `\xNN` (terminal.ts escapeControls).
 */
export function escapeData(s: string): string {
  return escapeControls(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
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

/** How many annotations of each kind GitHub shows per step. */
export const ANNOTATION_LIMIT = 10;

function annotation(d: Diagnostic): string {
  const props = [
    `file=${escapeProperty(d.file)}`,
    `line=${d.line}`,
    `col=${d.text ? d.text.column : d.column}`,
    `endLine=${d.endLine}`,
    `endColumn=${d.text ? d.text.endColumn : d.endColumn}`,
    `title=${escapeProperty(`${d.code} ${d.rule}`)}`,
  ];
  return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(d.message)}\n`;
}

/** A finding as a plain log line (no workflow command: GitHub would drop it as an annotation). */
function logLine(d: Diagnostic): string {
  // a line that starts with :: would be read as a command; the message's line breaks too
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${escapeData(d.message)} (${d.rule}${d.fix ? ', fixable' : ''})\n`;
}

const KIND_WORD: Record<Severity, string> = { error: 'errors', warning: 'warnings', info: 'notices (info)' };

/** The GitHub format written as findings are produced ({@link LintFormatWriter}); a diff is not its to print. */
export function githubWriter(): LintFormatWriter {
  const count: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  // the ANNOTATION_LIMIT-th finding of each kind, until it is known whether more come
  const held: Record<Severity, Diagnostic | null> = { error: null, warning: null, info: null };
  return {
    begin: () => '',
    finding(d: Diagnostic): string {
      const n = ++count[d.severity];
      if (n < ANNOTATION_LIMIT) return annotation(d);
      if (n === ANNOTATION_LIMIT) {
        held[d.severity] = d;
        return '';
      }
      // the kind overflows: the held one and this one are log lines
      const h = held[d.severity];
      held[d.severity] = null;
      return `${h ? logLine(h) : ''}${logLine(d)}`;
    },
    aside: () => '',
    end(tail: LintReportTail): string {
      let out = '';
      for (const sev of ['error', 'warning', 'info'] as const) {
        const h = held[sev];
        if (h) out += annotation(h);
        else if (count[sev] > ANNOTATION_LIMIT) {
          const more = count[sev] - (ANNOTATION_LIMIT - 1);
          const text = `${more} more ${KIND_WORD[sev]} not shown as annotations (GitHub shows ${ANNOTATION_LIMIT} per kind and step; ${count[sev]} in all): see this step's log, or upload SARIF to code scanning`;
          out += `::${COMMAND[sev]} title=${escapeProperty('limitsctl lint')}::${escapeData(text)}\n`;
        }
      }
      const s = tail.summary;
      return `${out}limitsctl lint: ${s.errors} error(s), ${s.warnings} warning(s), ${s.info} info in ${s.files} file(s)\n`;
    },
  };
}

export function formatGithub(report: LintReport): string {
  return collect((w) => writeGithub(report, w));
}
