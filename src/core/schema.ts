/**
 * The one table of pam_limits items, types, ranks, value ranges, profiles and paths: everything
 * else derives from it. Adding a profile is one row of PROFILE_ROWS (its traits say how it
 * differs); adding an item is one row of ITEMS.
 *
 * Everything here is taken from pam_limits.c (Linux-PAM 1.5.2 with Debian's patches,
 * and 1.7.2); docs/pam_limits-semantics.md describes it (Profiles, Domains and ranks, Values).
 */

/** The readings of the format limitsctl knows (users call them profiles; see PROFILES). */
export type Profile = 'debian' | 'upstream' | 'upstream-1.7';

// ---------------------------------------------------------------------------------------------
// paths

/** The directory of pam_limits' configuration, relative to the root. */
export const CONFIG_DIR = 'etc/security';
/** pam_limits' LIMITS_FILE (pam_limits.c 1.5.2 and 1.7), relative to the root. */
export const MAIN_FILE = `${CONFIG_DIR}/limits.conf`;
/** pam_limits' LIMITS_FILE_DIR: its `*.conf` files are read after MAIN_FILE. */
export const DROPIN_DIR = `${CONFIG_DIR}/limits.d`;
/** 1.7 built with --enable-vendordir=/usr/share: read when MAIN_FILE is missing (profiles with `vendorDir`). */
export const VENDOR_MAIN_FILE = 'usr/share/pam/security/limits.conf';
/** 1.7's vendor drop-ins: read unless DROPIN_DIR has a file of the same name. */
export const VENDOR_DROPIN_DIR = 'usr/share/pam/security/limits.d';

// ---------------------------------------------------------------------------------------------
// profiles

/** What the profiles differ in, as a table the code consults. */
export interface ProfileTraits {
  /** 1.5.2 reads lines with fgets(1024) and parses each 1023-byte chunk as a line */
  readonly chunked: boolean;
  /** 1.5.2 splits with sscanf %s (any isspace); 1.7 splits on space/tab and keeps the rest as the value */
  readonly restOfLineValue: boolean;
  /** Debian: uid 0 ignores `*`, `@...` and `%...` 4-field lines (with the uid-range fall-through) */
  readonly rootExempt: boolean;
  /** Debian: limits start from PID 1 with hard-coded fallbacks; nofile soft capped at 1024 */
  readonly pid1Baseline: boolean;
  /** Debian: setrlimit EPERM is not fatal */
  readonly epermNotFatal: boolean;
  /** 1.5.2: a missing limits.conf or vanished drop-in aborts (PAM_SERVICE_ERR, nothing applied) */
  readonly missingFileFatal: boolean;
  /** 1.7: vendor directory /usr/share/pam/security (VENDOR_MAIN_FILE, VENDOR_DROPIN_DIR) */
  readonly vendorDir: boolean;
  /** Debian: the chroot item (Debian's patch; no upstream release has it) */
  readonly chroot: boolean;
}

/** One profile: a pam_limits build limitsctl reads the configuration as. */
export interface ProfileInfo {
  readonly name: Profile;
  /** the Linux-PAM release whose pam_limits.c it follows (items gated by `since` compare with it) */
  readonly pamVersion: string;
  /** how messages name it ("Debian 1.5.2") */
  readonly title: string;
  /** how a line is read: 1.5.2 (fgets chunks, sscanf fields) or 1.7 (whole line, rest is the value) */
  readonly reading: '1.5.2' | '1.7';
  /** the profile with the other reading that lines are compared with (LC101 dialect-difference) */
  readonly compareWith: Profile;
  /** os-release ID / ID_LIKE words that make `auto` pick it */
  readonly osIds: readonly string[];
  /** why `auto` picked it (shown after "os-release ID=…: ") */
  readonly osReason: string;
  readonly traits: ProfileTraits;
}

