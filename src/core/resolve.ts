/**
 * Effective limits for one account, computed exactly as pam_limits does (parse_config_file,
 * process_limit, setup_limits), with provenance for every value.
 *
 * Why one file (about 500 lines): it is one reading of pam_limits.c, kept in the C code's order so
 * it can be checked against it side by side: the starting values (Debian's PID-1 baseline or the
 * built-in table, initSlots), domain matching and ranks (matchEntryDomain, matchNoLimitDomain),
 * then the line-by-line pass with set_all, nr_open and `-` lines (resolveLimits).
 * parseProcLimits is here because /proc/PID/limits is the baseline's input format, and it is the
 * project's one parser of it (doctor uses it too).
 */
import type { Identity } from './accounts.js';
import type { DomainSpec } from './domain.js';
import type { ConfigTree, EntryReading, Line, NoLimitReading } from './model.js';
import { kernelToConf, strtoull } from './values.js';
import {
  type Profile, PROFILE_TRAITS, DEFAULT_NR_OPEN, ITEMS, type ItemInfo, type ItemName, RANK, type Rank,
  RLIM_INFINITY, type RlimitItem, canonicalProfile, type ProfileName, profileInfo,
} from './schema.js';

/** soft/hard pairs in kernel units, e.g. parsed from /proc/PID/limits. */
export type ProcLimits = Partial<Record<RlimitItem, { readonly soft: bigint; readonly hard: bigint }>>;

export interface ResolveOptions {
  /** a release profile or an alias (default: the tree's); Resolution.profile is the release profile */
  profile?: ProfileName;
  /**
   * first number of /proc/sys/fs/nr_open as pam_limits reads it (nofile "unlimited" becomes this
   * from 1.5.2); default 1048576; null = pam_limits cannot read it (unlimited stays RLIM_INFINITY)
   */
  nrOpen?: bigint | null;
  /**
   * the fs.nr_open the kernel enforces (setrlimit(RLIMIT_NOFILE) above it fails with EPERM):
   * default nrOpen, or the kernel's default 1048576 when nrOpen is null — the module may be
   * unable to read the sysctl while the kernel still enforces it
   */
  kernelNrOpen?: bigint;
  /**
   * PID 1's limits (/proc/1/limits). Debian 10–12 (traits.pid1Baseline) always start from them;
   * upstream and Debian 13 only with set_all.
   * undefined = unknown (values not set by a line are then reported as unknown);
   * null = unreadable (Debian falls back to its built-in table).
   */
  pid1Limits?: ProcLimits | null;
  /** the calling process's limits (getrlimit), upstream's starting point; undefined = unknown */
  processLimits?: ProcLimits;
  /** pam_limits' set_all option (implied where traits.pid1Baseline: Debian 10–12, Ubuntu) */
  setAll?: boolean;
  /**
   * false when the process opening the session lacks CAP_SYS_RESOURCE (a container started with
   * Docker's default capabilities; /proc/1/status CapEff without bit 24): setrlimit(2) then fails
   * with EPERM for a hard limit above the process's current one (processLimits, else PID 1's) —
   * upstream pam_limits denies the session, Debian's ignores the error. Default: assumed present.
   */
  capSysResource?: boolean;
  /** the caller's nice value (getpriority), default 0 */
  initialPriority?: number;
  /** system page size for Debian's memlock fallback, default 4096 */
  pageSize?: bigint;
  /**
   * Which lines to record in `events`: 'all' (default; explain --all and root warnings use the
   * lines that do not match) or 'matched' (cheaper when only the values matter).
   */
  events?: 'all' | 'matched';
}

export type PamResult = 'PAM_SUCCESS' | 'PAM_SERVICE_ERR' | 'PAM_PERM_DENIED' | 'PAM_USER_UNKNOWN' | 'PAM_SESSION_ERR' | 'PAM_ABORT';

/** Where a value came from. */
export interface Source {
  /** file path relative to the tree root */
  readonly file: string;
  /** 1-based physical line */
  readonly line: number;
  readonly domain: string;
  readonly rank: Rank;
  /** the type as written, lower-cased */
  readonly type: string;
  /** the value as written */
  readonly value: string;
  /** 0-based chunk index when 1.5.2 split a long line */
  readonly chunk?: number;
}

export type Origin = 'line' | 'pid1' | 'fallback' | 'process' | 'unknown';

