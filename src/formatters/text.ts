/**
 * The default lint output: one line per finding, `file:line:col severity code message (name)`,
 * grouped by file with a blank line between files, and a summary line. `writeText` writes it a
 * line at a time, `textWriter` as the findings are produced; `formatText` is the same text as one
 * string. Pure.
 */
import { type LintFormatWriter, type LintReport, type LintReportHead, type LintReportTail, reportPieces } from '../core/lint/report.js';
import type { Diagnostic } from '../core/lint/types.js';
import { type ByteOut, collect, RunBytes, utf8, type Write } from './stream.js';
import { PLAIN_STYLE as PLAIN, type Style } from './style.js';
import { escapeControls } from './terminal.js';

/** Colour for the text format; the CLI passes its own. */
export type TextStyle = Pick<Style, 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan'>;

/** How many distinct severity/code and rule pieces a text writer keeps encoded. */
const PIECE_CACHE_MAX = 512;

function n(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}


/** Writes `formatText(report, style)` to `write`, one line at a time. */
export function writeText(report: LintReport, write: Write, style: TextStyle = PLAIN): void {
  for (const line of textPieces(report, style)) write(line);
}

/** The lines of `formatText(report, style)`, one at a time as they are asked for. */
export function textPieces(report: LintReport, style: TextStyle = PLAIN): Generator<string, void, undefined> {
  return reportPieces(textWriter(style), report);
}

/**
 * The text format written as findings are produced ({@link LintFormatWriter}). A finding of
 * another file than the one before starts a new group after a blank line; `aside` text (a
 * tree's --fix --dry-run diff) follows a blank line when findings came before it, and the next
 * finding starts a new group right after it.
 */
