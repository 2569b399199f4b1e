/**
 * The one table of pam_limits items, types, ranks, value ranges, profiles and paths: everything
 * else derives from it. Adding a profile is one row of PROFILE_ROWS (its traits say how it
 * differs); adding an item is one row of ITEMS.
 *
 * Everything here is taken from pam_limits.c (Linux-PAM 1.5.2 with Debian's patches,
 * and 1.7.2); docs/pam_limits-semantics.md describes it (Profiles, Domains and ranks, Values).
 */

// ---------------------------------------------------------------------------------------------
// paths

/** The directory of pam_limits' configuration, relative to the root. */
export const CONFIG_DIR = 'etc/security';
/** pam_limits' LIMITS_FILE (pam_limits.c 1.5.2 and 1.7), relative to the root. */
export const MAIN_FILE = `${CONFIG_DIR}/limits.conf`;
/** pam_limits' LIMITS_FILE_DIR: its `*.conf` files are read after MAIN_FILE. */
export const DROPIN_DIR = `${CONFIG_DIR}/limits.d`;
/** The vendor directory of Linux-PAM >= 1.7.2's default build (`vendordir` = /usr/share/pam). */
export const VENDOR_DIR = 'usr/share/pam/security';
/** openSUSE's vendor directory (pam built with --enable-vendordir=/usr/etc): limits.conf ships there. */
export const SUSE_VENDOR_DIR = 'usr/etc/security';

// ---------------------------------------------------------------------------------------------
// profiles

/**
 * The release profiles, in the order lists and `--help` show them: plain Linux-PAM builds first,
 * then distribution releases (os-release `<ID>-<VERSION_ID>`). docs/profiles.md gives the evidence
 * behind every cell of PROFILE_ROWS.
 */
export const PROFILE_NAMES = [
  'linux-pam-1.1', 'linux-pam-1.3', 'linux-pam-1.4', 'linux-pam-1.5.2', 'linux-pam-1.5.3', 'linux-pam-1.6.0',
  'linux-pam-1.6.1', 'linux-pam-1.7.0', 'linux-pam-1.7.1', 'linux-pam-1.7.2',
  'rhel-7', 'centos-7', 'amzn-2', 'rhel-8.5', 'rhel-8', 'rhel-9', 'rhel-10', 'amzn-2023',
  'debian-10', 'debian-11', 'debian-12', 'debian-13', 'ubuntu-20.04', 'ubuntu-22.04', 'ubuntu-24.04',
  'fedora-41', 'fedora-42', 'fedora-43', 'fedora', 'opensuse-tumbleweed', 'sles-15', 'arch', 'alpine',
] as const;

/** A pam_limits build limitsctl reads the configuration as: one row of PROFILE_ROWS. */
export type Profile = (typeof PROFILE_NAMES)[number];

/** The names of 0.1's three profiles, still accepted everywhere a profile is (PROFILE_ALIASES). */
export type ProfileAlias = 'debian' | 'upstream' | 'upstream-1.7';
/** What a caller may pass as a profile: a release profile or an alias of one. */
export type ProfileName = Profile | ProfileAlias;

/** The old names and the release profiles they stand for. */
export const PROFILE_ALIASES: Readonly<Record<ProfileAlias, Profile>> = {
  debian: 'debian-12',
  upstream: 'linux-pam-1.5.2',
  'upstream-1.7': 'linux-pam-1.7.2',
};

/**
 * How pam_limits reads a line:
 * - `fgets`: up to 1.5.x, fgets() into a 1024-byte buffer (each 1023-byte chunk is a line of its
 *   own) and sscanf("%s%s%s%s") — any isspace separates, a 5th field makes the line invalid;
 * - `getline-1.6.0`: 1.6.0's rewrite (getline, fields split on space/tab, the value is the rest of
 *   the line) with its regression, linux-pam issue #761 (see parse.ts);
 * - `getline`: 1.6.1 and later, the rewrite with #761 fixed.
 */
export type LineReading = 'fgets' | 'getline-1.6.0' | 'getline';

