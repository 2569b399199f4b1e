/**
 * diagnose(): facts in, report out. Computes the shared analysis once (analysis.ts), runs every
 * finding of the registry in its order, sorts the findings (severity, then how full the limit is,
 * then registry order) and writes the verdict. Pure: no file system, no process, no clock.
 */
import { analyze, NEAR, resolveTasksMax } from './analysis.js';
import type { DoctorFacts } from './facts.js';
import { itemReport } from './item.js';
import { FINDINGS, ITEM_MODE_PROCESS, ITEM_MODE_USER } from './registry.js';
import { type DiagnoseOptions, type DoctorReport, type DoctorStatus, type Finding, type FindingId, SEVERITIES } from './report.js';
import { fmt } from './text.js';

const BY_ID = new Map(FINDINGS.map((d) => [d.id, d]));

/** Diagnose why fork() may fail for the facts' account. Pure. */
export function diagnose(facts: DoctorFacts, options: DiagnoseOptions = {}): DoctorReport {
  const done = new Map<FindingId, readonly Finding[]>();
  const running = new Set<FindingId>();
  const findingsOf = (id: FindingId): readonly Finding[] => {
    const have = done.get(id);
    if (have) return have;
    const def = BY_ID.get(id);
    if (!def) throw new Error(`doctor: no finding '${id}' in the registry`);
    if (running.has(id)) throw new Error(`doctor: finding '${id}' depends on itself`);
    running.add(id);
    const got = def.check(ctx);
    running.delete(id);
    done.set(id, got);
    return got;
  };
  const ctx = analyze(facts, options, findingsOf);
  // --item: nproc keeps every finding (plus the item's); other items keep the item's and pam_limits' own
  const it = facts.item ?? null;
  const active = !it ? FINDINGS
    : it.target.kind !== 'user' ? FINDINGS.filter((d) => ITEM_MODE_PROCESS.has(d.id))
      : it.item === 'nproc' ? FINDINGS : FINDINGS.filter((d) => ITEM_MODE_USER.has(d.id));
  const findings: Finding[] = active.flatMap((d) => findingsOf(d.id));

  const order = (f: Finding) => SEVERITIES.indexOf(f.severity);
  const sorted = findings.map((f, i) => ({ f, i }))
    .sort((a, b) => order(a.f) - order(b.f) || (b.f.usage?.ratio ?? -1) - (a.f.usage?.ratio ?? -1) || a.i - b.i)
    .map((x) => x.f);
  const maxRatio = Math.max(-1, ...findings.map((f) => f.usage?.ratio ?? -1));
  // a critical finding without a count (sessions refused) outranks any count: nobody can log in
  const refused = sorted.find((f) => f.severity === 'critical' && !f.usage);
  const status: DoctorStatus = refused ? 'sessions-fail' : maxRatio >= 1 ? 'exhausted' : maxRatio >= NEAR ? 'near-limit' : 'ok';
  const first = refused ?? sorted.find((f) => f.usage && f.usage.ratio >= NEAR);
  const id = facts.identity;
  const k = facts.kernel;
  const { tasks, bindingSoft, sysTasks } = ctx;
  const itemMode = it !== null && (it.item !== 'nproc' || it.target.kind !== 'user');
  const itemFirst = itemMode ? sorted[0] ?? null : null;
  const verdict = first
    ? first.title
    : itemFirst ? itemFirst.title
    : it && itemMode ? `${it.item}: ${it.processes.length} process${it.processes.length === 1 ? '' : 'es'} examined; each runs with what its configuration gives`
    : `No limit is near: ${id.name} runs ${fmt(tasks)} task${tasks === 1 ? '' : 's'}${bindingSoft !== null && !ctx.isRoot ? ` of ${fmt(bindingSoft)} allowed` : ''}; the system runs ${fmt(sysTasks)}${k.pidMax ? ` of pid_max ${fmt(k.pidMax)}` : ''}.`;

  const uts = facts.systemd.userSliceTasksMax;
  return {
    user: { name: id.name, uid: id.uid, gid: id.gid },
    profile: facts.resolution?.profile ?? null,
    status,
    exitCode: status === 'ok' ? 0 : 1,
    verdict,
    findings: sorted,
    nproc: {
      tasks, processes: ctx.processes, configured: ctx.configured, configNote: ctx.configNote,
      binding: ctx.binding, limitGroups: ctx.limitGroups, top: ctx.top,
    },
    system: {
      tasks: sysTasks, processes: facts.census.processes, loadavgTasks: facts.census.loadavgTasks,
      vanished: facts.census.vanished, unreadable: facts.census.unreadable,
      pidMax: k.pidMax, threadsMax: k.threadsMax, memory: facts.memory,
      overcommit: { mode: k.overcommitMemory, ratio: k.overcommitRatio, kbytes: k.overcommitKbytes },
    },
    cgroups: { version: facts.cgroups.version, nodes: ctx.cgNodes },
    systemd: { ...facts.systemd, userSliceTasksMaxResolved: uts ? resolveTasksMax(uts.value, k) : null },
    pam: facts.pam,
    sshd: facts.sshd,
    sources: facts.sources,
    problems: facts.problems,
    ...(it ? { item: itemReport(it, facts.systemd.running) } : {}),
  };
}
