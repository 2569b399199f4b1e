/// <reference types="node" preserve="true" />
/**
 * limitsctl as a library (docs/library.md): parse and print limits files losslessly, load a config
 * tree in pam_limits' order, resolve a user's effective limits with provenance, explain them, plan
 * idempotent edits and write them safely, lint. The deliberate public surface: every name here is
 * documented in docs/library.md, checks its arguments (LimitsError `EARGUMENT`, never a TypeError)
 * and is pinned by test/library/exports.test.ts — a change to this list is an API change and goes
 * into CHANGELOG.md. The CLI, the fleet planner and the tests import src/ modules directly, never
 * this file. Edited file contents are Buffers (src/library/edit.ts). The declarations name Node's
 * types (Buffer, NodeJS.ErrnoException): TypeScript users need @types/node (the reference above
 * says so to the compiler).
 */

// ── errors: one base class, codes with their kind (docs/library.md "Errors")
export { ERROR_CODES } from './library/tables.js';
export { errorKind, LimitsError, type LimitsErrorCode, type LimitsErrorKind, type LimitsOwnCode, type OsErrorCode } from './core/errors.js';
export { EditInputError } from './core/edit.js';
export { PathChangedError, TreeRootError } from './io/paths.js';
export { AccountFileError, UnknownUserError } from './io/accounts.js';
export {
  ConcurrentModificationError, JournalError, LimitsIoError, LockTimeoutError, OutsideRootError, PartialWriteError, ProcessLimitError,
} from './io/write.js';
export { PolicyError } from './io/policy.js';
export { LintPathError } from './io/lint-targets.js';
export { SettingsError } from './io/settings.js';

// ── bytes and text
export { binaryToDisplay, displayBytes, fromBytes, toBytes } from './library/api.js';
export type { Bytes } from './core/bytes.js';
export type { DisplayOptions, EditRequest, IdentityOptions, LoadTreeOptions, ParseOptions, PlanOptions, ResolveOptions, SetRequest, UnsetRequest } from './library/types.js';

// ── the model and parsing (pure)
export { parseLimits, printDocument, treeFromFiles } from './library/api.js';
export type {
  BlankReading, CommentReading, EntryReading, Field, FileRole, FileStatus, IgnoredFile, IgnoreReason,
  InvalidReading, Line, NoLimitReading, Problem, ProblemCode, Reading, Span,
} from './core/model.js';
// documents and trees: without the internal one-char-per-byte `text` (the bytes: printDocument)
export type { ConfigTree, LimitsDocument, LintTarget, TreeFile } from './library/types.js';
export type { ParsedValue, ValueNote } from './core/values.js';
export type { DomainKind, DomainSpec, UidRange } from './core/domain.js';

// ── release profiles and the schema
export { canonicalProfile, itemForProfile, itemInfo, parseOsRelease, profileForOsRelease, profileInfo } from './library/api.js';
export { isProfileName, isRlimitItem, RLIM_INFINITY } from './core/schema.js';
// tables: deeply frozen copies (changing one cannot change the library's behaviour)
export { ITEM_NAMES, ITEMS, LIMIT_TYPES, PROFILE_ALIASES, PROFILE_NAMES, PROFILE_TRAITS, PROFILES, RANK, RLIMIT_ITEMS } from './library/tables.js';
export type {
  ItemInfo, ItemName, LimitType, OtherItem, Profile, ProfileAlias, ProfileInfo, ProfileName, ProfileTraits, Rank, RlimitItem, Unit,
} from './core/schema.js';
export type { OsReleaseFields, ProfileDetection } from './core/profiles.js';

// ── accounts
export { identityFor, loadAccountDb, loadIdentity, parseGroup, parsePasswd } from './library/api.js';
export type { AccountDb, GroupEntry, GroupRef, Identity, PasswdEntry } from './core/accounts.js';

// ── effective limits and why (pure)
export { effectiveJson, explainItem, parseProcLimits, resolveLimits } from './library/api.js';
export type {
  LineEvent, NoLimitHit, Origin, Outcome, PamResult, ProcLimits, Resolution, RlimitResult, Slot, Source,
} from './core/resolve.js';
export type { HalfExplanation, LineExplanation, Verdict } from './core/explain.js';
export type { EffectiveJson, EffectiveLimit } from './library/api.js';
export type { SourceRef } from './formatters/effective.js';

// ── reading a tree (the io ring)
export { checkRoot, detectProfile, loadBaseline, loadTree } from './library/api.js';
export type { LoadedTree } from './library/types.js';
export type { Baseline } from './io/system.js';

// ── edits: plan (pure, contents as Buffers), then write them in one transaction
export { applyPlan, commitEdits, planEdits } from './library/edit.js';
export type { CommitChange, CommitOptions, CommitPlan, CommitResult, EditPlan, FileChange } from './library/edit.js';
export type { Blocker, ChangeNote, EditType } from './core/edit.js';
export type { CommittedFile } from './io/commit.js';
export type { RecoveryReport } from './io/write-journal.js';
export { parsePolicy } from './library/api.js';
export type { Policy } from './io/policy.js';

// ── lint
export { formatLintReport, lintExitCode, lintPaths, lintSummary, lintTarget, lintTree, loadSettings } from './library/lint.js';
export type { LintOptions } from './library/lint.js';
export { LINT_RULES } from './library/tables.js';
export type {
  Diagnostic, LintAccounts, LintConfig, LintResult, Position, RelatedLocation, RuleCategory, RuleMeta, Severity as LintSeverity, SeveritySetting,
} from './core/lint/types.js';
export type { LintReport, LintSummary } from './core/lint/report.js';
export type { Policy as LintPolicy, PolicyEntry as LintPolicyEntry } from './core/lint/policy.js';
export type { LintSettings } from './io/settings.js';
export type { LintFormat } from './formatters/lint-format-names.js';