/** The profile table, in the order lists and help show them (every Profile has a row). */
const PROFILE_ROWS: Record<Profile, Omit<ProfileInfo, 'name'>> = {
  debian: {
    pamVersion: '1.5.2', title: 'Debian 1.5.2', reading: '1.5.2', compareWith: 'upstream-1.7',
    osIds: ['debian', 'ubuntu'], osReason: "Debian's patched pam_limits",
    traits: { chunked: true, restOfLineValue: false, rootExempt: true, pid1Baseline: true, epermNotFatal: true, missingFileFatal: true, vendorDir: false, chroot: true },
  },
  upstream: {
    pamVersion: '1.5.2', title: 'Linux-PAM 1.5.2', reading: '1.5.2', compareWith: 'upstream-1.7',
    osIds: [], osReason: 'upstream Linux-PAM',
    traits: { chunked: true, restOfLineValue: false, rootExempt: false, pid1Baseline: false, epermNotFatal: false, missingFileFatal: true, vendorDir: false, chroot: false },
  },
  'upstream-1.7': {
    pamVersion: '1.7.2', title: 'Linux-PAM 1.7', reading: '1.7', compareWith: 'upstream',
    osIds: [], osReason: 'upstream Linux-PAM',
    traits: { chunked: false, restOfLineValue: true, rootExempt: false, pid1Baseline: false, epermNotFatal: false, missingFileFatal: false, vendorDir: true, chroot: false },
  },
};

export const PROFILES: readonly ProfileInfo[] = Object.entries(PROFILE_ROWS).map(([name, row]) => ({ name: name as Profile, ...row }));
export const PROFILE_NAMES: readonly Profile[] = PROFILES.map((p) => p.name);
export const PROFILE_TRAITS: Record<Profile, ProfileTraits> = Object.fromEntries(PROFILES.map((p) => [p.name, p.traits])) as Record<Profile, ProfileTraits>;

/** The profile parseLimits and loadTree read as when none is given. */
export const DEFAULT_PROFILE: Profile = 'debian';
/** What `auto` picks when os-release names no profile's OS (and lint outside a tree). */
export const FALLBACK_PROFILE: Profile = 'upstream';

/** The table row of a profile. */
export function profileInfo(profile: Profile): ProfileInfo {
  return { name: profile, ...PROFILE_ROWS[profile] };
}

/** One profile per reading (the first of each in the table): a check that must hold whichever way pam_limits reads the line. */
export const READING_PROFILES: readonly Profile[] = PROFILES.filter((p, i) => PROFILES.findIndex((q) => q.reading === p.reading) === i).map((p) => p.name);

