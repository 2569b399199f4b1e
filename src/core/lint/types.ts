/**
 * The shapes of the linter: rules, what they report, and the diagnostics the engine returns.
 * Pure: no I/O.
 *
 * Positions are 1-based lines and 1-based **byte** columns with an exclusive end (a field
 * `nofile` at the start of line 3 is 3:1–3:7). Where a line holds non-ASCII bytes before or inside
 * the span, `text` also gives the columns in Unicode code points (SARIF uses those).
 */
import type { ProcLimits } from '../resolve.js';
import type { AccountDb } from '../accounts.js';
import type { ConfigTree, LimitsDocument, Span, TreeFile } from '../model.js';
import type { Profile } from '../schema.js';
import type { TextEdit } from '../text-edit.js';
import type { Policy } from './policy.js';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type RuleCategory = 'syntax' | 'dialect' | 'semantics' | 'files' | 'policy' | 'tool';

/** What every rule declares about itself (docs/rules.md has one section per rule). */
export interface RuleMeta {
  /** stable code, `LC` + three digits; never reused */
  readonly code: string;
  /** kebab-case alias, accepted wherever a code is */
  readonly name: string;
  readonly category: RuleCategory;
  /** default severity (settings can change it or turn the rule off) */
  readonly severity: Severity;
  /** one sentence: what the rule finds */
  readonly description: string;
  /** whether some of its findings carry a safe fix */
  readonly fixable: boolean;
}

export interface Rule extends RuleMeta {
  /**
   * 'file': the rule reports only on the files of `ctx.docs`, and finds what to report from them
   * alone (their lines, and facts about the whole tree such as the analysis or the accounts), so
   * the engine may call `check` once per file with `ctx.docs` holding that file only, and write a
   * file's findings before the next file is checked (memory bounded by one file's findings, not
   * the tree's). Unset: `check` runs once on the whole tree and its findings are held until their
   * file is written.
   */
  readonly scope?: 'file';
  check(ctx: RuleContext): void;
}

/** A position as reported: 1-based line, 1-based byte column, exclusive end. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface RelatedLocation extends Position {
  readonly file: string;
  readonly message: string;
}

export interface Diagnostic extends Position {
  readonly code: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** display path of the file */
  readonly file: string;
  /** code-point columns, present only where they differ from the byte columns */
  readonly text?: { readonly column: number; readonly endColumn: number };
  /** byte offsets [start, end) in the file, when the finding is inside a parsed file */
  readonly offset?: { readonly start: number; readonly end: number };
  /** a safe fix: edits against the file's original text (binary strings) */
  readonly fix?: readonly TextEdit[];
  readonly related?: readonly RelatedLocation[];
}

/** What a rule passes to `report`. */
export interface RuleReport {
  /** the file the finding is in (a tree file, or the path of an ignored file) */
  readonly file: TreeFile | string;
  /** byte span in the file's text; omitted = the start of the file (1:1) */
  readonly span?: Span;
  readonly message: string;
  readonly fix?: readonly TextEdit[];
  readonly related?: ReadonlyArray<{ readonly file: TreeFile | string; readonly span?: Span; readonly message: string }>;
}

/**
 * A finding's message and related locations made when the finding is written, not when it is
 * found: one object shared by many findings, each of which is given by two numbers of the rule's
 * choosing (say, the reading orders of a line and of the line that replaces it), 32-bit signed
 * integers (the engine keeps them in an Int32Array). Until its file is
 * written, such a finding is held as a few numbers, not as its text and related objects (on a
 * 1,000,000-line tree those were most of what the heap took on, file after file). Both functions
 * must be pure — the same numbers give the same text — and must not report: the engine calls
 * them when it writes the finding, when two findings on one line are ordered by message, and at
 * once for a finding that cannot wait (one with a fix, or on a line holding non-ASCII bytes).
 */
export interface FindingText {
  message(a: number, b: number): string;
  related?(a: number, b: number): RuleReport['related'];
}