/** One half (soft or hard) of an rlimit, in kernel units. */
export interface Slot {
  /** value pam_limits stores before clamping; null when unknown (inherited, not known to us) */
  readonly value: bigint | null;
  readonly rank: Rank;
  readonly origin: Origin;
  readonly source: Source | null;
  /** earlier lines this value replaced */
  readonly beat: readonly Source[];
}

export interface RlimitResult {
  readonly item: RlimitItem;
  readonly info: ItemInfo;
  readonly soft: Slot;
  readonly hard: Slot;
  /** the values passed to setrlimit (soft clamped to hard); null when not called */
  readonly applied: { readonly soft: bigint | null; readonly hard: bigint | null } | null;
  /** soft was lowered to hard at setup time */
  readonly clamped: boolean;
  /** the kernel would refuse it: nofile hard above fs.nr_open, or a raised hard limit without CAP_SYS_RESOURCE (setrlimit(2) EPERM) */
  readonly eperm: boolean;
}

/** What happened to one matching line for one item, for explain. */
export type Outcome =
  | 'set'                 // stored (may be replaced later)
  | 'outranked'           // a stronger rank already holds this half
  | 'short-circuit'       // `-` line: soft half outranked, so hard half never considered
  | 'not-applicable';     // type does not cover this half

export interface LineEvent {
  readonly source: Source;
  readonly item: ItemName;
  /** did the domain match this account (and at which rank)? */
  readonly matched: boolean;
  readonly rank: Rank | null;
  /** why it was skipped before storing, if it was */
  readonly skipped: string | null;
  readonly soft: Outcome;
  readonly hard: Outcome;
  /** the stored value in kernel units (after conversion / nr_open substitution) */
  readonly kernel: bigint | null;
  /** index of the reading in reading order (for "overridden later by") */
  readonly order: number;
}

export interface NoLimitHit {
  readonly file: string;
  readonly line: number;
  readonly domain: string;
}

export interface Resolution {
  readonly profile: Profile;
  readonly identity: Identity;
  /** false when pam_limits applies nothing (a matching `<domain> -` line, or a read failure) */
  readonly applied: boolean;
  readonly result: PamResult;
  readonly noLimit: NoLimitHit | null;
  readonly failure: { readonly file: string; readonly reason: string } | null;
  readonly rlimits: Readonly<Record<RlimitItem, RlimitResult>>;
  readonly priority: { readonly value: number; readonly source: Source | null };
  readonly nonewprivs: { readonly value: boolean; readonly source: Source | null };
  readonly chroot: { readonly value: string; readonly source: Source | null } | null;
  readonly logins: {
    readonly value: number;
    readonly rank: Rank;
    readonly source: Source | null;
    /** maxsyslogins mode: every login on the system counts */
    readonly system: boolean;
    /** the %group whose logins count, if set by a %group line */
    readonly group: string | null;
    /** 'deny' for limit 0, 'count' when utmp (or logind) decides, 'none' when unlimited, root, or 1 under logind (not enforced) */
    readonly check: 'deny' | 'count' | 'none';
  };
  /** every entry line that names an item, matching or not, in reading order */
  readonly events: readonly LineEvent[];
  /** the syscalls pam_limits makes, for comparison with the real module */
  readonly calls: {
    readonly setrlimit: ReadonlyArray<{ readonly resource: number; readonly item: RlimitItem; readonly soft: bigint | null; readonly hard: bigint | null }>;
    readonly setpriority: number | null;
    readonly nonewprivs: boolean;
    readonly chroot: string | null;
  };
  readonly warnings: readonly string[];
}

const RLIMIT_INFOS = ITEMS.filter((i) => i.rlimit !== null);

/** Debian's hard-coded fallbacks (patch 027) for resources with no PID 1 row. */
function debianFallback(item: RlimitItem, pageSize: bigint): { soft: bigint; hard: bigint } | null {
  switch (item) {
    case 'memlock': { const v = pageSize > 65536n ? pageSize : 65536n; return { soft: v, hard: v }; }
    case 'sigpending': return { soft: 16382n, hard: 16382n };
    case 'msgqueue': return { soft: 819200n, hard: 819200n };
    case 'core': return { soft: 0n, hard: RLIM_INFINITY };
    case 'stack': return { soft: 8388608n, hard: RLIM_INFINITY };
    case 'nofile': return { soft: 1024n, hard: 1024n };
    case 'nice': case 'rtprio': case 'rttime': return null;
    default: return { soft: RLIM_INFINITY, hard: RLIM_INFINITY };
  }
}

