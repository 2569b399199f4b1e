/**
 * The default lint output: one line per finding, `file:line:col severity code message (name)`,
 * grouped by file with a blank line between files, and a summary line. Pure.
 */
import { type LintReport, summarize } from '../core/lint/report.js';
import { PLAIN_STYLE as PLAIN, type Style } from './style.js';

/** Colour for the text format; the CLI passes its own. */
export type TextStyle = Pick<Style, 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan'>;

function n(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatText(report: LintReport, style: TextStyle = PLAIN): string {
  const out: string[] = [];
  let last: string | null = null;
  for (const d of report.diagnostics) {
    if (last !== null && d.file !== last) out.push('');
    last = d.file;
    const sev = d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.cyan('info');
    out.push(`${style.bold(`${d.file}:${d.line}:${d.column}`)} ${sev} ${style.dim(d.code)} ${d.message} ${style.dim(`(${d.rule}${d.fix ? ', fixable' : ''})`)}`);
  }
  const s = summarize(report);
  const total = s.errors + s.warnings + s.info;
  if (out.length > 0) out.push('');
  const fixed = report.fixed > 0 ? `; fixed ${n(report.fixed, 'problem')}${report.diff !== undefined ? ' (dry run: nothing written)' : ''}` : '';
  const suppressed = report.suppressed > 0 ? `; ${report.suppressed} silenced by limitsctl-disable` : '';
  if (total === 0) {
    out.push(style.green(`✔ no problems in ${n(s.files, 'file')}${fixed}${suppressed}`));
  } else {
    const line = `${s.errors > 0 ? '✖' : '⚠'} ${n(total, 'problem')} (${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}, ${s.info} info) in ${s.filesWithFindings} of ${n(s.files, 'file')}${s.fixable > 0 ? `; ${s.fixable} fixable with --fix` : ''}${fixed}${suppressed}`;
    out.push(s.errors > 0 ? style.red(style.bold(line)) : style.yellow(style.bold(line)));
    if (report.maxWarnings !== null && s.warnings > report.maxWarnings) out.push(style.yellow(`More than --max-warnings ${report.maxWarnings} warnings.`));
  }
  return `${out.join('\n')}\n`;
}