/** What the profiles differ in, as a table the code consults (docs/profiles.md has the evidence). */
export interface ProfileTraits {
  /** how a line is read (LineReading) */
  readonly reading: LineReading;
  /**
   * nofile `unlimited`/`infinity`/`-1`: `nr-open` = becomes fs.nr_open (Linux-PAM 1.5.2, commit
   * 3234488f, and backports); `infinity` = RLIM_INFINITY is asked for, which the kernel refuses
   * (EPERM: above fs.nr_open) — the session is denied, or the error ignored with epermNotFatal.
   */
  readonly nofileUnlimited: 'nr-open' | 'infinity';
  /** a missing limits.conf or a drop-in that vanished after listing aborts the session (PAM_SERVICE_ERR); tolerated from 1.5.3 */
  readonly missingFileFatal: boolean;
  /**
   * the vendor directory (relative to the root; null: none): Linux-PAM 1.5.3+ built with
   * --enable-vendordir (default /usr/share/pam from 1.7.2; openSUSE /usr/etc). Its limits.conf is
   * read only when stat() of etc/security/limits.conf fails with ENOENT (missing, or a dangling
   * link); its limits.d/*.conf are merged with etc's, an etc file of the same name shadowing the
   * vendor one, all sorted by name with strcmp (pam_limits.c 5deaac42, 21affb5b)
   */
  readonly vendorDir: string | null;
  /** how maxlogins/maxsyslogins count sessions: utmp, or systemd-logind (1.7.0+ where built with it) */
  readonly maxlogins: 'utmp' | 'logind';
  /** Debian's patch: uid 0 ignores `*`, `@...` and `%...` 4-field lines (with the uid-range fall-through) */
  readonly rootExempt: boolean;
  /** Debian 10–12's patch: every item starts from PID 1's limits (as with `set_all`), not from the caller's */
  readonly pid1Baseline: boolean;
  /**
   * Debian's patch to reading PID 1's limits (with pid1Baseline or `set_all`): hard-coded
   * fallbacks for rows /proc/1/limits lacks, and nofile soft capped at 1024 (FD_SETSIZE)
   */
  readonly debianKernelLimits: boolean;
  /** Debian's patch: setrlimit EPERM is not fatal (the limit keeps its previous value) */
  readonly epermNotFatal: boolean;
  /** Debian's patch: the chroot item (no upstream release has it) */
  readonly chroot: boolean;
}

/** A trait name, or `pamVersion` (which gates items: nonewprivs >= 1.5.0, rttime >= 1.7.1). */
export type ProfileCell = keyof ProfileTraits | 'pamVersion';

/**
 * One os-release pattern of a profile (os-release(5)). `id` is compared with ID, then with each
 * word of ID_LIKE; `version` with VERSION_ID (`9` matches `9` and `9.4`), `below` excludes
 * VERSION_IDs from that one up (`rhel-8.5`: 8 below 8.6), `codename` with VERSION_CODENAME (or
 * UBUNTU_CODENAME for `ubuntu`). A pattern without version or codename matches any release of the ID.
 */
export interface OsPattern {
  readonly id: string;
  readonly version?: string;
  readonly below?: string;
  readonly codename?: string;
}

/** One profile: a pam_limits build limitsctl reads the configuration as. */
export interface ProfileInfo {
  readonly name: Profile;
  /** the Linux-PAM release whose pam_limits.c it follows (items gated by `since` compare with it) */
  readonly pamVersion: string;
  /** how messages name it ("Debian 12 (Linux-PAM 1.5.2-6)") */
  readonly title: string;
  /** the package and version the row describes ("libpam-modules 1.5.2-6", "pam-1.1.8-23.el7") */
  readonly package: string;
  /** how a line is read (same as traits.reading) */
  readonly reading: LineReading;
  /** a profile with another reading that lines are compared with (LC101 dialect-difference) */
  readonly compareWith: Profile;
  /** the os-release patterns that make `auto` pick it */
  readonly os: readonly OsPattern[];
  readonly traits: ProfileTraits;
  /** the cells of this row not known for sure (docs/profiles.md says why; `--help` and `files` say so) */
  readonly unsure: readonly ProfileCell[];
  /** other names for it (PROFILE_ALIASES) */
  readonly aliases: readonly ProfileAlias[];
}

/** Release numbers read so far, as their numbers (the profile table compares the same few hundreds of times at start-up). */
const versionParts = new Map<string, readonly number[]>();
const partsOf = (v: string): readonly number[] => {
  let parts = versionParts.get(v);
  if (parts === undefined) {
    parts = v.split('.').map(Number);
    if (versionParts.size < 1024) versionParts.set(v, parts); // os-release text is read too: bounded
  }
  return parts;
};