/** `a.b.c` >= `x.y.z` for Linux-PAM release numbers. */
function versionAtLeast(have: string, want: string): boolean {
  const h = have.split('.').map(Number);
  const w = want.split('.').map(Number);
  for (let i = 0; i < Math.max(h.length, w.length); i++) {
    const d = (h[i] ?? 0) - (w[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Items that are rlimits, in RLIMIT number order (pam_limits applies them in this order). */
export type RlimitItem =
  | 'cpu' | 'fsize' | 'data' | 'stack' | 'core' | 'rss' | 'nproc' | 'nofile'
  | 'memlock' | 'as' | 'locks' | 'sigpending' | 'msgqueue' | 'nice' | 'rtprio' | 'rttime';

export type OtherItem = 'maxlogins' | 'maxsyslogins' | 'priority' | 'nonewprivs' | 'chroot';
export type ItemName = RlimitItem | OtherItem;

/** How the value column is read. */
export type ValueGrammar =
  /** strtoull base 10 with trailing junk, plus the unlimited keywords */
  | 'u64'
  /** strtol base 10 with trailing junk, no keywords (nice, priority) */
  | 'int'
  /** strtol base 10, plus the unlimited keywords meaning -1 (maxlogins, maxsyslogins) */
  | 'int-or-unlimited'
  /** exactly 0 or 1; anything else is stored as 0 */
  | 'flag'
  /** a path (Debian chroot) */
  | 'path';

export type Unit = 'KiB' | 'minutes' | 'count' | 'bytes' | 'nice' | 'microseconds' | 'flag' | 'path';

export interface ItemInfo {
  readonly name: ItemName;
  /** RLIMIT_* number, or null for non-rlimit items */
  readonly rlimit: number | null;
  readonly rlimitName: string | null;
  /** the unit the value is written in, in limits.conf */
  readonly unit: Unit;
  readonly grammar: ValueGrammar;
  /** the multiplier from limits.conf units to kernel units (1024 for KiB, 60 for minutes) */
  readonly factor: 1 | 60 | 1024;
  /** whether the type column is checked (false: any type string works) */
  readonly typeChecked: boolean;
  /** whether `%` domains are accepted (only maxlogins) */
  readonly percentDomains: boolean;
  /** whether soft/hard are ranked separately (false: last line wins) */
  readonly ranked: boolean;
  /** profiles that know the item */
  readonly profiles: readonly Profile[];
  /**
   * The values that mean what they say (inclusive, in limits.conf units), or null when the
   * grammar is the only bound: nice and priority -20..19 (pam_limits clamps nice, the kernel
   * clamps the priority), rtprio 0..99 (Linux's highest realtime priority), nonewprivs 0..1.
   */
  readonly range: ValueRange | null;
  /** the row title in /proc/PID/limits */
  readonly procTitle: string | null;
  readonly description: string;
}

/** An inclusive range of values. */
export interface ValueRange {
  readonly min: bigint;
  readonly max: bigint;
}

/** Nice values on Linux (setpriority, RLIMIT_NICE's 20 - nice). */
export const NICE_RANGE: ValueRange = { min: -20n, max: 19n };
/** Realtime priorities on Linux (sched_get_priority_max(SCHED_FIFO) is 99). */
export const RTPRIO_RANGE: ValueRange = { min: 0n, max: 99n };

const ALL: readonly Profile[] = PROFILE_NAMES;
/** The profiles whose pam_limits.c has the item: Linux-PAM `since` or later, and Debian-only ones by trait. */
const knownBy = (test: (p: ProfileInfo) => boolean): readonly Profile[] => PROFILES.filter(test).map((p) => p.name);
const since = (version: string) => knownBy((p) => versionAtLeast(p.pamVersion, version));

function rl(
  name: RlimitItem, rlimit: number, rlimitName: string, unit: Unit, factor: 1 | 60 | 1024,
  procTitle: string, description: string, profiles: readonly Profile[] = ALL, range: ValueRange | null = null,
): ItemInfo {
  return {
    name, rlimit, rlimitName, unit, grammar: name === 'nice' ? 'int' : 'u64', factor, typeChecked: true,
    percentDomains: false, ranked: true, profiles, range, procTitle, description,
  };
}

/** The item table, in RLIMIT order followed by the non-rlimit items. */
export const ITEMS: readonly ItemInfo[] = [
  rl('cpu', 0, 'RLIMIT_CPU', 'minutes', 60, 'Max cpu time', 'maximum CPU time (minutes)'),
  rl('fsize', 1, 'RLIMIT_FSIZE', 'KiB', 1024, 'Max file size', 'maximum file size (KiB)'),
  rl('data', 2, 'RLIMIT_DATA', 'KiB', 1024, 'Max data size', 'maximum data size (KiB)'),
  rl('stack', 3, 'RLIMIT_STACK', 'KiB', 1024, 'Max stack size', 'maximum stack size (KiB)'),
  rl('core', 4, 'RLIMIT_CORE', 'KiB', 1024, 'Max core file size', 'limits the core file size (KiB)'),
  rl('rss', 5, 'RLIMIT_RSS', 'KiB', 1024, 'Max resident set', 'maximum resident set size (KiB)'),
  rl('nproc', 6, 'RLIMIT_NPROC', 'count', 1, 'Max processes', 'maximum number of processes (tasks, per real uid)'),
  rl('nofile', 7, 'RLIMIT_NOFILE', 'count', 1, 'Max open files', 'maximum number of open file descriptors'),
  rl('memlock', 8, 'RLIMIT_MEMLOCK', 'KiB', 1024, 'Max locked memory', 'maximum locked-in-memory address space (KiB)'),
  rl('as', 9, 'RLIMIT_AS', 'KiB', 1024, 'Max address space', 'address space limit (KiB)'),
  rl('locks', 10, 'RLIMIT_LOCKS', 'count', 1, 'Max file locks', 'maximum number of file locks'),
  rl('sigpending', 11, 'RLIMIT_SIGPENDING', 'count', 1, 'Max pending signals', 'maximum number of pending signals'),
  rl('msgqueue', 12, 'RLIMIT_MSGQUEUE', 'bytes', 1, 'Max msgqueue size', 'maximum memory used by POSIX message queues (bytes)'),
  rl('nice', 13, 'RLIMIT_NICE', 'nice', 1, 'Max nice priority', `maximum nice priority allowed to raise to (${NICE_RANGE.min}..${NICE_RANGE.max})`, ALL, NICE_RANGE),
  rl('rtprio', 14, 'RLIMIT_RTPRIO', 'count', 1, 'Max realtime priority', 'maximum realtime priority', ALL, RTPRIO_RANGE),
  rl('rttime', 15, 'RLIMIT_RTTIME', 'microseconds', 1, 'Max realtime timeout', 'realtime CPU time without a blocking call (microseconds; Linux-PAM >= 1.7.1)', since('1.7.1')),
  {
    name: 'maxlogins', rlimit: null, rlimitName: null, unit: 'count', grammar: 'int-or-unlimited', factor: 1,
    typeChecked: false, percentDomains: true, ranked: true, profiles: ALL, range: null, procTitle: null,
    description: 'maximum number of logins for this user (or group with %)',
  },
  {
    name: 'maxsyslogins', rlimit: null, rlimitName: null, unit: 'count', grammar: 'int-or-unlimited', factor: 1,
    typeChecked: false, percentDomains: false, ranked: true, profiles: ALL, range: null, procTitle: null,
    description: 'maximum number of all logins on the system',
  },
  {
    name: 'priority', rlimit: null, rlimitName: null, unit: 'nice', grammar: 'int', factor: 1,
    typeChecked: true, percentDomains: false, ranked: false, profiles: ALL, range: NICE_RANGE, procTitle: null,
    description: 'the priority (nice value) to run user processes with',
  },
  {
    name: 'nonewprivs', rlimit: null, rlimitName: null, unit: 'flag', grammar: 'flag', factor: 1,
    typeChecked: false, percentDomains: false, ranked: false, profiles: since('1.5.0'), range: { min: 0n, max: 1n }, procTitle: null,
    description: 'set PR_SET_NO_NEW_PRIVS (0 or 1; Linux-PAM >= 1.5.0)',
  },
  {
    name: 'chroot', rlimit: null, rlimitName: null, unit: 'path', grammar: 'path', factor: 1,
    typeChecked: true, percentDomains: false, ranked: false, profiles: knownBy((p) => p.traits.chroot), range: null, procTitle: null,
    description: 'change root to directory (Debian/Ubuntu patch only; the path is lower-cased)',
  },
];

const BY_NAME = new Map<string, ItemInfo>(ITEMS.map((i) => [i.name, i]));

export const RLIMIT_ITEMS: readonly RlimitItem[] = ITEMS.filter((i) => i.rlimit !== null).map((i) => i.name as RlimitItem);

/** The item's table row, whatever the profile; undefined for an unknown name. */
export function itemInfo(name: string): ItemInfo | undefined {
  return BY_NAME.get(name);
}

/** The item's table row if `profile` knows it (e.g. rttime only in upstream-1.7). */
export function itemForProfile(name: string, profile: Profile): ItemInfo | undefined {
  const info = BY_NAME.get(name);
  return info && info.profiles.includes(profile) ? info : undefined;
}

export function isRlimitItem(name: string): name is RlimitItem {
  const info = BY_NAME.get(name);
  return info !== undefined && info.rlimit !== null;
}

/** All item names, for did-you-mean and completion. */
export const ITEM_NAMES: readonly ItemName[] = ITEMS.map((i) => i.name);

/** The type column after lower-casing. */
export type LimitType = 'soft' | 'hard' | '-';
export const LIMIT_TYPES: readonly LimitType[] = ['soft', 'hard', '-'];

/**
 * Domain ranks (LIMITS_DEF_*). Smaller is stronger. A line of equal or stronger rank overwrites.
 */
export const RANK = { USER: 0, GROUP: 1, ALLGROUP: 2, ALL: 3, DEFAULT: 4, KERNEL: 5, NONE: 6 } as const;
export type Rank = (typeof RANK)[keyof typeof RANK];
export const RANK_NAMES: Record<Rank, string> = {
  0: 'user', 1: 'group', 2: '%group', 3: '%', 4: 'default', 5: 'kernel', 6: 'none',
};

/** RLIM_INFINITY on Linux x86-64. */
export const RLIM_INFINITY = 0xffffffffffffffffn;
export const U64_MAX = RLIM_INFINITY;
/** pam_limits' LINE_LENGTH (1.5.2): fgets reads at most 1023 bytes per chunk. */
export const LINE_CHUNK_152 = 1023;
/** Default fs.nr_open on Linux. */
export const DEFAULT_NR_OPEN = 1048576n;

export function isProfile(s: string): s is Profile {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}
