/**
 * `--format github` under GitHub's limit of 10 annotations of each kind per step: a kind with
 * more findings gets 9 annotations and a 10th that says how many more there are; the rest are
 * plain log lines (no workflow command), so the summary is always among the 10 GitHub shows and
 * no finding is lost from the log. At exactly 10 nothing changes.
 */
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../../../src/core/lint/report.js';
import { RULES } from '../../../src/core/lint/rules.js';
import type { Diagnostic, Severity } from '../../../src/core/lint/types.js';
import { ANNOTATION_LIMIT, formatGithub } from '../../../src/formatters/github.js';

function report(counts: Partial<Record<Severity, number>>): LintReport {
  const diagnostics: Diagnostic[] = [];
  let line = 1;
  // interleaved, as findings of a real file are
  const left = { error: counts.error ?? 0, warning: counts.warning ?? 0, info: counts.info ?? 0 };
  while (left.error + left.warning + left.info > 0) {
    for (const severity of ['error', 'warning', 'info'] as const) {
      if (left[severity] === 0) continue;
      left[severity]--;
      diagnostics.push({ line, column: 1, endLine: line, endColumn: 4, code: 'LC003', rule: 'unknown-item', severity, message: `finding on line ${line}`, file: 'etc/security/limits.conf' });
      line++;
    }
  }
  return {
    tool: { name: 'limitsctl', version: '0.1.0' }, cwd: '/w', diagnostics, files: ['etc/security/limits.conf'],
    rules: RULES.map((r) => ({ ...r, enabled: true })), suppressed: 0, fixed: 0, maxWarnings: null,
  };
}

const annotations = (text: string, kind: string) => text.split('\n').filter((l) => l.startsWith(`::${kind} `));

describe(`github format: at most ${ANNOTATION_LIMIT} annotations of a kind`, () => {
  it('25 errors, 3 warnings, 11 info: 9 error annotations + a summary, 3 warnings, 9 notices + a summary; every finding in the log', () => {
    const r = report({ error: 25, warning: 3, info: 11 });
    const out = formatGithub(r);
    const errors = annotations(out, 'error');
    expect(errors).toHaveLength(ANNOTATION_LIMIT);
    expect(errors.at(-1)).toMatch(/^::error title=limitsctl lint::16 more errors not shown as annotations \(GitHub shows 10 per kind and step; 25 in all\)/);
    expect(annotations(out, 'warning')).toHaveLength(3);
    const notices = annotations(out, 'notice');
    expect(notices).toHaveLength(ANNOTATION_LIMIT);
    expect(notices.at(-1)).toContain('2 more notices (info) not shown');
    // every finding is in the output once: as an annotation or as a log line
    for (const d of r.diagnostics) {
      const hits = out.split('\n').filter((l) => l.endsWith(`::${d.message}`) || l.includes(` ${d.message} (`));
      expect(hits, d.message).toHaveLength(1);
    }
    expect(out.split('\n').filter((l) => l.startsWith('etc/security/limits.conf:'))).toHaveLength(16 + 2);
  });

  it('exactly 10 of a kind: 10 annotations, no summary; 11: 9 and a summary of 2', () => {
    const ten = formatGithub(report({ error: 10 }));
    expect(annotations(ten, 'error')).toHaveLength(10);
    expect(ten).not.toContain('not shown');
    const eleven = formatGithub(report({ error: 11 }));
    expect(annotations(eleven, 'error')).toHaveLength(10);
    expect(annotations(eleven, 'error').at(-1)).toContain('2 more errors not shown');
  });
});
