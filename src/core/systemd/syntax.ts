/**
 * systemd's unit-file syntax (systemd.syntax(7), systemd 252): the assignments of a unit file,
 * a drop-in or system.conf, each with its section, key, value and 1-based line.
 *
 * Rules (systemd.syntax(7) "DESCRIPTION", checked against `systemd-analyze verify` of systemd
 * 252.38-1~deb12u1, see test/systemd/agreement.test.ts):
 * - leading and trailing whitespace of a line is ignored; an empty line is ignored;
 * - a line whose first non-blank character is `#` or `;` is a comment;
 * - `[Section]` starts a section; an assignment before any section is ignored by systemd (it logs
 *   "Assignment outside of section. Ignoring.");
 * - `Key=Value`: whitespace around `=` is dropped; a line without `=` is ignored with a warning;
 * - a line ending in a backslash continues on the next line: the backslash becomes a space
 *   (`LimitNPROC=10\` + `0` is the value `10 0`, which systemd refuses); a comment line inside a
 *   continuation is skipped; the assignment's line is the line it starts on.
 * Pure: no I/O. Never throws on input.
 */

/** One `Key=Value` of a file. */
export interface Assignment {
  /** the section name without brackets, e.g. `Service`, `Manager`; null before any section */
  readonly section: string | null;
  readonly key: string;
  /** the value with surrounding whitespace removed and continuation lines joined */
  readonly value: string;
  /** 1-based line where the assignment begins */
  readonly line: number;
}

/** A line systemd warns about and ignores. */
export interface SyntaxProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedUnitText {
  readonly assignments: readonly Assignment[];
  readonly problems: readonly SyntaxProblem[];
}

const COMMENT = /^[#;]/;

/** Parse the text of a unit file, drop-in or manager configuration file. */
export function parseUnitText(text: string): ParsedUnitText {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const assignments: Assignment[] = [];
  const problems: SyntaxProblem[] = [];
  let section: string | null = null;
  let pending: { text: string; line: number } | null = null;
  const finish = (logical: string, line: number) => {
    const l = logical.trim();
    if (l === '' || COMMENT.test(l)) return;
    if (l.startsWith('[')) {
      if (!l.endsWith(']')) {
        problems.push({ line, message: `invalid section header '${l}'` });
        return;
      }
      section = l.slice(1, -1);
      return;
    }
    const eq = l.indexOf('=');
    if (eq < 0) {
      problems.push({ line, message: `missing '=', ignoring line` });
      return;
    }
    if (section === null) {
      problems.push({ line, message: 'assignment outside of section, ignoring' });
      return;
    }
    assignments.push({ section, key: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim(), line });
  };
  lines.forEach((raw, i) => {
    const stripped = raw.trim();
    if (pending) {
      // a comment line inside a continued line is skipped
      if (COMMENT.test(stripped)) return;
      if (stripped.endsWith('\\')) {
        pending.text += ` ${stripped.slice(0, -1)}`;
        return;
      }
      finish(`${pending.text} ${stripped}`, pending.line);
      pending = null;
      return;
    }
    if (!COMMENT.test(stripped) && stripped.endsWith('\\')) {
      pending = { text: stripped.slice(0, -1), line: i + 1 };
      return;
    }
    finish(stripped, i + 1);
  });
  if (pending) finish((pending as { text: string; line: number }).text, (pending as { text: string; line: number }).line);
  return { assignments, problems };
}
