/**
 * The public surface of the library, pinned. A change to either list below is an API change:
 * note it in CHANGELOG.md ("Unreleased") and in docs/library.md (the API summary names every value
 * export), then update the list. The CLI, the fleet planner and the tests import src/ modules
 * directly; only the package's users import src/index.ts (through dist/index.js and dist/index.cjs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';

const REPO = path.resolve(__dirname, '../..');

/** Values (functions, classes, constants): what `import * as lib from 'limitsctl'` holds. */
const VALUES = [
  'AccountFileError', 'ConcurrentModificationError', 'ERROR_CODES', 'EditInputError', 'ITEMS', 'ITEM_NAMES', 'JournalError', 'LIMIT_TYPES',
  'LINT_RULES', 'LimitsError', 'LimitsIoError', 'LintPathError', 'LockTimeoutError', 'OutsideRootError', 'PROFILES', 'PROFILE_ALIASES',
  'PROFILE_NAMES', 'PROFILE_TRAITS', 'PartialWriteError', 'PathChangedError', 'PolicyError', 'ProcessLimitError', 'RANK', 'RLIMIT_ITEMS', 'RLIM_INFINITY',
  'SettingsError', 'TreeRootError', 'UnknownUserError', 'applyPlan', 'binaryToDisplay', 'canonicalProfile', 'checkRoot', 'commitEdits',
  'detectProfile', 'displayBytes', 'effectiveJson', 'errorKind', 'explainItem', 'formatLintReport', 'fromBytes', 'identityFor',
  'isProfileName', 'isRlimitItem', 'itemForProfile', 'itemInfo', 'lintExitCode', 'lintPaths', 'lintSummary', 'lintTarget', 'lintTree',
  'loadAccountDb', 'loadBaseline', 'loadIdentity', 'loadSettings', 'loadTree', 'parseGroup', 'parseLimits', 'parseOsRelease', 'parsePasswd',
  'parsePolicy', 'parseProcLimits', 'planEdits', 'printDocument', 'profileForOsRelease', 'profileInfo', 'resolveLimits', 'toBytes',
  'treeFromFiles',
];

/** Types only (interfaces and type aliases). */
const TYPES = [
  'AccountDb', 'Baseline', 'BlankReading', 'Blocker', 'Bytes', 'ChangeNote', 'CommentReading', 'CommitChange', 'CommitOptions', 'CommitPlan',
  'CommitResult', 'CommittedFile', 'ConfigTree', 'Diagnostic', 'DisplayOptions', 'DomainKind', 'DomainSpec', 'EditPlan', 'EditRequest',
  'EditType', 'EffectiveJson', 'EffectiveLimit', 'EntryReading', 'Field', 'FileChange', 'FileRole', 'FileStatus', 'GroupEntry', 'GroupRef',
  'HalfExplanation', 'Identity', 'IdentityOptions', 'IgnoreReason', 'IgnoredFile', 'InvalidReading', 'ItemInfo', 'ItemName', 'LimitType',
  'LimitsDocument', 'LimitsErrorCode', 'LimitsErrorKind', 'LimitsOwnCode', 'Line', 'LineEvent', 'LineExplanation', 'LintAccounts',
  'LintConfig', 'LintFormat', 'LintOptions', 'LintPolicy', 'LintPolicyEntry', 'LintReport', 'LintResult', 'LintSettings', 'LintSeverity',
  'LintSummary', 'LintTarget', 'LoadTreeOptions', 'LoadedTree', 'NoLimitHit', 'NoLimitReading', 'Origin', 'OsErrorCode', 'OsReleaseFields',
  'OtherItem', 'Outcome', 'PamResult', 'ParseOptions', 'ParsedValue', 'PasswdEntry', 'PlanOptions', 'Policy', 'Position', 'Problem',
  'ProblemCode', 'ProcLimits', 'Profile', 'ProfileAlias', 'ProfileDetection', 'ProfileInfo', 'ProfileName', 'ProfileTraits', 'Rank',
  'Reading', 'RecoveryReport', 'RelatedLocation', 'Resolution', 'ResolveOptions', 'RlimitItem', 'RlimitResult', 'RuleCategory', 'RuleMeta',
  'SetRequest', 'SeveritySetting', 'Slot', 'Source', 'SourceRef', 'Span', 'TreeFile', 'UidRange', 'Unit', 'UnsetRequest', 'ValueNote',
  'Verdict',
];

describe('the public surface (src/index.ts)', () => {
  it('exports exactly these values — a change here is an API change for CHANGELOG.md', () => {
    expect(Object.keys(lib).sort()).toEqual([...VALUES].sort());
  });

  it('exports exactly these types — a change here is an API change for CHANGELOG.md', () => {
    // src/index.ts is re-exports only (test/architecture.test.ts): its names are read from its syntax
    const file = path.join(REPO, 'src/index.ts');
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const values: string[] = [];
    const types: string[] = [];
    for (const st of sf.statements) {
      expect(ts.isExportDeclaration(st) && st.exportClause !== undefined && ts.isNamedExports(st.exportClause), st.getText()).toBe(true);
      const decl = st as ts.ExportDeclaration;
      for (const el of (decl.exportClause as ts.NamedExports).elements) (decl.isTypeOnly || el.isTypeOnly ? types : values).push(el.name.text);
    }
    expect(values.sort()).toEqual([...VALUES].sort());
    expect(types.sort()).toEqual([...TYPES].sort());
  });

  it('docs/library.md names every value export in its API summary', () => {
    const doc = readFileSync(path.join(REPO, 'docs/library.md'), 'utf8');
    const summary = doc.slice(doc.indexOf('## API summary'));
    for (const name of VALUES) {
      if (/Error$/.test(name) && name !== 'LimitsError') continue; // "the error classes": each is in the Errors table
      expect(summary, name).toMatch(new RegExp(`\`${name}[\`(]`));
    }
    for (const name of VALUES.filter((n) => /Error$/.test(n) && n !== 'LimitsError')) expect(doc, name).toContain(name);
  });

  it('nothing in src/ imports the library facade (only the package users do)', () => {
    const facade = path.join(REPO, 'src/index.ts');
    for (const f of ts.sys.readDirectory(path.join(REPO, 'src'), ['.ts'])) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)\.js'/g)) {
        expect(path.resolve(path.dirname(f), `${m[1]!}.ts`), f).not.toBe(facade);
      }
    }
  });
});
