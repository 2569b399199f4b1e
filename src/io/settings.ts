/**
 * The project's own settings file, `.limitsctl.ini` (format: docs/lint.md), read with `ini`.
 * Found in the working directory or the nearest parent, or given with --config. Unknown sections
 * and keys are errors that name the key and the file.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { displayBytes, toBytes } from '../core/bytes.js';
import { EditInputError, validateValue } from '../core/edit.js';
import { LimitsError } from '../core/errors.js';
import { dirsUpFrom, resolveFrom } from './cwd.js';
import { LimitsIoError } from './write-errors.js';
import { IniError, parseIniFile } from './ini.js';
import { GlobError, globToRegExp } from '../core/lint/glob.js';
import { MAX_SMALL_FILE_BYTES, readFileCapped } from './read.js';
import { type Policy, type PolicyEntry, POLICY_KINDS, type PolicyKind, parsePolicyEntry } from '../core/lint/policy.js';
import { findRule, RULES } from '../core/lint/rules.js';
import type { SeveritySetting } from '../core/lint/types.js';
import { canonicalProfile, isProfileName, type Profile, PROFILE_ALIASES, PROFILE_NAMES, type ProfileName } from '../core/schema.js';
import { suggestProfile } from '../core/profiles.js';
import { didYouMean } from '../core/suggest.js';

const SETTINGS_FILE = '.limitsctl.ini';

export interface LintSettings {
  /** the settings file, or null when none was found */
  readonly file: string | null;
  /** the directory ignore patterns are relative to */
  readonly dir: string;
  readonly profile: Profile | 'auto' | null;
  readonly severities: ReadonlyMap<string, SeveritySetting>;
  readonly policy: Policy;
  readonly ignore: readonly string[];
  readonly ignorePatterns: readonly RegExp[];
  /** fs.nr_open to assume for trees without proc/sys/fs/nr_open */
  readonly nrOpen: bigint | null;
}

/** A settings file that cannot be used: exit 2 with this message. */
export class SettingsError extends LimitsError {
  constructor(message: string, readonly file: string) {
    super(message, { code: 'ESETTINGS', path: file, hint: 'The settings format is described in docs/lint.md.' });
    this.name = 'SettingsError';
  }
}

export function defaultSettings(dir: string): LintSettings {
  return { file: null, dir, profile: null, severities: new Map(), policy: { entries: [] }, ignore: [], ignorePatterns: [], nrOpen: null };
}

/**
 * The nearest `.limitsctl.ini` in `dir` or a parent directory, or null.
 * @throws LimitsIoError `EILSEQ` when a directory on the way cannot be named (io/cwd.ts dirsUpFrom:
 *   a name that is not UTF-8) and holds one, or cannot be looked into at all (no /proc)
 */
export function findSettingsFile(dir: string): string | null {
  // from /proc/self/cwd (a current directory whose name is not UTF-8) the directories above are
  // those above its own name, not /proc/self, probed through /proc/self/cwd/..: a settings file
  // in one that cannot be named is refused, not passed over
  const unnamable = (what: string) => new LimitsIoError(`${what}: its name is not valid UTF-8, so limitsctl cannot name it`, {
    code: 'EILSEQ', path: SETTINGS_FILE, hint: 'Give the settings file with --config ABSOLUTE-PATH, or run limitsctl from a directory whose path is valid UTF-8.',
  });
  for (const { name, probe } of dirsUpFrom(dir)) {
    if (probe === null) throw unnamable(`cannot look for ${SETTINGS_FILE} in the current directory or one above it (/proc is not mounted)`);
    try {
      if (!statSync(`${probe}/${SETTINGS_FILE}`).isFile()) continue;
    } catch { continue; }
    if (name === null) throw unnamable(`cannot read the ${SETTINGS_FILE} of a directory above the current one`);
    return path.join(name, SETTINGS_FILE);
  }
  return null;
}

