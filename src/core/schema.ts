/**
 * The one table of pam_limits items, types, ranks and dialects.
 *
 * Everything here is taken from pam_limits.c (Linux-PAM 1.5.2 with Debian's patches,
 * and 1.7.2); section numbers refer to docs/pam_limits-semantics.md.
 */

/** The three readings of the format limitsctl knows. */
export type Dialect = 'debian' | 'upstream' | 'upstream-1.7';
export const DIALECTS: readonly Dialect[] = ['debian', 'upstream', 'upstream-1.7'];

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
  /** dialects that know the item */
  readonly dialects: readonly Dialect[];
  /** the row title in /proc/PID/limits */
  readonly procTitle: string | null;
  readonly description: string;
}

const ALL: readonly Dialect[] = DIALECTS;

function rl(
  name: RlimitItem, rlimit: number, rlimitName: string, unit: Unit, factor: 1 | 60 | 1024,
  procTitle: string, description: string, dialects: readonly Dialect[] = ALL,
): ItemInfo {
  return {
    name, rlimit, rlimitName, unit, grammar: name === 'nice' ? 'int' : 'u64', factor, typeChecked: true,
    percentDomains: false, ranked: true, dialects, procTitle, description,
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
  rl('nice', 13, 'RLIMIT_NICE', 'nice', 1, 'Max nice priority', 'maximum nice priority allowed to raise to (-20..19)'),
  rl('rtprio', 14, 'RLIMIT_RTPRIO', 'count', 1, 'Max realtime priority', 'maximum realtime priority'),
  rl('rttime', 15, 'RLIMIT_RTTIME', 'microseconds', 1, 'Max realtime timeout', 'realtime CPU time without a blocking call (microseconds; Linux-PAM >= 1.7.1)', ['upstream-1.7']),
  {
    name: 'maxlogins', rlimit: null, rlimitName: null, unit: 'count', grammar: 'int-or-unlimited', factor: 1,
    typeChecked: false, percentDomains: true, ranked: true, dialects: ALL, procTitle: null,
    description: 'maximum number of logins for this user (or group with %)',
  },
  {
    name: 'maxsyslogins', rlimit: null, rlimitName: null, unit: 'count', grammar: 'int-or-unlimited', factor: 1,
    typeChecked: false, percentDomains: false, ranked: true, dialects: ALL, procTitle: null,
    description: 'maximum number of all logins on the system',
  },
  {
    name: 'priority', rlimit: null, rlimitName: null, unit: 'nice', grammar: 'int', factor: 1,
    typeChecked: true, percentDomains: false, ranked: false, dialects: ALL, procTitle: null,
    description: 'the priority (nice value) to run user processes with',
  },
  {
    name: 'nonewprivs', rlimit: null, rlimitName: null, unit: 'flag', grammar: 'flag', factor: 1,
    typeChecked: false, percentDomains: false, ranked: false, dialects: ALL, procTitle: null,
    description: 'set PR_SET_NO_NEW_PRIVS (0 or 1; Linux-PAM >= 1.5.0)',
  },
  {
    name: 'chroot', rlimit: null, rlimitName: null, unit: 'path', grammar: 'path', factor: 1,
    typeChecked: true, percentDomains: false, ranked: false, dialects: ['debian'], procTitle: null,
    description: 'change root to directory (Debian/Ubuntu patch only; the path is lower-cased)',
  },
];

const BY_NAME = new Map<string, ItemInfo>(ITEMS.map((i) => [i.name, i]));

export const RLIMIT_ITEMS: readonly RlimitItem[] = ITEMS.filter((i) => i.rlimit !== null).map((i) => i.name as RlimitItem);

/** The item's table row, whatever the dialect; undefined for an unknown name. */
export function itemInfo(name: string): ItemInfo | undefined {
  return BY_NAME.get(name);
}

/** The item's table row if `dialect` knows it (e.g. rttime only in upstream-1.7). */
export function itemForDialect(name: string, dialect: Dialect): ItemInfo | undefined {
  const info = BY_NAME.get(name);
  return info && info.dialects.includes(dialect) ? info : undefined;
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

/** What the dialects differ in, as a table the code consults. */
export interface DialectTraits {
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
  /** 1.7: vendor directory /usr/share/pam/security */
  readonly vendorDir: boolean;
}

export const DIALECT_TRAITS: Record<Dialect, DialectTraits> = {
  debian: { chunked: true, restOfLineValue: false, rootExempt: true, pid1Baseline: true, epermNotFatal: true, missingFileFatal: true, vendorDir: false },
  upstream: { chunked: true, restOfLineValue: false, rootExempt: false, pid1Baseline: false, epermNotFatal: false, missingFileFatal: true, vendorDir: false },
  'upstream-1.7': { chunked: false, restOfLineValue: true, rootExempt: false, pid1Baseline: false, epermNotFatal: false, missingFileFatal: false, vendorDir: true },
};

export function isDialect(s: string): s is Dialect {
  return (DIALECTS as readonly string[]).includes(s);
}
