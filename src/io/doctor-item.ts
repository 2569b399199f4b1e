/**
 * The facts of `doctor --item ITEM` (core/doctor/item.ts): the processes to examine — the
 * account's (--user: real uid, /proc/PID/status), one process (--pid), or a unit's (--unit: its
 * cgroup, /proc/PID/cgroup `…/NAME.service`) — with the item's row of /proc/PID/limits, where
 * systemd placed them, and for nofile the entries of /proc/PID/fd; and what systemd configures
 * for each service among them (io/systemd.ts loadUnitLimits). Reads /proc (or a snapshot of it)
 * with the same confinement as the rest of doctor (live.ts readUnder / listUnder); a process that
 * vanishes while it is read is skipped.
 */
import {
  classifyCgroup, parseCgroupFile, parseStatus, systemdCgroupOf,
} from '../core/doctor.js';
import type { ItemProcess, ItemTarget, UnitConfig } from '../core/doctor/item.js';
import { parseProcLimits } from '../core/resolve.js';
import type { RlimitItem } from '../core/schema.js';
import { normalizeUnitName } from '../core/systemd/resolve.js';
import { loadAccountDb } from './accounts.js';
import { listUnder, readUnder } from './live.js';
import { loadUnitLimits } from './systemd.js';
import { isOwnLimit, ProcessLimitError } from './write-errors.js';

export interface ItemRead {
  readonly processes: ItemProcess[];
  readonly units: UnitConfig[];
}

/** Where a --pid or --unit target could not be found (the CLI turns it into a usage error). */
export class ItemTargetError extends Error {}

function text(proc: string, rel: string, root: string): string | null {
  const r = readUnder(proc, rel, root, 'latin1');
  return 'text' in r ? r.text : null;
}

/**
 * The processes `target` names, for `item`. `uid` selects the account's processes for a --user
 * target. Throws ItemTargetError for a --pid that does not exist, or an invalid unit name.
 */
export function readItemFacts(src: { readonly root: string; readonly proc: string; readonly nrOpen?: bigint | null }, item: RlimitItem, target: ItemTarget, uid: number | null): ItemRead {
  const { root, proc } = src;
  let unitName: string | null = null;
  if (target.kind === 'unit') {
    const n = normalizeUnitName(target.unit);
    if (!n.ok) throw new ItemTargetError(n.message);
    unitName = n.name;
  }
  let names: string[];
  if (target.kind === 'pid') {
    names = [String(target.pid)];
  } else {
    names = listUnder(proc, '', root).filter((n) => /^\d+$/.test(n));
  }
  let users: Map<number, string>;
  try {
    users = new Map(loadAccountDb(root).users.map((u) => [u.uid, u.name]));
  } catch (e) {
    // EMFILE, ENFILE, ENOMEM (ProcessLimitError): limitsctl's own limit, not an unusable etc/passwd
    if (isOwnLimit(e)) throw e;
    users = new Map();
  }
  const processes: ItemProcess[] = [];
  for (const name of names) {
    const statusText = text(proc, `${name}/status`, root);
    const st = statusText === null ? null : parseStatus(statusText);
    if (!st) {
      if (target.kind === 'pid') throw new ItemTargetError(`no process ${target.pid} under ${proc} (its status cannot be read)`);
      continue;
    }
    if (target.kind === 'user' && st.uid !== uid) continue;
    const cgText = text(proc, `${name}/cgroup`, root);
    const cgroup = cgText === null ? null : systemdCgroupOf(parseCgroupFile(cgText));
    const cls = classifyCgroup(cgroup);
    if (unitName !== null && !(cgroup ?? '').split('/').includes(unitName)) continue;
    const limitsText = text(proc, `${name}/limits`, root);
    if (limitsText === '') continue; // exited while read
    const pair = limitsText === null ? null : parseProcLimits(limitsText)[item] ?? null;
    let fds: number | null = null;
    if (item === 'nofile') {
      try {
        fds = listUnder(proc, `${name}/fd`, root).length;
      } catch (e) {
        // limitsctl's own descriptors ran out (EMFILE…): not a process whose count is unknown
        if (isOwnLimit(e)) throw ProcessLimitError.from(e, `${proc}/${name}/fd`);
        fds = null;
      }
    }
    processes.push({
      pid: Number(name), uid: st.uid, user: users.get(st.uid) ?? null, comm: st.name, cgroup,
      kind: unitName !== null ? 'service' : cls.kind, unit: unitName ?? cls.unit,
      limit: pair ? { soft: pair.soft, hard: pair.hard } : null, fds,
    });
  }
  processes.sort((a, b) => a.pid - b.pid);
  const wanted = new Set<string>();
  if (unitName !== null) wanted.add(unitName);
  for (const p of processes) if (p.kind === 'service' && p.unit) wanted.add(p.unit);
  const units: UnitConfig[] = [...wanted].sort().map((u) => {
    const l = loadUnitLimits(root, u);
    if (!l.ok) return { ok: false, unit: u, message: l.message };
    const lim = l.limits.limits[item];
    // systemd's built-in nofile hard limit is min(524288, fs.nr_open) (systemd-system.conf(5)):
    // with a smaller fs.nr_open the unit starts with that
    const nr = src.nrOpen ?? null;
    if (item === 'nofile' && lim.from.kind === 'builtin' && nr !== null && lim.hard !== null && lim.hard > nr) {
      return { ok: true, unit: u, limit: { ...lim, hard: nr, soft: lim.soft !== null && lim.soft > nr ? nr : lim.soft } };
    }
    return { ok: true, unit: u, limit: lim };
  });
  return { processes, units };
}