interface MutableSlot {
  value: bigint | null;
  rank: Rank;
  origin: Origin;
  source: Source | null;
  beat: Source[];
}

function initSlots(profile: Profile, options: ResolveOptions): Record<RlimitItem, { soft: MutableSlot; hard: MutableSlot }> {
  const traits = PROFILE_TRAITS[profile];
  const out = {} as Record<RlimitItem, { soft: MutableSlot; hard: MutableSlot }>;
  const usePid1 = traits.pid1Baseline || options.setAll === true;
  for (const info of RLIMIT_INFOS) {
    const item = info.name as RlimitItem;
    const proc = options.processLimits?.[item];
    const fromProcess = (half: 'soft' | 'hard'): MutableSlot => ({
      value: proc ? proc[half] : null, rank: RANK.NONE, origin: proc ? 'process' : 'unknown', source: null, beat: [],
    });
    let soft = fromProcess('soft');
    let hard = fromProcess('hard');
    if (usePid1) {
      const pid1 = options.pid1Limits === undefined ? undefined : options.pid1Limits?.[item];
      if (options.pid1Limits === undefined) {
        // PID 1's limits unknown: rank is KERNEL (a row surely exists on Linux), value unknown.
        soft = { value: null, rank: RANK.KERNEL, origin: 'unknown', source: null, beat: [] };
        hard = { value: null, rank: RANK.KERNEL, origin: 'unknown', source: null, beat: [] };
        if (traits.debianKernelLimits && item === 'nofile') soft = { ...soft, value: null };
      } else if (pid1) {
        let s = pid1.soft;
        if (traits.debianKernelLimits && item === 'nofile' && s > 1024n) s = 1024n; // FD_SETSIZE cap
        soft = { value: s, rank: RANK.KERNEL, origin: 'pid1', source: null, beat: [] };
        hard = { value: pid1.hard, rank: RANK.KERNEL, origin: 'pid1', source: null, beat: [] };
      } else if (traits.debianKernelLimits) {
        const fb = debianFallback(item, options.pageSize ?? 4096n);
        if (fb) {
          soft = { value: fb.soft, rank: RANK.DEFAULT, origin: 'fallback', source: null, beat: [] };
          hard = { value: fb.hard, rank: RANK.DEFAULT, origin: 'fallback', source: null, beat: [] };
        }
      }
    }
    out[item] = { soft, hard };
  }
  return out;
}

// (plain loops: a closure passed to some() was one more object per call, and the matching
// functions run once per account and domain in the lint analysis — tens of millions of calls for
// a repository of trees)
function inGroupNamed(id: Identity, name: string): boolean {
  const gs = id.groups;
  for (let i = 0; i < gs.length; i++) if (gs[i]!.name === name) return true;
  return false;
}
function inGroupGid(id: Identity, gid: number): boolean {
  const gs = id.groups;
  for (let i = 0; i < gs.length; i++) if (gs[i]!.gid === gid) return true;
  return false;
}
/** Does `v` fall in a uid/gid range domain's range ('none' and 'error' hold nothing)? */
export function inRange(r: DomainSpec['range'], v: number): boolean {
  switch (r.form) {
    case 'one': return v === r.min;
    case 'min': return v >= r.min;
    case 'minmax': return v >= r.min && v <= r.max;
    default: return false;
  }
}

/** A match of a 4-field line's domain (matchEntryDomain); read-only, and shared between calls. */
export interface DomainMatch {
  readonly rank: Rank;
  /** the %group name, when the `%group` branch matched */
  readonly loginGroup?: string;
}
// the matches without a login group, one object each for every call
const MATCH_USER: DomainMatch = Object.freeze({ rank: RANK.USER });
const MATCH_GROUP: DomainMatch = Object.freeze({ rank: RANK.GROUP });
const MATCH_ALL: DomainMatch = Object.freeze({ rank: RANK.ALL });
const MATCH_DEFAULT: DomainMatch = Object.freeze({ rank: RANK.DEFAULT });

/**
 * The rank at which a 4-field line's domain matches the account, or null (pam_limits.c 1.5.2 parse_config_file, the matching chain; Debian's root rule; docs/pam_limits-semantics.md, Domains and ranks).
 * `loginGroup` receives the %group name when that branch matches. The result is frozen and may be
 * the same object for every call of one rank (no object per call).
 */
