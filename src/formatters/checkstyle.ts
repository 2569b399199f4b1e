/**
 * `--format checkstyle`: Checkstyle's XML report (the shape of Checkstyle 4.3 to 10's XMLLogger,
 * which Jenkins' Warnings Next Generation plugin, GitLab integrations and reviewdog read):
 * `<checkstyle version="4.3"><file name="FILE"><error line column severity message
 * source="limitsctl.LC003"/></file></checkstyle>`. Pure.
 *
 * A `<file>` per file with findings, written as its findings come (grouped by file: nothing is
 * held), then an empty `<file>` for every other file looked at (Checkstyle lists every file it
 * audited). `severity` is error, warning or info (Checkstyle's own names); `column` is 1-based in
 * Unicode code points (as SARIF and the GitHub format); the message ends with the rule's name in
 * parentheses, as in the text format. Paths as in the other formats; text escaped for XML 1.0
 * (xml.ts).
 */
import type { LintFormatWriter, LintReport, LintReportTail } from '../core/lint/report.js';
import { reportPieces } from '../core/lint/report.js';
import type { Diagnostic } from '../core/lint/types.js';
import { collect, type Write } from './stream.js';
import { XML_DECLARATION, xmlAttr } from './xml.js';

/** The Checkstyle format written as the findings are produced ({@link LintFormatWriter}). */
export function checkstyleWriter(): LintFormatWriter {
  let open: string | null = null;
  const withFindings = new Set<string>();
  return {
    begin: () => `${XML_DECLARATION}<checkstyle version="4.3">\n`,
    finding(d: Diagnostic): string {
      let out = '';
      if (d.file !== open) {
        if (open !== null) out += '  </file>\n';
        open = d.file;
        withFindings.add(d.file);
        out += `  <file name="${xmlAttr(d.file)}">\n`;
      }
      const col = d.text ? d.text.column : d.column;
      return `${out}    <error line="${d.line}" column="${col}" severity="${d.severity}" message="${xmlAttr(`${d.message} (${d.rule})`)}" source="limitsctl.${xmlAttr(d.code)}"/>\n`;
    },
    aside: () => '',
    end(tail: LintReportTail): string {
      let out = open !== null ? '  </file>\n' : '';
      for (const f of tail.files) if (!withFindings.has(f)) out += `  <file name="${xmlAttr(f)}"/>\n`;
      return `${out}</checkstyle>\n`;
    },
  };
}

export function checkstylePieces(report: LintReport): Generator<string, void, undefined> {
  return reportPieces(checkstyleWriter(), report);
}

export function writeCheckstyle(report: LintReport, write: Write): void {
  for (const p of checkstylePieces(report)) write(p);
}

export function formatCheckstyle(report: LintReport): string {
  return collect((w) => writeCheckstyle(report, w));
}