/** What a rule passes to `report` when its message is made later, by {@link FindingText}. */
export interface DeferredReport {
  /** the file the finding is in (a tree file, or the path of an ignored file) */
  readonly file: TreeFile | string;
  /** byte span in the file's text; omitted = the start of the file (1:1) */
  readonly span?: Span;
  readonly text: FindingText;
  /** the numbers `text` is called with: integers from -2^31 to 2^31 - 1 */
  readonly a: number;
  readonly b: number;
  readonly fix?: readonly TextEdit[];
}

/** Everything a rule may look at. */
export interface RuleContext {
  readonly tree: ConfigTree;
  readonly profile: Profile;
  /** the tree's accounts (etc/passwd, etc/group), or null when it has none */
  readonly accounts: LintAccounts | null;
  /** fs.nr_open: nofile "unlimited" becomes this, and a hard nofile above it is refused */
  readonly nrOpen: bigint;
  /** where nrOpen was set (`etc/sysctl.d/99-tune.conf:3`) when the tree's sysctl configuration set it, else null */
  readonly nrOpenSource: string | null;
  /** false when the tree's PID 1 lacks CAP_SYS_RESOURCE (proc/1/status), null when unknown */
  readonly capSysResource: boolean | null;
  /** PID 1's limits (proc/1/limits) when the tree has them, else null */
  readonly startingLimits: ProcLimits | null;
  readonly policy: Policy;
  /** whether the target is one file linted on its own, outside any tree */
  readonly standalone: boolean;
  /**
   * the display paths whose findings are shown (LintTarget.only: a file of a tree named on its
   * own, `--stdin --stdin-filename`); undefined: every file's. The engine drops findings on other
   * files; a rule whose finding elsewhere changes what the shown files' results mean says so on them
   */
  readonly only?: ReadonlySet<string>;
  /** shared, lazily computed facts (dead lines, per-account resolutions) */
  readonly analysis: import('./analysis.js').Analysis;
  /** the parsed files, in pam_limits' reading order */
  readonly docs: ReadonlyArray<{ readonly file: TreeFile; readonly doc: LimitsDocument }>;
  /** a finding: its message now (RuleReport) or made when it is written (DeferredReport) */
  report(r: RuleReport | DeferredReport): void;
}

export interface LintAccounts {
  readonly db: AccountDb;
  /** etc/passwd exists in the tree */
  readonly hasPasswd: boolean;
  /** etc/group exists in the tree */
  readonly hasGroup: boolean;
}

/** One unit of linting: a config tree (or a single file), with what the rules need to know. */
export interface LintTarget {
  /** file paths in it are display paths (relative to the working directory, or absolute) */
  readonly tree: ConfigTree;
  readonly accounts: LintAccounts | null;
  /** default 1048576 */
  readonly nrOpen?: bigint;
  /** where nrOpen was set when the tree's sysctl configuration set it (`etc/sysctl.d/99-tune.conf:3`), for messages */
  readonly nrOpenSource?: string;
  /** false when the tree's PID 1 lacks CAP_SYS_RESOURCE (proc/1/status, core/caps.ts) */
  readonly capSysResource?: boolean;
  /** PID 1's limits (proc/1/limits) of the tree's snapshot */
  readonly startingLimits?: ProcLimits;
  readonly standalone?: boolean;
  /** report only on these display paths (a file named on the command line inside a tree) */
  readonly only?: ReadonlySet<string>;
}

export interface LintConfig {
  /** severity overrides by rule code */
  readonly severities?: ReadonlyMap<string, SeveritySetting>;
  readonly policy?: Policy;
  /** account classes per item (combinations of user name, uid, gid and group memberships its lines test) resolved exhaustively; above it never-wins (LC203) says it did not check that item (default 16,384). Not a limit in lines */
  readonly analysisBudget?: number;
}

export interface LintResult {
  readonly diagnostics: readonly Diagnostic[];
  /** display paths of the files looked at (parsed, missing or ignored), in order */
  readonly files: readonly string[];
  /** findings silenced by limitsctl-disable comments */
  readonly suppressed: number;
}
