/**
 * limitsctl as a library: parse and print limits files losslessly, load a config tree in
 * pam_limits' order, resolve a user's effective limits with provenance, explain them, and plan
 * idempotent edits. The core entry points (parse, resolve, explain, plan) do no I/O; the `io`
 * functions read and write files. See docs/library.md.
 */

// errors: one base class, codes with their kind (pure); see docs/library.md "Errors"
export {
  ERROR_CODES, errorKind, LimitsError, type LimitsErrorCode, type LimitsErrorKind, type LimitsErrorOptions, type LimitsOwnCode,
  type OsErrorCode,
} from './core/errors.js';

// the model and parsing (pure)
export type {
  BlankReading, CommentReading, ConfigTree, EntryReading, Field, FileRole, FileStatus, IgnoredFile, IgnoreReason,
  InvalidReading, Line, LimitsDocument, NoLimitReading, Problem, ProblemCode, Reading, Span, TreeFile,
} from './core/model.js';
export { binaryToBytes, binaryToDisplay, bytesToBinary, entries, lineText, positionAt, printDocument, textToBinary } from './core/model.js';
export { type Bytes, displayBytes, fromBytes, toBytes } from './core/bytes.js';
export { parseBinary, parseLimits, type ParseOptions } from './core/parse.js';

// the schema
export {
  PROFILE_NAMES, PROFILE_ALIASES, PROFILE_TRAITS, FALLBACK_PROFILE, ITEMS, ITEM_NAMES, LIMIT_TYPES, RANK, RANK_NAMES, RLIM_INFINITY, RLIMIT_ITEMS,
  canonicalProfile, isProfile, isProfileName, isRlimitItem, itemForProfile, itemInfo, NICE_RANGE, PROFILES, profileInfo, RTPRIO_RANGE,
} from './core/schema.js';
export type {
  LineReading, OsPattern, Profile, ProfileAlias, ProfileCell, ProfileName, ProfileTraits, ItemInfo, ItemName, LimitType, OtherItem,
  ProfileInfo, Rank, RlimitItem, Unit, ValueGrammar, ValueRange,
} from './core/schema.js';
export { parseOsRelease, profileForOsRelease, type OsReleaseFields, type ProfileDetection } from './core/profiles.js';
export { convertToKernel, kernelToConf, parseValue, strtol, strtoull, type ParsedValue, type ValueNote } from './core/values.js';
export { describeDomain, parseDomain, parseUidRange, type DomainKind, type DomainSpec, type UidRange } from './core/domain.js';

// accounts (pure parsing)
export { identityFor, identityFromDb, membersOf, parseGroup, parsePasswd } from './core/accounts.js';
export type { AccountDb, GroupEntry, GroupRef, Identity, PasswdEntry } from './core/accounts.js';

// effective limits (pure)
export { matchEntryDomain, matchNoLimitDomain, parseProcLimits, resolveLimits } from './core/resolve.js';
export type {
  LineEvent, NoLimitHit, Origin, Outcome, PamResult, ProcLimits, Resolution, ResolveOptions, RlimitResult, Slot, Source,
} from './core/resolve.js';
export { describeVerdict, explainItem, type HalfExplanation, type LineExplanation, type Verdict } from './core/explain.js';
export { effectiveJson, halfView, resolutionWarnings, type ConfValue, type HalfView, type SourceRef } from './formatters/effective.js';

// edits (pure planning)
export { applyEdits, type TextEdit } from './core/text-edit.js';
export {
  checkTargetPath, domainFor, EditInputError, planEdits, validateDomain, validateItem, validateValue,
} from './core/edit.js';
export type {
  Blocker, ChangeNote, EditPlan, EditRequest, EditType, FileChange, PlanOptions, SetRequest, UnsetRequest,
} from './core/edit.js';

// I/O: reading trees and accounts, writing safely
export { loadTree, MAIN_FILE, DROPIN_DIR, type LoadedTree, type LoadTreeOptions } from './io/tree.js';
export { checkRoot, PathChangedError, TreeRootError } from './io/paths.js';
export { AccountFileError, loadAccountDb, loadIdentity, UnknownUserError, type IdentityOptions } from './io/accounts.js';
export {
  ConcurrentModificationError, JournalError, LimitsIoError, LockTimeoutError, OutsideRootError, PartialWriteError, readFileSnapshot,
  withTreeLock, writeFileAtomic, writeFilesAtomic,
} from './io/write.js';
export type { FileWrite, WriteFileOptions, WriteOptions, WriteResult } from './io/write.js';
// the edit transaction every writer uses: plan, check, lock, re-plan, compare-and-swap write, retry
export { commitEdits } from './io/commit.js';
export type { CommitChange, CommitOptions, CommitPlan, CommitResult, CommittedFile } from './io/commit.js';
export type { RecoveryReport } from './io/write-journal.js';

// shared with the CLI and the Ansible module (ansible/library/limitsctl): the profile of a root
// (os-release), the limits a session starts from (PID 1's limits, nr_open), and the policy format
export { detectProfile, loadBaseline } from './io/system.js';
export { parsePolicy, PolicyError, type Policy } from './io/policy.js';

// doctor: why fork() fails for an account (pure analysis of facts; the io ring gathers them)
export { diagnose, type DoctorReport, type DoctorStatus, type FindingId, type Severity as DoctorSeverity } from './core/doctor.js';
export { readLiveFacts, type LiveFacts } from './io/live.js';
export { DOCTOR_SCHEMA, doctorJson, formatDoctorText } from './formatters/doctor.js';

// lint (pure engine and formatters; targets and settings are read by the io ring)
export { lintTarget } from './core/lint/engine.js';
export { fixTarget } from './core/lint/fix.js';
export { RULES, findRule } from './core/lint/rules.js';
export type { Rule, RuleMeta, Severity as LintSeverity } from './core/lint/types.js';
export { formatText } from './formatters/text.js';
export { formatJson, lintJson } from './formatters/json.js';
export { formatSarif, lintSarif } from './formatters/sarif.js';
export { formatGithub } from './formatters/github.js';
export { loadLintTargets, LintPathError } from './io/lint-targets.js';
export { loadSettings, SettingsError, type LintSettings } from './io/settings.js';