export function matchEntryDomain(d: DomainSpec, id: Identity, profile: ProfileName): DomainMatch | null {
  if (d.kind === 'invalid') return null;
  if (d.text === id.name) return MATCH_USER;
  const rootExempt = PROFILE_TRAITS[profile].rootExempt && id.uid === 0;
  const c0 = d.text.charCodeAt(0);
  if (c0 === 0x40 /* @ */ && !rootExempt) {
    switch (d.range.form) {
      case 'none': return inGroupNamed(id, d.group ?? d.text.slice(1)) ? MATCH_GROUP : null;
      case 'one': return inGroupGid(id, d.range.min) ? MATCH_GROUP : null;
      default: return inRange(d.range, id.gid) ? MATCH_GROUP : null;
    }
  }
  if (c0 === 0x25 /* % */ && !rootExempt) {
    if (d.text === '%') return MATCH_ALL;
    switch (d.range.form) {
      case 'none': { const g = d.group ?? d.text.slice(1); return inGroupNamed(id, g) ? { rank: RANK.ALLGROUP, loginGroup: g } : null; }
      case 'one': return inGroupGid(id, d.range.min) ? { rank: RANK.ALLGROUP, loginGroup: d.text.slice(1) } : null;
      default: return null; // "range unsupported for %group matching"
    }
  }
  if (d.range.form === 'none') return d.text === '*' && !rootExempt ? MATCH_DEFAULT : null;
  return inRange(d.range, id.uid) ? MATCH_USER : null;
}

/** Does a 2-field `<domain> -` line stop processing for this account? (pam_limits.c 1.5.2 parse_config_file; docs/pam_limits-semantics.md, Precedence; no root rule) */
export function matchNoLimitDomain(d: DomainSpec, id: Identity): boolean {
  if (d.kind === 'invalid') return false;
  if (d.text === id.name) return true;
  if (d.text.charCodeAt(0) === 0x40) {
    switch (d.range.form) {
      case 'none': return inGroupNamed(id, d.group ?? d.text.slice(1));
      case 'one': return inGroupGid(id, d.range.min);
      default: return inRange(d.range, id.gid);
    }
  }
  return d.range.form !== 'none' && inRange(d.range, id.uid);
}

/** One event; a plain constructor call (no object spreads) keeps the hot loop cheap. */
function event(
  item: ItemName, order: number, source: Source, matched: boolean, rank: Rank | null, skipped: string | null,
  soft: Outcome, hard: Outcome, kernel: bigint | null,
): LineEvent {
  return { item, order, source, matched, rank, skipped, soft, hard, kernel };
}

function sourceOf(file: string, line: Line, r: EntryReading | NoLimitReading, chunk: number | undefined, rank: Rank): Source {
  const s: Source = {
    file, line: line.index + 1, domain: r.domain.raw, rank,
    type: r.kind === 'entry' ? r.typeText : r.type.raw,
    value: r.kind === 'entry' ? r.value.raw : '',
  };
  return chunk === undefined ? s : { ...s, chunk };
}

