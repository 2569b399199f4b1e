/**
 * Parsers for the text doctor reads from /proc and /sys: status, limits, cgroup, pids.max,
 * meminfo and loadavg. Pure. (PAM stacks and sshd_config: pam.ts; command lines: commands.ts.)
 */
import type { CgroupKind, LimitPair, MemoryFacts } from './facts.js';
import { parseProcLimits } from '../resolve.js';

export interface StatusFact {
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  /** real uid */
  readonly uid: number;
  readonly threads: number;
}

function statusField(text: string, key: string): string | null {
  let i = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (i < 0) return null;
  if (i > 0 || text.charCodeAt(0) === 0x0a) i += 1;
  const start = i + key.length + 1;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).trim();
}

/** Parse /proc/PID/status; null when the fields doctor needs are missing (a truncated read). */
export function parseStatus(text: string): StatusFact | null {
  const uidText = statusField(text, 'Uid');
  const threadsText = statusField(text, 'Threads');
  if (uidText === null || threadsText === null) return null;
  const uid = Number.parseInt(uidText, 10);
  const threads = Number.parseInt(threadsText, 10);
  if (!Number.isFinite(uid) || !Number.isFinite(threads)) return null;
  return {
    name: statusField(text, 'Name') ?? '',
    state: (statusField(text, 'State') ?? '?').charAt(0) || '?',
    ppid: Number.parseInt(statusField(text, 'PPid') ?? '0', 10) || 0,
    uid,
    threads,
  };
}

/** The lines of /proc/PID/cgroup that doctor uses. */
export interface CgroupLines {
  /** cgroup v2 "0::PATH" */
  readonly unified: string | null;
  /** cgroup v1 "N:name=systemd:PATH" */
  readonly systemd: string | null;
  /** cgroup v1 "N:pids:PATH" (also "N:pids,other:PATH") */
  readonly pids: string | null;
}

export function parseCgroupFile(text: string): CgroupLines {
  let unified: string | null = null;
  let systemd: string | null = null;
  let pids: string | null = null;
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const p = line.slice(b + 1);
    if (line.startsWith('0::') && controllers === '') unified = p;
    else if (controllers === 'name=systemd') systemd = p;
    else if (controllers.split(',').includes('pids')) pids = p;
  }
  return { unified, systemd, pids };
}

/** Which cgroup describes where systemd put a process: v2's path, else v1's name=systemd. */
export function systemdCgroupOf(lines: CgroupLines): string | null {
  if (lines.unified !== null && lines.unified !== '/') return lines.unified;
  return lines.systemd ?? lines.unified;
}

/** Classify a cgroup path: a PAM session, the user's systemd, a service, ... */
export function classifyCgroup(p: string | null): { kind: CgroupKind; unit: string | null } {
  if (p === null) return { kind: 'unknown', unit: null };
  const parts = p.split('/').filter((x) => x !== '');
  if (parts.length === 0) return { kind: 'root', unit: null };
  const session = parts.find((x) => /^session-[^/]+\.scope$/.test(x));
  if (session && parts.includes('user.slice')) return { kind: 'session', unit: session };
  const manager = parts.find((x) => /^user@\d+\.service$/.test(x));
  if (manager) {
    const inner = [...parts].reverse().find((x) => x !== manager && /\.(service|scope)$/.test(x));
    return { kind: 'user-manager', unit: inner ? `${manager}/${inner}` : manager };
  }
  const last = parts[parts.length - 1]!;
  const unit = [...parts].reverse().find((x) => /\.(service|scope|slice)$/.test(x)) ?? null;
  if (/^user-\d+\.slice$/.test(last)) return { kind: 'user-slice', unit: last };
  if (unit?.endsWith('.service')) return { kind: 'service', unit };
  if (unit?.endsWith('.scope')) return { kind: 'scope', unit };
  return { kind: 'other', unit };
}

/** Parse pids.max / pids.current text. */
export function parsePidsValue(text: string | null): bigint | 'max' | null {
  if (text === null) return null;
  const t = text.trim();
  if (t === 'max') return 'max';
  return /^\d+$/.test(t) ? BigInt(t) : null;
}

/** Parse /proc/meminfo into KiB figures. */
export function parseMeminfo(text: string): MemoryFacts {
  const get = (k: string): number | null => {
    const m = text.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'));
    return m ? Number(m[1]) : null;
  };
  return {
    memTotal: get('MemTotal'), memAvailable: get('MemAvailable'), commitLimit: get('CommitLimit'),
    committedAs: get('Committed_AS'), swapTotal: get('SwapTotal'), swapFree: get('SwapFree'),
  };
}

/** The total task count of /proc/loadavg ("0.00 0.01 0.05 2/345 6789" → 345). */
export function parseLoadavgTasks(text: string): number | null {
  const m = text.match(/^\S+\s+\S+\s+\S+\s+\d+\/(\d+)/);
  return m ? Number(m[1]) : null;
}

/**
 * The "Max processes" row of /proc/PID/limits, read by the one /proc/PID/limits parser
 * (parseProcLimits in ../resolve.ts, pam_limits' parse_kernel_limits()); null when the row is
 * absent or unreadable (an empty or cut read).
 *
 * Only the header (its width decides whether a row has a Units column) and the rows starting
 * with "Max processes" are handed to it, in their order: the parser reads each row on its own,
 * so the others cannot change the result, and doctor reads this file for every process of the
 * user (the whole file costs about ten times as much).
 */
export function nprocOf(text: string): LimitPair | null {
  let picked = '';
  let header = false;
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl + 1;
    if (!header && text.startsWith('Limit', start)) {
      picked += text.slice(start, stop);
      header = true;
    } else if (text.startsWith('Max processes', start)) {
      picked += text.slice(start, stop);
    }
    start = stop;
  }
  return parseProcLimits(picked).nproc ?? null;
}
