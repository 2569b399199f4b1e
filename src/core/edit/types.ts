/**
 * The shapes of an edit: requests (text as a person typed it), options, the plan planEdits
 * returns, and the error for a request that cannot be planned.
 *
 * Pure.
 */
import type { AccountDb } from '../accounts.js';
import { LimitsError } from '../errors.js';
import type { ConfigTree } from '../model.js';
import type { ProcLimits, Source } from '../resolve.js';
import type { TextEdit } from '../text-edit.js';

export type EditType = 'soft' | 'hard' | 'both';

/**
 * A request is *text* as a person typed it (JS strings; see bytes.ts): planEdits UTF-8 encodes
 * the domain, value and comment once, so `josé` is written as the bytes pam_limits compares with
 * a UTF-8 etc/passwd. A control character (C0, DEL, C1; in a comment, tab is allowed) is refused
 * with an EditInputError: it would be written raw into the file.
 */
export interface SetRequest {
  readonly op: 'set';
  /** the domain exactly as it will be written: `admin`, `@developers`, `*`, `1000:1999`, `josé` */
  readonly domain: string;
  readonly item: string;
  /** as in limits.conf: a number, or unlimited / infinity / -1 / `-` */
  readonly value: string;
  readonly type?: EditType;
  /** only raise (`at-least`) or only lower (`at-most`) */
  readonly mode?: 'exact' | 'at-least' | 'at-most';
  /** a comment for a written line (plain text, no newline) */
  readonly comment?: string;
}

export interface UnsetRequest {
  readonly op: 'unset';
  readonly domain: string;
  readonly item: string;
  readonly type?: EditType;
}

export type EditRequest = SetRequest | UnsetRequest;

export interface PlanOptions {
  /** where a new line goes when its family has none (path relative to the root); default limits.conf */
  readonly file?: string;
  /** the tree's accounts, to check who really gets the value and to flag unknown names */
  readonly accounts?: AccountDb | null;
  /** starting limits, as for resolveLimits */
  readonly pid1Limits?: ProcLimits | null;
  readonly nrOpen?: bigint | null;
  /** where nrOpen was set when the tree's sysctl configuration set it (`etc/sysctl.d/99-tune.conf:3`), named in messages */
  readonly nrOpenSource?: string;
  /** false when the session's process lacks CAP_SYS_RESOURCE: hard limits above the starting ones are refused (resolveLimits' capSysResource) */
  readonly capSysResource?: boolean;
  /** prune: for `apply`, domains whose other items are removed */
  readonly prune?: readonly string[];
}

/** A problem with the request itself: nothing can be planned (exit 2). */
export class EditInputError extends LimitsError {
  constructor(message: string, hint?: string, code: 'EEDIT' | 'ETARGET' = 'EEDIT') {
    super(message, { code, hint });
    this.name = 'EditInputError';
  }
}

export interface FileChange {
  /** path relative to the root */
  readonly path: string;
  /** the file's text before (binary string); null when the file is created */
  readonly before: string | null;
  readonly after: string;
  readonly edits: readonly TextEdit[];
  /**
   * The bytes `before` was loaded from (one byte per character), when the loaded tree kept them
   * (io/tree.ts loadTree's keepBytes): the write compares with them and builds `after` from them
   * and `edits`, without converting either text to bytes. Not enumerable: JSON, spreads and
   * structural comparisons of a change do not see it.
   */
  readonly beforeBytes?: Uint8Array;
}

export interface ChangeNote {
  readonly request: EditRequest;
  readonly status: 'changed' | 'unchanged';
  readonly detail: string;
  /**
   * A `set` without --at-least/--at-most that replaces a configured value by a lower one for the
   * same domain, item and half: `lowers admin nproc from unlimited to 4096; use --at-least to only
   * raise`. Informational: what is written does not depend on it, and --strict does not refuse it.
   */
  readonly note?: string;
}

/** A line that keeps an account (or everyone) from getting the requested value. */
export interface Blocker {
  readonly account: string;
  readonly item: string;
  readonly half: 'soft' | 'hard';
  readonly wanted: string;
  readonly got: string;
  readonly because: string;
  readonly source: Source | null;
  /** true when the account is a probe standing for every account the domain matches */
  readonly everyone: boolean;
  /** true when the release's pam_limits would deny the session (PAM_PERM_DENIED), not just ignore the value */
  readonly denies?: boolean;
}

export interface EditPlan {
  readonly changes: readonly FileChange[];
  readonly notes: readonly ChangeNote[];
  readonly warnings: readonly string[];
  /** accounts that will not get the requested value, and why */
  readonly blockers: readonly Blocker[];
  /** the tree after the edits */
  readonly after: ConfigTree;
}