/** Compute what pam_limits does for `identity` with this tree. Pure. */
export function resolveLimits(tree: ConfigTree, identity: Identity, options: ResolveOptions = {}): Resolution {
  const profile = canonicalProfile(options.profile ?? tree.profile);
  const traits = PROFILE_TRAITS[profile];
  const nrOpen = options.nrOpen === undefined ? DEFAULT_NR_OPEN : options.nrOpen;
  const kernelNrOpen = options.kernelNrOpen ?? nrOpen ?? DEFAULT_NR_OPEN;
  const slots = initSlots(profile, options);
  const warnings: string[] = [];
  const events: LineEvent[] = [];
  let priority = { value: options.initialPriority ?? 0, source: null as Source | null };
  let nonewprivs = { value: false, source: null as Source | null };
  let chroot: { value: string; source: Source | null } | null = null;
  let logins = { value: -2, rank: RANK.NONE as Rank, source: null as Source | null, system: false, group: null as string | null };
  let noLimit: NoLimitHit | null = null;
  let failure: Resolution['failure'] = null;
  let order = 0;
  const recordUnmatched = options.events !== 'matched';

  outer:
  for (const file of tree.files) {
    if (file.fatal) { failure = { file: file.path, reason: file.fatal }; break; }
    if (!file.doc) {
      if (file.status === 'outside-root') warnings.push(`${file.path} points outside the tree and was not evaluated`);
      else if (file.dirListing && file.status === 'not-evaluated') warnings.push(`${file.error ?? `cannot list ${file.path}`} — this result leaves it out`);
      else if (file.dirListing) warnings.push(`${file.error ?? `cannot list ${file.path}`} — so this result leaves it out, as pam_limits does`);
      else if (file.status === 'not-evaluated') warnings.push(`${file.path}: ${file.error ?? 'not evaluated'}; this result leaves it out`);
      continue;
    }
    for (const line of file.doc.lines) {
      const multi = line.readings.length > 1;
      for (let ci = 0; ci < line.readings.length; ci++) {
        const r = line.readings[ci]!;
        const chunk = multi ? ci : undefined;
        if (r.kind === 'nolimit') {
          if (!r.problem && matchNoLimitDomain(r.domainSpec, identity)) {
            noLimit = { file: file.path, line: line.index + 1, domain: r.domain.raw };
            break outer;
          }
          continue;
        }
        if (r.kind !== 'entry' || !r.itemInfo || r.problem?.code === 'invalid-range') continue;
        const info = r.itemInfo;
        const m = matchEntryDomain(r.domainSpec, identity, profile);
        const name = info.name;
        const ord = order++;
        if (!m) {
          if (recordUnmatched) events.push(event(name, ord, sourceOf(file.path, line, r, chunk, RANK.NONE), false, null, null, 'not-applicable', 'not-applicable', null));
          continue;
        }
        const source = sourceOf(file.path, line, r, chunk, m.rank);
        // Side effects that happen on item recognition, before any other check (pam_limits.c 1.5.2 process_limit for maxlogins; parse_config_file).
        if (m.loginGroup !== undefined) logins = { ...logins, group: m.loginGroup };
        if (info.name === 'maxlogins') logins = { ...logins, system: false };
        if (info.name === 'maxsyslogins') logins = { ...logins, system: true };
        const skip = (why: string) => events.push(event(name, ord, source, true, m.rank, why, 'not-applicable', 'not-applicable', null));
        if (r.problem && r.problem.code !== 'percent-domain') { skip(r.problem.message); continue; }
        if ((m.rank === RANK.ALL || m.rank === RANK.ALLGROUP) && info.name !== 'maxlogins') { skip(`'%' domain valid for maxlogins only`); continue; }
        const pv = r.parsedValue!;
        if (info.name === 'priority') {
          priority = { value: Number(pv.number), source };
          events.push(event(name, ord, source, true, m.rank, null, 'set', 'set', pv.number));
          continue;
        }
        if (info.name === 'nonewprivs') {
          nonewprivs = { value: pv.number === 1n, source };
          events.push(event(name, ord, source, true, m.rank, null, 'set', 'set', pv.number));
          continue;
        }
        if (info.name === 'chroot') {
          chroot = { value: pv.path ?? '', source };
          events.push(event(name, ord, source, true, m.rank, null, 'set', 'set', null));
          continue;
        }
        if (info.name === 'maxlogins' || info.name === 'maxsyslogins') {
          let outcome: Outcome = 'outranked';
          if (!(logins.rank < m.rank)) {
            logins = { ...logins, value: Number(pv.number), rank: m.rank, source };
            outcome = 'set';
          }
          events.push(event(name, ord, source, true, m.rank, null, outcome, outcome, pv.number));
          continue;
        }
        // rlimit
        const item = info.name as RlimitItem;
        let kernel = pv.kernel!;
        // nofile unlimited becomes fs.nr_open from Linux-PAM 1.5.2 (commit 3234488f) and its backports; before, RLIM_INFINITY is asked for
        if (item === 'nofile' && kernel === RLIM_INFINITY && traits.nofileUnlimited === 'nr-open') {
          if (nrOpen !== null) kernel = nrOpen;
          else warnings.push(`${source.file}:${source.line}: nofile unlimited cannot be mapped: /proc/sys/fs/nr_open unreadable`);
        }
        const type = r.limitType!;
        const slot = slots[item];
        let softOutcome: Outcome = 'not-applicable';
        let hardOutcome: Outcome = 'not-applicable';
        let blocked = false;
        if (type === 'soft' || type === '-') {
          if (slot.soft.rank < m.rank) {
            softOutcome = 'outranked';
            blocked = true;
            if (type === '-') hardOutcome = 'short-circuit';
          } else {
            if (slot.soft.source) slot.soft.beat.push(slot.soft.source);
            slot.soft.value = kernel;
            slot.soft.rank = m.rank;
            slot.soft.origin = 'line';
            slot.soft.source = source;
            softOutcome = 'set';
          }
        }
        if (!blocked && (type === 'hard' || type === '-')) {
          if (slot.hard.rank < m.rank) {
            hardOutcome = 'outranked';
          } else {
            if (slot.hard.source) slot.hard.beat.push(slot.hard.source);
            slot.hard.value = kernel;
            slot.hard.rank = m.rank;
            slot.hard.origin = 'line';
            slot.hard.source = source;
            hardOutcome = 'set';
          }
        }
        events.push(event(name, ord, source, true, m.rank, null, softOutcome, hardOutcome, kernel));
      }
    }
  }

  const rlimits = {} as Record<RlimitItem, RlimitResult>;
  const setrlimit: Array<{ resource: number; item: RlimitItem; soft: bigint | null; hard: bigint | null }> = [];
  const applied = !noLimit && !failure;
  let permDenied = false;
  for (const info of RLIMIT_INFOS) {
    const item = info.name as RlimitItem;
    const { soft, hard } = slots[item];
    let appliedPair: RlimitResult['applied'] = null;
    let clamped = false;
    let eperm = false;
    if (applied && !(soft.rank === RANK.NONE && hard.rank === RANK.NONE)) {
      let s = soft.value;
      const h = hard.value;
      if (s !== null && h !== null && s > h) { s = h; clamped = true; }
      if (item === 'nofile' && s === RLIM_INFINITY && h === null) {
        // the kernel has no unlimited nofile: pam_limits lowers soft to the (inherited) hard limit first
        warnings.push(`soft nofile unlimited is RLIM_INFINITY here, above any hard limit: pam_limits lowers it to the inherited hard nofile limit (unknown here) before setrlimit`);
      }
      if (s === null && h !== null && soft.origin !== 'line') {
        // the hard limit in limits.conf units, with its unit (cpu 90 minutes, not the kernel's 5400 seconds)
        const hc = kernelToConf(info, h);
        const unit = hc !== 'unlimited' && (info.unit === 'KiB' || info.unit === 'minutes' || info.unit === 'bytes') ? ` ${info.unit}` : '';
        warnings.push(`${item}: the inherited soft limit is unknown; pam_limits lowers it to the hard limit ${hc}${unit} if it is higher`);
      }
      appliedPair = { soft: s, hard: h };
      setrlimit.push({ resource: info.rlimit!, item, soft: s, hard: h });
      // setrlimit(RLIMIT_NOFILE) fails with EPERM above fs.nr_open; RLIM_INFINITY is above any nr_open
      if (item === 'nofile' && h !== null && h > kernelNrOpen) {
        eperm = true;
        const what = h === RLIM_INFINITY ? `nofile hard unlimited (RLIM_INFINITY: ${nrOpen === null ? 'fs.nr_open is unreadable, so' : `${profileInfo(profile).title}'s`} pam_limits does not turn it into fs.nr_open)` : `nofile hard ${h}`;
        const limit = nrOpen === null && options.kernelNrOpen === undefined ? `fs.nr_open (assumed the kernel default ${kernelNrOpen})` : `fs.nr_open ${kernelNrOpen}`;
        if (traits.epermNotFatal) warnings.push(`${what} is above ${limit}: the kernel refuses it (EPERM) and Debian's pam_limits silently keeps the previous nofile limits`);
        else { warnings.push(`${what} is above ${limit}: setrlimit fails (EPERM) and the session is denied (PAM_PERM_DENIED)`); permDenied = true; }
      }
      // without CAP_SYS_RESOURCE no process may raise its hard limit (setrlimit(2), EPERM)
      const startHard = options.processLimits?.[item]?.hard ?? options.pid1Limits?.[item]?.hard ?? null;
      if (!eperm && options.capSysResource === false && h !== null && startHard !== null && h > startHard) {
        eperm = true;
        const shown = (v: bigint) => { const c = kernelToConf(info, v); return c === 'unlimited' || info.unit === 'count' ? c : `${c} ${info.unit}`; };
        const what = `${item} hard ${shown(h)} is above the starting hard limit ${shown(startHard)}, and the session's process lacks CAP_SYS_RESOURCE`;
        if (traits.epermNotFatal) warnings.push(`${what}: the kernel refuses it (EPERM) and Debian's pam_limits keeps the previous ${item} limits`);
        else { warnings.push(`${what}: setrlimit fails (EPERM) and the session is denied (PAM_PERM_DENIED)`); permDenied = true; }
      }
    }
    rlimits[item] = { item, info, soft: freeze(soft), hard: freeze(hard), applied: appliedPair, clamped, eperm };
  }

  let result: PamResult = 'PAM_SUCCESS';
  let check: Resolution['logins']['check'] = 'none';
  if (failure) result = 'PAM_SERVICE_ERR';
  else if (applied) {
    if (permDenied) result = 'PAM_PERM_DENIED';
    if (identity.uid !== 0) {
      if (logins.value === 0) { check = 'deny'; result = 'PAM_PERM_DENIED'; }
      else if (logins.value === 1 && traits.maxlogins === 'logind') {
        // Linux-PAM 1.7.0 (f5db2603) with logind: check_logins() returns LIMIT_ERR for a limit of 1
        // ("Maxlogin limit needs to be 2 or higher with systemd-logind"), and setup_limits() only
        // acts on LOGIN_ERR — so the limit is logged and not enforced (1.7.0–1.7.2).
        warnings.push(`${logins.system ? 'maxsyslogins' : 'maxlogins'} 1 is not enforced on ${profileInfo(profile).title}: pam_limits counts sessions through systemd-logind, logs "Maxlogin limit needs to be 2 or higher" and lets the session in`);
      } else if (logins.value > 0) check = 'count';
    }
  }
  const calls: Resolution['calls'] = applied
    ? {
      setrlimit,
      setpriority: priority.value,
      nonewprivs: nonewprivs.value,
      chroot: chroot && result === 'PAM_SUCCESS' ? chroot.value : null,
    }
    : { setrlimit: [], setpriority: null, nonewprivs: false, chroot: null };
  return {
    profile, identity, applied, result, noLimit, failure, rlimits, priority, nonewprivs, chroot,
    logins: { ...logins, check }, events, calls, warnings,
  };
}

