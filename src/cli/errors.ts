import { LimitsError } from '../core/errors.js';

/**
 * Wrong input found by the CLI itself (a value of an option it checks): code `EINPUT`, exit 2.
 * The library's own errors need no conversion: src/cli/main.ts classifies every LimitsError by
 * its code.
 */
export class UsageError extends LimitsError {
  constructor(message: string, hint?: string, code: 'EINPUT' | 'EUSAGE' = 'EINPUT') {
    super(message, { code, hint });
    this.name = 'UsageError';
  }
}

/**
 * A library text (an edit's reason, src/core/edit.ts) in the CLI's terms: "type 'both'" becomes
 * "--type both", "a line for the user root" "a line with --user root".
 */
export function cliTerms(text: string): string {
  return text
    .replace(/\btype '(soft|hard|both)'/g, '--type $1')
    .replace(/\ba line for the user (\S+)/g, 'a line with --user $1');
}