export function textWriter(style: TextStyle = PLAIN): LintFormatWriter & FindingBytes {
  let last: string | null = null;
  let maxWarnings: number | null = null;
  // a message may quote names and lines from the files: its control characters are shown escaped,
  // as the file name's are (terminal.ts)
  // per finding, only what changes is formatted: the file's shown name once per file, the
  // severity words once, and no colour calls when there is no colour
  const plain = isPlain(style);
  const severities = { error: style.red('error'), warning: style.yellow('warning'), info: style.cyan('info') };
  // `${file}:` once per file; ` ${severity} ${code} ` and ` (${rule}[, fixable])\n` once per
  // run of findings of one rule (a finding is then a few flat pieces, not a dozen)
  let filePrefix = '';
  let lastCode = '';
  let lastSeverity = '';
  let lastRule = '';
  let lastFixable = false;
  // the two pieces as text, made when asked for (the string path, or bytes not kept yet): null
  // after a change of rule
  let middle: string | null = '';
  let end: string | null = '';
  const middleText = (): string => (middle ??= ` ${severities[lastSeverity as Diagnostic['severity']]} ${lastCode} `);
  const endText = (): string => (end ??= ` (${lastRule}${lastFixable ? ', fixable' : ''})\n`);
  // a run of findings often repeats one message (a rule's fixed text): it is checked once
  let lastMessage = '';
  let lastShown = '';
  const shownMessage = (m: string): string => {
    if (m !== lastMessage) { lastMessage = m; lastShown = escapeControls(m); }
    return lastShown;
  };
  // the same pieces as UTF-8, for findingInto (made when first written after a change). Findings
  // of a file come in line order, so rules alternate from one finding to the next: the middle and
  // end pieces are kept per text (a few dozen: codes × severities, rules × fixable), not encoded
  // again at each change of rule
  let filePrefixBytes: Uint8Array | null = null;
  let middleBytes: Uint8Array | null = null;
  let endBytes: Uint8Array | null = null;
  // keyed by the finding's own code and rule strings (the rule's, the same string object finding
  // after finding, its hash kept in it), then by severity or fixable: a key made of the piece's
  // text was a new string to hash at every change of rule
  const middleOf = new Map<string, Map<string, Uint8Array>>();
  const endOf = new Map<string, Uint8Array[]>();
  let pieces = 0;
  const middleBytesOf = (code: string, severity: string): Uint8Array => {
    let bySeverity = middleOf.get(code);
    let b = bySeverity?.get(severity);
    if (b === undefined) {
      b = utf8(middleText());
      // bounded: a rule set of any size keeps at most this many pieces
      if (pieces < PIECE_CACHE_MAX) {
        pieces++;
        if (bySeverity === undefined) middleOf.set(code, (bySeverity = new Map()));
        bySeverity.set(severity, b);
      }
    }
    return b;
  };
  const endBytesOf = (rule: string, fixable: boolean): Uint8Array => {
    let both = endOf.get(rule);
    let b = both?.[fixable ? 1 : 0];
    if (b === undefined) {
      b = utf8(endText());
      if (pieces < PIECE_CACHE_MAX) {
        pieces++;
        if (both === undefined) endOf.set(rule, (both = []));
        both[fixable ? 1 : 0] = b;
      }
    }
    return b;
  };
  const rest = new RunBytes();
  const NEWLINE = utf8('\n');
  const COLON = utf8(':');
  /** Plain style: the pieces of `d`'s line brought up to date; returns whether a blank line goes first. */
  const advance = (d: Diagnostic): boolean => {
    let gap = false;
    if (d.file !== last) {
      if (last !== null) gap = true;
      last = d.file;
      filePrefix = `${escapeControls(d.file)}:`;
      filePrefixBytes = null;
    }
    const fixable = d.fix ? true : false;
    if (d.code !== lastCode || d.severity !== lastSeverity) {
      lastCode = d.code;
      lastSeverity = d.severity;
      middle = null;
      middleBytes = null;
    }
    if (d.rule !== lastRule || fixable !== lastFixable) {
      lastRule = d.rule;
      lastFixable = fixable;
      end = null;
      endBytes = null;
    }
    return gap;
  };
  const finding = (d: Diagnostic): string => {
    if (!plain) {
      let gap = '';
      if (d.file !== last) {
        if (last !== null) gap = '\n';
        last = d.file;
        filePrefix = `${escapeControls(d.file)}:`;
        filePrefixBytes = null;
      }
      const sev = severities[d.severity];
      return `${gap}${style.bold(`${filePrefix}${d.line}:${d.column}`)} ${sev} ${style.dim(d.code)} ${shownMessage(d.message)} ${style.dim(`(${d.rule}${d.fix ? ', fixable' : ''})`)}\n`;
    }
    const gap = advance(d) ? '\n' : '';
    return `${gap}${filePrefix}${d.line}:${d.column}${middleText()}${shownMessage(d.message)}${endText()}`;
  };
  return {
    begin(head: LintReportHead): string {
      maxWarnings = head.maxWarnings;
      return '';
    },
    finding,
    findingInto(d: Diagnostic, out: ByteOut): void {
      if (!plain) {
        out.text(finding(d));
        return;
      }
      if (advance(d)) out.bytes(NEWLINE);
      out.bytes((filePrefixBytes ??= utf8(filePrefix)));
      out.number(d.line);
      out.bytes(COLON);
      out.number(d.column);
      // what follows the column (the rule, the message and the name): one copy for a run of one
      // rule and message
      rest.write(out, (middleBytes ??= middleBytesOf(lastCode, lastSeverity)), shownMessage(d.message), (endBytes ??= endBytesOf(lastRule, lastFixable)), '');
    },
    aside(text: string): string {
      if (text === '') return '';
      const gap = last !== null ? '\n' : '';
      last = null;
      return `${gap}${text}`;
    },
    end(tail: LintReportTail): string {
      const s = tail.summary;
      const total = s.errors + s.warnings + s.info;
      let out = last !== null ? '\n' : '';
      const fixed = tail.fixed > 0 ? `; fixed ${n(tail.fixed, 'problem')}${tail.dryRun ? ' (dry run: nothing written)' : ''}` : '';
      const suppressed = tail.suppressed > 0 ? `; ${tail.suppressed} silenced by limitsctl-disable` : '';
      if (total === 0) {
        out += `${style.green(`✔ no problems in ${n(s.files, 'file')}${fixed}${suppressed}`)}\n`;
      } else {
        const line = `${s.errors > 0 ? '✖' : '⚠'} ${n(total, 'problem')} (${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}, ${s.info} info) in ${s.filesWithFindings} of ${n(s.files, 'file')}${s.fixable > 0 ? `; ${s.fixable} fixable with --fix` : ''}${fixed}${suppressed}`;
        out += `${s.errors > 0 ? style.red(style.bold(line)) : style.yellow(style.bold(line))}\n`;
        if (maxWarnings !== null && s.warnings > maxWarnings) out += `${style.yellow(`More than --max-warnings ${maxWarnings} warnings.`)}\n`;
      }
      return out;
    },
  };
}

/**
 * A format writer that can also write a finding as bytes: `findingInto(d, out)` writes exactly
 * the UTF-8 of `finding(d)` (and moves on the same state), without making that string.
 */
export interface FindingBytes {
  findingInto(d: Diagnostic, out: ByteOut): void;
}

/** Whether `style` adds nothing (no colour): each of its functions returns its text as it is. */
function isPlain(style: TextStyle): boolean {
  const probe = 'x';
  return style.bold(probe) === probe && style.dim(probe) === probe && style.red(probe) === probe
    && style.yellow(probe) === probe && style.cyan(probe) === probe && style.green(probe) === probe;
}

export function formatText(report: LintReport, style: TextStyle = PLAIN): string {
  return collect((w) => writeText(report, w, style));
}
