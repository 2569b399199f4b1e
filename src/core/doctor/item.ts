/**
 * `doctor --item ITEM` (with --user, --pid or --unit): what the processes run with for one
 * resource limit, against what configures it, and which source wins. Types of the facts the io
 * ring reads (src/io/doctor-item.ts) and the pure comparison the item findings share.
 *
 * Which source configures a process (by where systemd placed it, /proc/PID/cgroup):
 * - a login session (`session-N.scope`), or any process when systemd does not run: pam_limits,
 *   resolved for the process's account (resolveLimits) — what a NEW session gets; a running
 *   session keeps what it started with (setrlimit at login; `prlimit --pid` changes it later);
 * - a systemd service (`…/NAME.service`, except cron/atd, which run each job through PAM): the
 *   unit's `Limit*=`, else `DefaultLimit*=` of system.conf, else systemd's built-in default
 *   (core/systemd/resolve.ts, systemd 252); services never read limits.conf;
 * - the user's systemd (`user@UID.service`): user.conf's `DefaultLimit*=` and the systemd-user
 *   PAM stack; not compared here.
 * Pure.
 */
import type { RlimitItem } from '../schema.js';
import { itemInfo, RLIM_INFINITY } from '../schema.js';
import type { UnitLimit, UnitLimitSource } from '../systemd/resolve.js';
import { kernelToConf } from '../values.js';
import type { CgroupKind, LimitPair } from './facts.js';
import { isPamService } from './analysis.js';
import { caveatOf } from './text.js';
import type { Resolution } from '../resolve.js';

/** What `doctor --item` looks at. */
export type ItemTarget =
  | { readonly kind: 'user' }
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'unit'; readonly unit: string };

/** One process examined for the item, as read from /proc/PID. */
export interface ItemProcess {
  readonly pid: number;
  /** real uid, and its account name when the tree's passwd has it */
  readonly uid: number;
  readonly user: string | null;
  readonly comm: string;
  /** the systemd cgroup path; null when unknown */
  readonly cgroup: string | null;
  readonly kind: CgroupKind;
  /** the unit of the cgroup (session-3.scope, elasticsearch.service) */
  readonly unit: string | null;
  /** the item's row of /proc/PID/limits (kernel units); null when unreadable */
  readonly limit: LimitPair | null;
  /** entries of /proc/PID/fd (nofile only); null when not read or unreadable */
  readonly fds: number | null;
}

/** What systemd configures for one unit (core/systemd/resolve.ts), or why it is unknown. */
export type UnitConfig =
  | { readonly ok: true; readonly unit: string; readonly limit: UnitLimit }
  | { readonly ok: false; readonly unit: string; readonly message: string };

export interface ItemFacts {
  readonly item: RlimitItem;
  readonly target: ItemTarget;
  readonly processes: readonly ItemProcess[];
  /** what systemd configures for every service among the processes, and the target unit */
  readonly units: readonly UnitConfig[];
  /** pam_limits' view for each account among the processes (by uid); the CLI resolves them */
  readonly resolutions: ReadonlyArray<{ readonly uid: number; readonly resolution: Resolution }>;
}

/** Which source configures a process. */
export type ItemSource = 'systemd' | 'pam' | 'user-manager' | 'unknown';

export function sourceOf(p: Pick<ItemProcess, 'kind' | 'unit'>, systemdRunning: boolean): ItemSource {
  if (p.kind === 'service') return isPamService(p.unit) ? 'pam' : 'systemd';
  if (p.kind === 'user-manager') return 'user-manager';
  if (p.kind === 'session') return 'pam';
  if (p.kind === 'scope') return 'unknown';
  return systemdRunning ? 'unknown' : 'pam';
}

/** A kernel value in limits.conf units with its unit: `65536`, `unlimited`, `16384 KiB`. */
export function itemValue(item: RlimitItem, v: bigint | null): string {
  if (v === null) return 'unknown';
  if (v === RLIM_INFINITY) return 'unlimited';
  const info = itemInfo(item)!;
  const c = kernelToConf(info, v);
  if (c === 'unlimited') return 'unlimited';
  return info.unit === 'count' || info.unit === 'nice' ? String(c) : `${c} ${info.unit}`;
}

/** `1024:524288` in limits.conf units. */
export function pairText(item: RlimitItem, soft: bigint | null, hard: bigint | null): string {
  return `${itemValue(item, soft)}:${itemValue(item, hard)}`;
}

/**
 * "LimitNOFILE= (etc/systemd/system/x.service.d/10.conf:2)", "systemd's DefaultLimitNOFILE=
 * (etc/systemd/system.conf:5)", or "systemd's DefaultLimitNOFILE (built-in default)"; with
 * `long`, a built-in default says where it comes from.
 */
export function unitSourceText(s: UnitLimitSource, long = false): string {
  if (s.kind === 'builtin') return long ? s.text : `systemd's ${s.setting} (built-in default)`;
  return `${s.kind === 'manager' ? "systemd's " : ''}${s.setting}= (${s.file}:${s.line})`;
}

/** What a new pam_limits session of the account gets for the item, and the line(s) that set it. */
export interface PamConfigured {
  readonly soft: bigint | null;
  readonly hard: bigint | null;
  /** a line of limits.conf/limits.d sets at least one half */
  readonly fromLine: boolean;
  /** "etc/security/limits.d/90-es.conf:1 elasticsearch", or how the value is obtained */
  readonly text: string;
}