const TOP_KEYS = ['profile', 'ignore', 'nr-open'];
/**
 * The values Linux accepts for fs.nr_open on 64-bit (fs/file.c: sysctl_nr_open_min =
 * BITS_PER_LONG; sysctl_nr_open_max = min(INT_MAX, SIZE_MAX / sizeof(void *)) & -BITS_PER_LONG).
 */
const NR_OPEN_MIN = 64n;
export const NR_OPEN_MAX = 2147483584n;
const SECTIONS = ['rules', 'policy'];
const SEVERITY_VALUES = ['error', 'warning', 'info', 'off'];

function strings(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

/**
 * The 1-based line of the first `key = …` in section [section] of ini `text` (keys and section
 * names trimmed, as the ini reader takes them), or null.
 */
function keyLine(text: string, section: string, key: string): number | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*[;#]/.test(line)) continue;
    const head = /^\[([^\]]*)\]\s*$/.exec(line);
    if (head) { current = head[1]!.trim(); continue; }
    const kv = /^([^=]+)=/.exec(line);
    if (kv && current === section && kv[1]!.trim() === key) return i + 1;
  }
  return null;
}

/** Parse settings text; `file` is used in messages and as the base of ignore patterns. */
export function parseSettings(text: string, file: string): LintSettings {
  const fail = (msg: string): never => { throw new SettingsError(`${file}: ${msg}`, file); };
  let data: Record<string, unknown>;
  try {
    data = parseIniFile(text, file);
  } catch (e) {
    if (e instanceof IniError) throw new SettingsError(e.message, file);
    throw e;
  }
  const settings = { ...defaultSettings(path.dirname(file)), file };
  let profile: LintSettings['profile'] = null;
  const severities = new Map<string, SeveritySetting>();
  const entries: PolicyEntry[] = [];
  let ignore: string[] = [];
  const ignorePatterns: RegExp[] = [];
  let nrOpen: bigint | null = null;
  for (const [key, value] of Object.entries(data)) {
    const isSection = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (isSection) {
      if (!SECTIONS.includes(key)) {
        const guess = didYouMean(key, SECTIONS);
        fail(`unknown section [${key}]; sections are [rules] and [policy]${guess ? ` (did you mean [${guess}]?)` : ''}`);
      }
      continue;
    }
    if (!TOP_KEYS.includes(key.replace(/\[\]$/, ''))) {
      const guess = didYouMean(key, TOP_KEYS);
      fail(`unknown key '${key}'; top-level keys are ${TOP_KEYS.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`);
    }
    if (key === 'profile') {
      const p = String(value);
      if (p !== 'auto' && !isProfileName(p)) {
        const guess = suggestProfile(p);
        fail(`profile = ${p}${guess ? ` (did you mean '${guess}'?)` : ''}: use auto or one of ${PROFILE_NAMES.join(', ')} (aliases: ${Object.keys(PROFILE_ALIASES).join(', ')})`);
      }
      profile = p === 'auto' ? 'auto' : canonicalProfile(p as ProfileName);
    } else if (key === 'ignore') {
      const list = strings(value);
      if (!list) fail('ignore must be one or more glob patterns (ignore[] = pattern)');
      ignore = list!;
      for (const pattern of ignore) {
        try {
          ignorePatterns.push(globToRegExp(pattern));
        } catch (e) {
          if (!(e instanceof GlobError)) throw e;
          fail(`ignore[] = ${pattern}: not a usable glob pattern (${e.reason}); a range is [a-z] with the lower character first, and brackets and braces close: [ab], {a,b}`);
        }
      }
    } else if (key === 'nr-open') {
      const s = String(value);
      if (!/^\d+$/.test(s) || BigInt(s) < NR_OPEN_MIN || BigInt(s) > NR_OPEN_MAX) {
        fail(`nr-open = ${s}: must be a whole number from ${NR_OPEN_MIN} to ${NR_OPEN_MAX}, as the kernel accepts for fs.nr_open (the first line of /proc/sys/fs/nr_open; default 1048576)`);
      }
      nrOpen = BigInt(s);
    }
  }
  const rules = data.rules as Record<string, unknown> | undefined;
  const spelledAs = new Map<string, string>(); // rule code → the key that set it
  for (const [key, value] of Object.entries(rules ?? {})) {
    const rule = findRule(key);
    if (!rule) {
      const guess = didYouMean(key, RULES.map((r) => r.name));
      fail(`unknown key '${key}' in [rules]: no rule has that code or name${guess ? ` (did you mean '${guess}'?)` : ''}; see docs/rules.md`);
    }
    // the same rule under two spellings (LC005 and value-misread, or LC005 and lc005) is a
    // repeated key too: the last would silently win
    const prev = spelledAs.get(rule!.code);
    if (prev !== undefined) {
      const [a, b] = [keyLine(text, 'rules', prev), keyLine(text, 'rules', key)];
      throw new SettingsError(`${file}:${b ?? '?'}: [rules] '${key}' and '${prev}' (line ${a ?? '?'}) name the same rule, ${rule!.code} (${rule!.name}): a repeated key, whose last value only would count; set each rule once`, file);
    }
    spelledAs.set(rule!.code, key);
    const sev = typeof value === 'string' ? value.toLowerCase() : String(value);
    if (!SEVERITY_VALUES.includes(sev)) fail(`[rules] ${key} = ${String(value)}: use error, warning, info or off`);
    severities.set(rule!.code, sev as SeveritySetting);
  }
  const policy = data.policy as Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(policy ?? {})) {
    const kind = key.replace(/\[\]$/, '');
    if (!(POLICY_KINDS as readonly string[]).includes(kind)) {
      fail(`unknown key '${key}' in [policy]; keys are min[], max[] and require[]`);
    }
    const list = strings(value);
    if (!list) fail(`[policy] ${key} must be '<domain> <type> <item> <value>' entries (${kind}[] = * soft nproc 4096)`);
    for (const text of list!) {
      // entries are text; the domains they name are compared with the files' bytes (core/bytes.ts)
      const e = parsePolicyEntry(kind as PolicyKind, toBytes(text), `${path.basename(file)} [policy] ${kind}[]`);
      if ('error' in e) fail(`[policy] ${kind}[] = ${text}: ${displayBytes(e.error)}`);
      else {
        // the value as `set` takes it (validateValue): in range and read exactly as written, so
        // `20k` (pam_limits reads 20) is refused here as `set nproc 20k` is
        const value = e.text.split(' ')[3];
        if (value !== undefined) {
          try {
            validateValue(e.item, value);
          } catch (err) {
            if (!(err instanceof EditInputError)) throw err;
            fail(`[policy] ${kind}[] = ${text}: ${displayBytes(err.message)}${err.hint ? `; ${err.hint.replace(/\.$/, '')}` : ''}`);
          }
        }
        entries.push(e);
      }
    }
  }
  return {
    ...settings, profile, severities, policy: { entries }, ignore, ignorePatterns, nrOpen,
  };
}

/** Read a settings file (throws SettingsError on a bad file, with the errno for an unreadable one). */
export function readSettings(file: string): LintSettings {
  // regular files only, at most 1 MiB: a FIFO or device named as the settings file never blocks
  const r = readFileCapped(file, { maxBytes: MAX_SMALL_FILE_BYTES });
  if (!r.ok) {
    const f = r.failure;
    const why = f.kind === 'not-regular' ? `is not a regular file but a ${f.fileKind}` : f.kind === 'too-large' ? `is above the ${f.maxBytes}-byte cap for a settings file` : `cannot be read (${'code' in f ? f.code : f.kind === 'missing' ? 'ENOENT' : f.kind})`;
    throw new SettingsError(`${file}: ${why}`, file);
  }
  return parseSettings(r.bytes.toString('utf8'), path.resolve(file));
}

/** The settings for a run: --config FILE, else the nearest .limitsctl.ini, else defaults. */
export function loadSettings(options: { cwd: string; config?: string }): LintSettings {
  if (options.config !== undefined) return readSettings(resolveFrom(options.cwd, options.config));
  const found = findSettingsFile(options.cwd);
  return found ? readSettings(found) : defaultSettings(options.cwd);
}
