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