export function pamConfigured(res: Resolution | null, item: RlimitItem): PamConfigured | null {
  if (!res || !res.applied) return null;
  const r = res.rlimits[item];
  const soft = r.applied ? r.applied.soft : r.soft.value;
  const hard = r.applied ? r.applied.hard : r.hard.value;
  const lines = [r.soft, r.hard].filter((s) => s.origin === 'line' && s.source).map((s) => `${s.source!.file}:${s.source!.line} ${s.source!.domain}`);
  // computed without the limits files this uid could not read (pam_limits reads them as root)
  const caveat = caveatOf(res.warnings);
  const text = lines.length ? [...new Set(lines)].join(', ') : 'no line sets it: the starting value';
  return { soft, hard, fromLine: lines.length > 0, text: caveat ? `${text}, ${caveat}` : text };
}

/** Processes grouped by unit (or session kind) and by the limit they run with. */
export interface ItemGroup {
  readonly kind: CgroupKind;
  readonly unit: string | null;
  readonly uid: number;
  readonly user: string | null;
  readonly limit: LimitPair | null;
  readonly pids: readonly number[];
  readonly source: ItemSource;
}

export function groupItemProcesses(procs: readonly ItemProcess[], systemdRunning: boolean): ItemGroup[] {
  const groups = new Map<string, { kind: CgroupKind; unit: string | null; uid: number; user: string | null; limit: LimitPair | null; pids: number[]; source: ItemSource }>();
  for (const p of procs) {
    const key = `${p.kind}\u0000${p.unit ?? ''}\u0000${p.uid}\u0000${p.limit ? `${p.limit.soft}:${p.limit.hard}` : '?'}`;
    let g = groups.get(key);
    if (!g) { g = { kind: p.kind, unit: p.unit, uid: p.uid, user: p.user, limit: p.limit, pids: [], source: sourceOf(p, systemdRunning) }; groups.set(key, g); }
    g.pids.push(p.pid);
  }
  return [...groups.values()];
}

/** How a group's placement reads: its unit, else "no systemd unit" (cgroup "/") or the kind. */
export function placeText(g: { readonly kind: CgroupKind; readonly unit: string | null }): string {
  return g.unit ?? (g.kind === 'root' ? 'no systemd unit' : g.kind === 'unknown' ? 'cgroup unknown' : g.kind);
}

/** "pid 812" or "3 processes (pids 812, 813, 900)". */
export function pidsText(pids: readonly number[]): string {
  if (pids.length === 1) return `pid ${pids[0]}`;
  const shown = pids.slice(0, 5).join(', ');
  return `${pids.length} processes (pids ${shown}${pids.length > 5 ? ', …' : ''})`;
}

/** The unit name as `set --unit` takes it: `elasticsearch` for `elasticsearch.service`. */
export function unitArg(unit: string): string {
  return unit.endsWith('.service') ? unit.slice(0, -'.service'.length) : unit;
}

/** The item's option of prlimit(1): `--nofile`, `--nproc`, `--memlock` ... */
export function prlimitOption(item: RlimitItem): string {
  return `--${item}`;
}

/** One row of the report's item section: a group of processes, what it runs with and what configures it. */
export interface ItemRow {
  readonly kind: CgroupKind;
  readonly unit: string | null;
  readonly user: string | null;
  readonly uid: number;
  readonly pids: readonly number[];
  /** the running values (kernel units); null when unreadable */
  readonly running: LimitPair | null;
  readonly source: ItemSource;
  /** what that source configures (kernel units; null halves unknown), and where from; null when not compared */
  readonly configured: { readonly soft: bigint | null; readonly hard: bigint | null; readonly from: string } | null;
  /** open descriptors of the group's fullest process (nofile) */
  readonly maxFds: number | null;
}

export interface ItemReport {
  readonly item: RlimitItem;
  readonly target: ItemTarget;
  readonly rows: readonly ItemRow[];
}

/** The report's item section (diagnose): each group with its winning source. */
export function itemReport(facts: ItemFacts, systemdRunning: boolean): ItemReport {
  const rows = groupItemProcesses(facts.processes, systemdRunning).map((g): ItemRow => {
    let configured: ItemRow['configured'] = null;
    if (g.source === 'systemd' && g.unit) {
      const uc = facts.units.find((u) => u.unit === g.unit);
      if (uc?.ok) configured = { soft: uc.limit.soft, hard: uc.limit.hard, from: unitSourceText(uc.limit.from) };
    } else if (g.source === 'pam') {
      const pam = pamConfigured(facts.resolutions.find((r) => r.uid === g.uid)?.resolution ?? null, facts.item);
      if (pam) configured = { soft: pam.soft, hard: pam.hard, from: `pam_limits: ${pam.text}` };
    }
    const fds = facts.processes.filter((p) => g.pids.includes(p.pid) && p.fds !== null).map((p) => p.fds!);
    return { kind: g.kind, unit: g.unit, user: g.user, uid: g.uid, pids: g.pids, running: g.limit, source: g.source, configured, maxFds: fds.length ? Math.max(...fds) : null };
  });
  return { item: facts.item, target: facts.target, rows };
}
