/**
 * The default lint output: one line per finding, `file:line:col severity code message (name)`,
 * grouped by file with a blank line between files, and a summary line. `writeText` writes it a
 * line at a time; `formatText` is the same text as one string. Pure.
 */
import { type LintReport, summarize } from '../core/lint/report.js';
import { collect, type Write } from './stream.js';
import { PLAIN_STYLE as PLAIN, type Style } from './style.js';

/** Colour for the text format; the CLI passes its own. */
export type TextStyle = Pick<Style, 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan'>;

function n(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Writes `formatText(report, style)` to `write`, one line at a time. */
export function writeText(report: LintReport, write: Write, style: TextStyle = PLAIN): void {
  for (const line of textPieces(report, style)) write(line);
}

/** The lines of `formatText(report, style)`, one at a time as they are asked for. */
export function* textPieces(report: LintReport, style: TextStyle = PLAIN): Generator<string, void, undefined> {
  let last: string | null = null;
  for (const d of report.diagnostics) {
    if (last !== null && d.file !== last) yield '\n';
    last = d.file;
    const sev = d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.cyan('info');
    yield `${style.bold(`${d.file}:${d.line}:${d.column}`)} ${sev} ${style.dim(d.code)} ${d.message} ${style.dim(`(${d.rule}${d.fix ? ', fixable' : ''})`)}\n`;
  }
  const s = summarize(report);
  const total = s.errors + s.warnings + s.info;
  if (last !== null) yield '\n';
  const fixed = report.fixed > 0 ? `; fixed ${n(report.fixed, 'problem')}${report.diff !== undefined ? ' (dry run: nothing written)' : ''}` : '';
  const suppressed = report.suppressed > 0 ? `; ${report.suppressed} silenced by limitsctl-disable` : '';
  if (total === 0) {
    yield `${style.green(`✔ no problems in ${n(s.files, 'file')}${fixed}${suppressed}`)}\n`;
  } else {
    const line = `${s.errors > 0 ? '✖' : '⚠'} ${n(total, 'problem')} (${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}, ${s.info} info) in ${s.filesWithFindings} of ${n(s.files, 'file')}${s.fixable > 0 ? `; ${s.fixable} fixable with --fix` : ''}${fixed}${suppressed}`;
    yield `${s.errors > 0 ? style.red(style.bold(line)) : style.yellow(style.bold(line))}\n`;
    if (report.maxWarnings !== null && s.warnings > report.maxWarnings) yield `${style.yellow(`More than --max-warnings ${report.maxWarnings} warnings.`)}\n`;
  }
}

export function formatText(report: LintReport, style: TextStyle = PLAIN): string {
  return collect((w) => writeText(report, w, style));
}
