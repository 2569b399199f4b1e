/**
 * The one base class of limitsctl's errors, and the table that says what each error code means.
 *
 * Every error the library throws on purpose is a {@link LimitsError}: a message in the library's
 * own terms (a "root", a "target", a "type 'both'" — never a command-line flag), an errno-style
 * {@link LimitsError.code}, and optionally a hint, the path the error is about and its cause.
 * {@link errorKind} reads the code through {@link ERROR_CODES}: `usage` (a command line that does
 * not parse), `input` (a value, domain, policy, settings file, account or root the caller gave),
 * `io` (the file system: the OS's own errno codes such as `EACCES`, and the codes below) and
 * `conflict` (someone else changed a file meanwhile). The CLI classifies with this one table
 * (src/cli/main.ts): every kind exits 2 with nothing written; anything that is not a LimitsError
 * and carries no OS code is a bug ("internal error").
 *
 * Pure: no I/O, no Node module (the core throws these too).
 */

/** What kind of failure an error code is; the CLI's `--json` error object carries it as `code`. */
export type LimitsErrorKind = 'usage' | 'input' | 'io' | 'conflict';

/**
 * limitsctl's own error codes, each with its kind. The OS's errno codes (`EACCES`, `EROFS`,
 * `ENOENT`…) are not listed: any other `E[A-Z0-9]+` code is an OS error of kind `io`.
 */
export const ERROR_CODES = {
  // ── usage: the command line
  /** argv does not parse: unknown option, missing argument, a value of the wrong type (ArgvError) */
  EUSAGE: 'usage',
  // ── input: what the caller asked for
  /** a value given to the CLI is not acceptable (UsageError) */
  EINPUT: 'input',
  /** an edit request the planner refuses: item, value, domain, comment or file (EditInputError) */
  EEDIT: 'input',
  /** an edit's target is not named exactly once, or named in the wrong form (domainFor) */
  ETARGET: 'input',
  /** a policy for `apply` that cannot be read as written (PolicyError) */
  EPOLICY: 'input',
  /** a settings file (.limitsctl.ini) that cannot be used (SettingsError) */
  ESETTINGS: 'input',
  /** an ini file that the `ini` package would read differently from what it says (IniError) */
  EINI: 'input',
  /** an account that does not exist (UnknownUserError) */
  EUNKNOWNUSER: 'input',
  /** a lint PATH that names no pam_limits configuration (LintPathError) */
  ELINTPATH: 'input',
  /** the tree root is not an existing, listable directory (or not absolute where that is needed) (TreeRootError) */
  EBADROOT: 'input',
  /** the same file was given twice to one multi-file write */
  EDUPLICATE: 'input',
  /** a library function was called with an argument of the wrong type or shape (src/library/args.ts) */
  EARGUMENT: 'input',
  // ── io: the file system (besides the OS's errno codes)
  /** a path, or where a symlink on it leads, is outside the tree root (OutsideRootError) */
  EOUTSIDEROOT: 'io',
  /** a path was swapped (e.g. for a symlink) while it was being opened (PathChangedError) */
  ECHANGED: 'io',
  /** the target exists but is not a regular file (a FIFO, device, socket…) */
  ENOTREG: 'io',
  /** a file is above the size limitsctl reads, or an edit would make it so (nothing written) */
  ETOOLARGE: 'io',
  /** a file to replace has other hard links (replace this name only with hardLinks 'split') */
  EHARDLINK: 'io',
  /** the ACL or extended attributes of a file cannot be kept */
  EATTR: 'io',
  /** an account file of the tree (etc/passwd, etc/group) exists but cannot be used (AccountFileError) */
  EACCOUNTFILE: 'io',
  /** an interrupted multi-file change cannot be completed or undone (JournalError) */
  EJOURNAL: 'io',
  /** the tree lock stayed held by another process (LockTimeoutError) */
  ELOCKTIMEOUT: 'io',
  /** a multi-file write renamed some files and then failed (PartialWriteError) */
  EPARTIAL: 'io',
  /** an I/O failure without an OS code */
  EUNKNOWN: 'io',
  // ── conflict: someone else
  /** a file changed since the caller read it; nothing was written (ConcurrentModificationError) */
  ECONFLICT: 'conflict',
} as const satisfies Record<string, LimitsErrorKind>;

/** One of limitsctl's own codes (see {@link ERROR_CODES}). */
export type LimitsOwnCode = keyof typeof ERROR_CODES;
/** An OS errno code as Node reports it (`EACCES`, `EROFS`, `ENOSPC`…): kind `io`. */
export type OsErrorCode = `E${string}`;
/** The `code` of a {@link LimitsError}. */
export type LimitsErrorCode = LimitsOwnCode | OsErrorCode;

const OS_CODE = /^E[A-Z0-9]+$/;

/**
 * The kind of an error code: from {@link ERROR_CODES}, `io` for any other errno-style code
 * (`E` and capitals: the OS's), or null for anything else (Node's own `ERR_*` codes are bugs).
 */
export function errorKind(code: unknown): LimitsErrorKind | null {
  if (typeof code !== 'string') return null;
  if (Object.prototype.hasOwnProperty.call(ERROR_CODES, code)) return ERROR_CODES[code as LimitsOwnCode];
  return OS_CODE.test(code) ? 'io' : null;
}

/** Options of {@link LimitsError}'s constructor. */
export interface LimitsErrorOptions {
  readonly code: LimitsErrorCode;
  /** what to do about it, in the library's terms */
  readonly hint?: string | undefined;
  /** the file or directory the error is about, as the caller gave it */
  readonly path?: string | undefined;
  /** the underlying error */
  readonly cause?: unknown;
}

/** Base class of every error limitsctl throws on purpose. */
export class LimitsError extends Error {
  /** errno-style code: one of {@link ERROR_CODES}, or the OS's (`EACCES`…) */
  readonly code: LimitsErrorCode;
  /** what to do about it, when the message does not say */
  readonly hint: string | undefined;
  /** the path the error is about, when there is one */
  readonly path: string | undefined;

  constructor(message: string, opts: LimitsErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.hint = opts.hint;
    this.path = opts.path;
  }

  /** {@link errorKind} of this error's code (`io` for an unknown one: it is still a LimitsError). */
  get kind(): LimitsErrorKind {
    return errorKind(this.code) ?? 'io';
  }
}
