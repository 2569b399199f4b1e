/**
 * The rule registry, in code order. A code is never reused: when a rule is retired, its entry
 * is replaced by a tombstone comment (`// LC0xx name: removed in vX, because …`) and the code
 * stays taken. Every code has a section in docs/rules.md.
 *
 * Bands: LC0xx syntax (what pam_limits rejects or misreads), LC1xx profile (what differs between
 * pam_limits versions), LC2xx semantics (what a line does for the accounts it matches), LC3xx
 * files, LC4xx policy (from the settings file), LC9xx the linter itself.
 */
import { crlfLineEndings } from './rules/crlf-line-endings.js';
import { dashDomain } from './rules/dash-domain.js';
import { profileDifference } from './rules/dialect-difference.js';
import { duplicateEntry } from './rules/duplicate-entry.js';
import { entryAfterEndOfFile } from './rules/entry-after-end-of-file.js';
import { extraFields } from './rules/extra-fields.js';
import { fatalFile } from './rules/fatal-file.js';
import { fileNotEvaluated } from './rules/file-not-evaluated.js';
import { hardAboveStart } from './rules/hard-above-start.js';
import { hardHalfSkipped } from './rules/hard-half-skipped.js';
import { ignoredFile } from './rules/ignored-file.js';
import { invalidRange } from './rules/invalid-range.js';
import { invalidValue } from './rules/invalid-value.js';
import { itemNotInProfile } from './rules/item-not-in-profile.js';
import { leadingZeros } from './rules/leading-zeros.js';
import { maxloginsTooLow } from './rules/maxlogins-too-low.js';
import { neverWins } from './rules/never-wins.js';
import { nofileAboveNrOpen } from './rules/nofile-above-nr-open.js';
import { nofileUnlimited } from './rules/nofile-unlimited.js';
import { noLimitsLine } from './rules/no-limits-line.js';
import { notAppliedToRoot } from './rules/not-applied-to-root.js';
import { outOfRange } from './rules/out-of-range.js';
import { overriddenByLaterFile } from './rules/overridden-by-later-file.js';
import { percentDomain } from './rules/percent-domain.js';
import { policyMaximum } from './rules/policy-maximum.js';
import { policyMinimum } from './rules/policy-minimum.js';
import { policyRequired } from './rules/policy-required.js';
import { ruleError } from './rules/rule-error.js';
import { softAboveHard } from './rules/soft-above-hard.js';
import { strayHeader } from './rules/stray-header.js';
import { templatePlaceholder } from './rules/template-placeholder.js';
import { tooFewFields } from './rules/too-few-fields.js';
import { unknownAccount } from './rules/unknown-account.js';
import { unknownItem } from './rules/unknown-item.js';
import { unknownSuppression } from './rules/unknown-suppression.js';
import { unknownType } from './rules/unknown-type.js';
import { uppercaseKeyword } from './rules/uppercase-keyword.js';
import { valueMisread } from './rules/value-misread.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  // LC0xx syntax
  tooFewFields,          // LC001
  unknownType,           // LC002
  unknownItem,           // LC003
  invalidValue,          // LC004
  valueMisread,          // LC005
  extraFields,           // LC006
  invalidRange,          // LC007
  percentDomain,         // LC008
  strayHeader,           // LC009
  templatePlaceholder,   // LC010
  uppercaseKeyword,      // LC011
  leadingZeros,          // LC012
  dashDomain,            // LC013
  // LC1xx profile
  profileDifference,     // LC101
  itemNotInProfile,      // LC102
  crlfLineEndings,       // LC103
  // LC2xx semantics
  softAboveHard,         // LC201
  duplicateEntry,        // LC202
  neverWins,             // LC203
  hardHalfSkipped,       // LC204
  noLimitsLine,          // LC205
  notAppliedToRoot,      // LC206
  nofileAboveNrOpen,     // LC207
  nofileUnlimited,       // LC208
  outOfRange,            // LC209
  maxloginsTooLow,       // LC210
  hardAboveStart,        // LC211
  // LC3xx files
  ignoredFile,           // LC301
  overriddenByLaterFile, // LC302
  fatalFile,             // LC303
  unknownAccount,        // LC304
  entryAfterEndOfFile,   // LC305
  fileNotEvaluated,      // LC306
  // LC4xx policy
  policyMinimum,         // LC401
  policyMaximum,         // LC402
  policyRequired,        // LC403
  // LC9xx the linter itself
  ruleError,             // LC900
  unknownSuppression,    // LC901
];

const BY_KEY = new Map<string, Rule>();
for (const r of RULES) {
  BY_KEY.set(r.code.toLowerCase(), r);
  BY_KEY.set(r.name, r);
}

/** A rule by code (any case) or name; undefined when there is none. */
export function findRule(codeOrName: string): Rule | undefined {
  return BY_KEY.get(codeOrName.toLowerCase());
}