function freeze(s: MutableSlot): Slot {
  return { value: s.value, rank: s.rank, origin: s.origin, source: s.source, beat: s.beat };
}

/**
 * Parse /proc/PID/limits text into soft/hard pairs (kernel units) exactly as pam_limits'
 * parse_kernel_limits() reads /proc/1/limits: the header's length decides whether a row has a
 * Units column, and values are taken from the right-hand end of each row. The kernel pads every
 * row to the header's width, so rows whose Units column is empty (nice, rtprio) are misread and
 * never found — pam_limits then keeps the caller's values for them. Rows it cannot read are
 * simply absent from the result.
 */
export function parseProcLimits(text: string): ProcLimits {
  const out: ProcLimits = {};
  const byTitle = new Map(RLIMIT_INFOS.map((i) => [i.procTitle!, i.name as RlimitItem]));
  let maxlen = 0;
  for (const chunk of text.split(/(?<=\n)/)) {
    if (chunk.length < 2) continue;
    const line = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
    if (!maxlen && line.startsWith('Limit')) { maxlen = line.length; continue; }
    let pos = line.length;
    let end = line.length;
    // LIMITS_SKIP_WHITESPACE: step back over spaces; the string now ends after pos
    const skip = (): boolean => {
      pos--;
      while (pos > 0 && line[pos] === ' ') pos--;
      if (pos <= 0) return false;
      end = pos + 1;
      return true;
    };
    // LIMITS_MARK_ITEM: step back over non-spaces; the item runs to the current end
    const mark = (): string | null => {
      pos--;
      while (pos > 0 && line[pos] !== ' ') pos--;
      if (pos <= 0) return null;
      return line.slice(pos + 1, end);
    };
    if (line.length === maxlen && (!skip() || mark() === null)) continue;
    if (!skip()) continue;
    const hard = mark();
    if (hard === null || !skip()) continue;
    const soft = mark();
    if (soft === null || !skip()) continue;
    const item = byTitle.get(line.slice(0, end));
    if (!item) continue;
    const value = (v: string): bigint => (v === 'unlimited' ? RLIM_INFINITY : strtoull(v).value);
    out[item] = { soft: value(soft), hard: value(hard) };
  }
  return out;
}