/** `a.b.c` >= `x.y.z` for Linux-PAM release numbers. */
export function versionAtLeast(have: string, want: string): boolean {
  const h = partsOf(have);
  const w = partsOf(want);
  for (let i = 0; i < Math.max(h.length, w.length); i++) {
    const d = (h[i] ?? 0) - (w[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** What plain Linux-PAM `version` does, built with its defaults (from its pam_limits.c and build files). */
function upstreamTraits(version: string): ProfileTraits {
  const reading: LineReading = !versionAtLeast(version, '1.6.0') ? 'fgets' : version === '1.6.0' ? 'getline-1.6.0' : 'getline';
  return {
    reading,
    nofileUnlimited: versionAtLeast(version, '1.5.2') ? 'nr-open' : 'infinity',
    missingFileFatal: !versionAtLeast(version, '1.5.3'),
    vendorDir: versionAtLeast(version, '1.7.2') ? VENDOR_DIR : null,
    maxlogins: versionAtLeast(version, '1.7.0') ? 'logind' : 'utmp',
    rootExempt: false, pid1Baseline: false, debianKernelLimits: false, epermNotFatal: false, chroot: false,
  };
}

/**
 * Debian's pam_limits patches on top of `version` (1.3.1-5 to 1.5.2-6: 008 chroot,
 * 027 better_init_allow_explicit_root, 032 EPERM_NOT_FATAL, the nofile FD_SETSIZE cap; 1.7.0-5
 * keeps them but starts from the caller's limits unless `set_all` is given, Closes: #995236).
 */
function debianTraits(version: string, overrides: Partial<ProfileTraits> = {}): ProfileTraits {
  return {
    ...upstreamTraits(version), rootExempt: true, pid1Baseline: true, debianKernelLimits: true, epermNotFatal: true, chroot: true,
    ...overrides,
  };
}

interface Row {
  readonly pam: string;
  readonly title: string;
  readonly package: string;
  readonly traits: ProfileTraits;
  readonly os?: readonly OsPattern[];
  readonly unsure?: readonly ProfileCell[];
}

const up = (version: string, overrides: Partial<ProfileTraits> = {}, unsure: readonly ProfileCell[] = []): Row => ({
  pam: version, title: `Linux-PAM ${version}`, package: 'plain upstream build',
  traits: { ...upstreamTraits(version), ...overrides }, unsure,
});
const rhel = (major: string) => ['rhel', 'centos', 'ol', 'almalinux', 'rocky', 'scientific'].map((id) => ({ id, version: major }));

/**
 * The profile table (every Profile has a row). A release whose behaviour follows from its
 * Linux-PAM version and the distribution's patches is one line; `unsure` names the cells not
 * established from the module's source or the real module (docs/profiles.md).
 */
const PROFILE_ROWS: Record<Profile, Row> = {
  'linux-pam-1.1': up('1.1.8'),
  'linux-pam-1.3': up('1.3.1'),
  'linux-pam-1.4': up('1.4.0'),
  'linux-pam-1.5.2': up('1.5.2'),
  'linux-pam-1.5.3': up('1.5.3'),
  'linux-pam-1.6.0': up('1.6.0'),
  'linux-pam-1.6.1': up('1.6.1'),
  // 1.7.x: logind counting where built with libsystemd >= 254 (meson `logind` is `auto`)
  'linux-pam-1.7.0': up('1.7.0', {}, ['maxlogins']),
  'linux-pam-1.7.1': up('1.7.1', {}, ['maxlogins']),
  'linux-pam-1.7.2': up('1.7.2', {}, ['maxlogins']),

  // pam-1.1.8-23: no pam_limits patch that changes limits (limits-user is a comment; the stale-utmp check is backported)
  'rhel-7': { pam: '1.1.8', title: 'RHEL 7', package: 'pam-1.1.8-23.el7', traits: upstreamTraits('1.1.8'), os: rhel('7').filter((p) => p.id !== 'centos') },
  'centos-7': { pam: '1.1.8', title: 'CentOS 7', package: 'pam-1.1.8-23.el7', traits: upstreamTraits('1.1.8'), os: [{ id: 'centos', version: '7' }] },
  'amzn-2': { pam: '1.1.8', title: 'Amazon Linux 2', package: 'pam-1.1.8-23.amzn2.0.1', traits: upstreamTraits('1.1.8'), os: [{ id: 'amzn', version: '2' }] },
  // the nr_open code (3234488f) arrives with pam-1.3.1-16.el8 (rhbz#2047655); that 8.6 shipped -16 is inferred from dates
  'rhel-8.5': { pam: '1.3.1', title: 'RHEL 8.0–8.5', package: 'pam-1.3.1-4.el8 … -15.el8', traits: upstreamTraits('1.3.1'), os: rhel('8').map((p) => ({ ...p, below: '8.6' })) },
  'rhel-8': { pam: '1.3.1', title: 'RHEL 8.6+', package: 'pam-1.3.1-16.el8 and later', traits: { ...upstreamTraits('1.3.1'), nofileUnlimited: 'nr-open' }, os: rhel('8') },
  // nr_open backported in pam-1.5.1-9.el9 (rhbz#1989900), before 9.0
  'rhel-9': { pam: '1.5.1', title: 'RHEL 9', package: 'pam-1.5.1-9.el9 and later', traits: { ...upstreamTraits('1.5.1'), nofileUnlimited: 'nr-open' }, os: rhel('9') },
  'rhel-10': { pam: '1.6.1', title: 'RHEL 10', package: 'pam-1.6.1-7.el10', traits: upstreamTraits('1.6.1'), os: rhel('10'), unsure: ['vendorDir'] },
  // Fedora's pam-1.5.1-8, from before RHEL 9's nr_open backport
  'amzn-2023': { pam: '1.5.1', title: 'Amazon Linux 2023', package: 'pam-1.5.1-8.amzn2023', traits: upstreamTraits('1.5.1'), os: [{ id: 'amzn', version: '2023' }], unsure: ['nofileUnlimited'] },

  'debian-10': { pam: '1.3.1', title: 'Debian 10', package: 'libpam-modules 1.3.1-5', traits: debianTraits('1.3.1'), os: [{ id: 'debian', version: '10', codename: 'buster' }] },
  'debian-11': { pam: '1.4.0', title: 'Debian 11', package: 'libpam-modules 1.4.0-9+deb11u1', traits: debianTraits('1.4.0'), os: [{ id: 'debian', version: '11', codename: 'bullseye' }] },
  'debian-12': { pam: '1.5.2', title: 'Debian 12', package: 'libpam-modules 1.5.2-6+deb12u1', traits: debianTraits('1.5.2'), os: [{ id: 'debian', version: '12', codename: 'bookworm' }] },
  // 1.7.0-1: "do not override systemd's limits by default; add the set_all option" (#995236); built with libsystemd: logind counting; no vendordir
  'debian-13': { pam: '1.7.0', title: 'Debian 13', package: 'libpam-modules 1.7.0-5', traits: debianTraits('1.7.0', { pid1Baseline: false, maxlogins: 'logind' }), os: [{ id: 'debian', version: '13', codename: 'trixie' }] },
  'ubuntu-20.04': { pam: '1.3.1', title: 'Ubuntu 20.04', package: 'libpam-modules 1.3.1-5ubuntu4', traits: debianTraits('1.3.1'), os: [{ id: 'ubuntu', version: '20.04', codename: 'focal' }], unsure: ['rootExempt'] },
  'ubuntu-22.04': { pam: '1.4.0', title: 'Ubuntu 22.04', package: 'libpam-modules 1.4.0-11ubuntu2', traits: debianTraits('1.4.0'), os: [{ id: 'ubuntu', version: '22.04', codename: 'jammy' }], unsure: ['rootExempt'] },
  // Debian's 1.5.3 still resets from /proc/1/limits (dropped in 1.7.0-1)
  'ubuntu-24.04': { pam: '1.5.3', title: 'Ubuntu 24.04', package: 'libpam-modules 1.5.3-5ubuntu5', traits: debianTraits('1.5.3'), os: [{ id: 'ubuntu', version: '24.04', codename: 'noble' }], unsure: ['rootExempt', 'pid1Baseline', 'epermNotFatal', 'vendorDir'] },

  // pam.spec: -Dlogind=disabled -Dvendordir='' (no vendor dir even with 1.7.2); the version per release is inferred from the changelog dates
  'fedora-41': { pam: '1.6.1', title: 'Fedora 41', package: 'pam-1.6.1 (Fedora 41)', traits: upstreamTraits('1.6.1'), os: [{ id: 'fedora', version: '41' }], unsure: ['pamVersion'] },
  'fedora-42': { pam: '1.7.0', title: 'Fedora 42', package: 'pam-1.7.0 (Fedora 42)', traits: { ...upstreamTraits('1.7.0'), maxlogins: 'utmp' }, os: [{ id: 'fedora', version: '42' }], unsure: ['pamVersion'] },
  'fedora-43': { pam: '1.7.1', title: 'Fedora 43', package: 'pam-1.7.1 (Fedora 43)', traits: { ...upstreamTraits('1.7.1'), maxlogins: 'utmp' }, os: [{ id: 'fedora', version: '43' }], unsure: ['pamVersion'] },
  fedora: { pam: '1.7.2', title: 'Fedora 44 / rawhide', package: 'pam-1.7.2 (Fedora 44)', traits: { ...upstreamTraits('1.7.2'), vendorDir: null, maxlogins: 'utmp' }, os: [{ id: 'fedora', version: '44' }] },
  'opensuse-tumbleweed': { pam: '1.7.2', title: 'openSUSE Tumbleweed', package: 'pam-1.7.2 (openSUSE)', traits: { ...upstreamTraits('1.7.2'), vendorDir: SUSE_VENDOR_DIR, maxlogins: 'logind' }, os: [{ id: 'opensuse-tumbleweed' }, { id: 'opensuse-slowroll' }], unsure: ['vendorDir', 'maxlogins'] },
  // upstream 1.3.0 has no vendordir code; SUSE's own backports (nr_open, missing file) are not established
  'sles-15': { pam: '1.3.0', title: 'SLES 15 / openSUSE Leap 15', package: 'pam-1.3.0-150000.6 (SLE 15)', traits: upstreamTraits('1.3.0'), os: [{ id: 'sles', version: '15' }, { id: 'sled', version: '15' }, { id: 'opensuse-leap', version: '15' }], unsure: ['nofileUnlimited', 'missingFileFatal', 'vendorDir'] },
  arch: { pam: '1.7.1', title: 'Arch Linux', package: 'pam 1.7.1 (Arch, -Dlogind=enabled)', traits: { ...upstreamTraits('1.7.1'), maxlogins: 'logind' }, os: [{ id: 'arch' }], unsure: ['pamVersion', 'maxlogins', 'vendorDir'] },
  // aports linux-pam 1.7.0-r4: meson without libsystemd (utmps), no vendordir
  alpine: { pam: '1.7.0', title: 'Alpine Linux', package: 'linux-pam 1.7.0-r4 (Alpine)', traits: { ...upstreamTraits('1.7.0'), maxlogins: 'utmp' }, os: [{ id: 'alpine' }], unsure: ['pamVersion'] },
};

const READING_PEER: Record<LineReading, Profile> = { fgets: 'linux-pam-1.7.2', 'getline-1.6.0': 'linux-pam-1.5.2', getline: 'linux-pam-1.5.2' };

export const PROFILES: readonly ProfileInfo[] = PROFILE_NAMES.map((name) => {
  const row = PROFILE_ROWS[name];
  const aliases = (Object.keys(PROFILE_ALIASES) as ProfileAlias[]).filter((a) => PROFILE_ALIASES[a] === name);
  return {
    name, pamVersion: row.pam, title: row.title, package: row.package, reading: row.traits.reading,
    compareWith: READING_PEER[row.traits.reading], os: row.os ?? [], traits: row.traits, unsure: row.unsure ?? [], aliases,
  };
});

const BY_PROFILE = new Map<string, ProfileInfo>(PROFILES.map((p) => [p.name, p]));
for (const [alias, name] of Object.entries(PROFILE_ALIASES)) BY_PROFILE.set(alias, BY_PROFILE.get(name)!);

/** The traits of every profile and alias. */
export const PROFILE_TRAITS: Readonly<Record<ProfileName, ProfileTraits>> = Object.fromEntries(
  [...BY_PROFILE].map(([name, p]) => [name, p.traits]),
) as Record<ProfileName, ProfileTraits>;

/**
 * What `parseLimits` reads as when no profile is given, and what `auto` falls back to when
 * os-release names no release in the table (with a warning saying so).
 */
export const FALLBACK_PROFILE: Profile = 'linux-pam-1.5.2';

/** The table row of a profile or an alias (the release profile's row). Throws a RangeError for an unknown name. */
export function profileInfo(profile: ProfileName): ProfileInfo {
  const p = BY_PROFILE.get(profile);
  if (!p) throw new RangeError(`unknown profile '${String(profile)}'; known: ${PROFILE_NAMES.join(', ')} (or ${Object.keys(PROFILE_ALIASES).join(', ')})`);
  return p;
}

/** The release profile a name stands for (aliases resolved). Throws a RangeError for an unknown name. */
export function canonicalProfile(profile: ProfileName): Profile {
  return profileInfo(profile).name;
}

/**
 * One profile per line reading, each the one of its reading that knows the most items (chroot on
 * Debian's fgets, rttime on 1.7.2's getline): a check that must hold whichever way pam_limits
 * reads the line. 1.6.0's regression reading is LC101's to report, not a reading edits aim at.
 */
export const READING_PROFILES: readonly Profile[] = ['debian-12', 'linux-pam-1.7.2'];

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
export function itemForProfile(name: string, profile: ProfileName): ItemInfo | undefined {
  const info = BY_NAME.get(name);
  return info && info.profiles.includes(canonicalProfile(profile)) ? info : undefined;
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

/** A release profile's name (not an alias). */
export function isProfile(s: string): s is Profile {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

/** A release profile's name or an alias of one (PROFILE_ALIASES). */
export function isProfileName(s: string): s is ProfileName {
  return BY_PROFILE.has(s);
}
