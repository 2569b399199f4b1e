/**
 * The names `lint --format` accepts (a module of its own: the command-line grammar needs the
 * names at every start, the writers only when lint runs; src/formatters/lint-formats.ts).
 */
export const LINT_FORMATS = ['text', 'json', 'sarif', 'github', 'junit', 'checkstyle', 'codeclimate'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Whether `name` is one of {@link LINT_FORMATS}. */
export function isLintFormat(name: string): name is LintFormat {
  return (LINT_FORMATS as readonly string[]).includes(name);
}
