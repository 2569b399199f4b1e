/**
 * The analysis every finding shares, computed once per diagnose: the user's task count, the nproc
 * pam_limits configures, the running processes grouped by their actual limit and by command, the
 * binding limit, the system's task count and the cgroups' fill. Pure.
 *
 * Kernel rules (copy_process, kernel/fork.c): RLIMIT_NPROC counts the tasks whose REAL uid is the
 * user's (threads included, zombies until reaped) against the forking process's soft limit, so
 * the lowest soft limit among the user's processes is the one that fails first.
 */
import type { Resolution, Source } from '../resolve.js';
import { RLIM_INFINITY } from '../schema.js';
import { classifyCgroup } from './parse.js';
import { commandKey, type CommandHint, type SshMaster, sshMasterOf, sshMasterOfTitle } from './commands.js';
import type { CgroupKind, DoctorFacts, KernelFacts, LimitPair } from './facts.js';
import type { CommandGroup, ConfiguredNproc, DiagnoseOptions, Finding, FindingId, Fix, LimitGroup, SourceRef } from './report.js';
import type { CommandTally, DoctorContext } from './types.js';

/** A limit at 90 % or more of its use is "near": a warning, and doctor exits 1. */
export const NEAR = 0.9;

function refOf(s: Source | null): SourceRef | null {
  return s ? { file: s.file, line: s.line, domain: s.domain } : null;
}

function originText(origin: string): string {
  switch (origin) {
    case 'pid1': return "not configured: PID 1's limit";
    case 'fallback': return "not configured: Debian's built-in default";
    case 'process': return "not configured: the caller's limit";
    default: return 'not configured: inherited';
  }
}

/** The nproc pam_limits gives a new session, with provenance; null when it applies nothing. */
export function configuredNproc(res: Resolution): ConfiguredNproc | null {
  if (!res.applied) return null;
  const r = res.rlimits.nproc;
  const softFromHard = r.clamped && r.soft.origin !== 'line' && r.hard.origin === 'line';
  return {
    soft: r.applied ? r.applied.soft : r.soft.value,
    hard: r.applied ? r.applied.hard : r.hard.value,
    softFrom: refOf(r.soft.origin === 'line' ? r.soft.source : softFromHard ? r.hard.source : null),
    hardFrom: refOf(r.hard.origin === 'line' ? r.hard.source : null),
    softOrigin: r.soft.origin === 'line' || softFromHard ? 'line' : originText(r.soft.origin),
    hardOrigin: r.hard.origin === 'line' ? 'line' : originText(r.hard.origin),
  };
}

/** A generous round value for a new limit: at least 4096, at least twice today's use. */
export function suggestNproc(tasks: number, current: number | null): number {
  let v = 4096;
  while (v < tasks * 2 || (current !== null && v <= current)) v *= 2;
  return v;
}

/**
 * The `limitsctl set nproc` fix that raises the configuration to `value` and never lowers it:
 * `--at-least` (set leaves a half that is already higher alone), and `--type soft` when the hard
 * limit a new session gets is already `value` or more (known, configured or inherited: writing
 * both halves would lower it, e.g. Debian's PID 1 hard 63445 to 4096). Callers offer it only
 * when `value` is above the configured soft limit (suggestNproc).
 */
export function raiseFix(user: string, value: number, configured: ConfiguredNproc | null, lc: string): Fix {
  const softOnly = configured?.hard != null && configured.hard >= BigInt(value);
  return {
    description: `Raise ${user}'s nproc in limits.conf (preview first, then run it without --dry-run; new sessions get it)`,
    command: `limitsctl set nproc ${value} --user ${user}${softOnly ? ' --type soft' : ''} --at-least${lc} --dry-run`,
  };
}

/** systemd's TasksMax= value ("33%", "4096", "infinity") as a number of tasks. */
export function resolveTasksMax(value: string, kernel: KernelFacts): number | null {
  const v = value.trim();
  if (v === '' || v === 'infinity') return null;
  const pctMatch = v.match(/^(\d+(?:\.\d+)?)%$/);
  if (pctMatch) {
    const caps = [kernel.pidMax, kernel.threadsMax].filter((x): x is number => x !== null);
    if (caps.length === 0) return null;
    // systemd: TasksMax=N% is N % of min(pid_max, threads-max) (and the root cgroup's pids.max)
    return Math.floor((Math.min(...caps) * Number(pctMatch[1])) / 100);
  }
  return /^\d+$/.test(v) ? Number(v) : null;
}

/** Services whose jobs run PAM themselves although they live in a *.service cgroup. */
export function isPamService(unit: string | null): boolean {
  return unit !== null && /^(cron|crond|atd|anacron)\.service$/.test(unit);
}

/** The fix for a systemd service at its nproc: a LimitNPROC= drop-in. */
export function serviceDropIn(unit: string, value: number): Fix {
  return {
    description: `systemd does not read limits.conf for ${unit}: give it LimitNPROC (then systemctl daemon-reload && systemctl restart ${unit})`,
    file: { path: `/etc/systemd/system/${unit}.d/60-nproc.conf`, content: `[Service]\nLimitNPROC=${value}\n` },
  };
}

function bumpCount<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function topKeys<K>(m: Map<K, number>, n: number): K[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}

/** Running processes grouped by their nproc limit, lowest soft first. */
function groupByLimit(facts: DoctorFacts, tasks: number, configured: ConfiguredNproc | null): LimitGroup[] {
  interface MGroup { limit: LimitPair | null; processes: number; tasks: number; units: Map<string, { kind: CgroupKind; unit: string | null; processes: number; tasks: number; by: Map<string, number> }>; pids: number[] }
  const groups = new Map<string, MGroup>();
  const classes = new Map<string | null, ReturnType<typeof classifyCgroup>>();
  for (const p of facts.processes) {
    const key = p.nproc ? `${p.nproc.soft}:${p.nproc.hard}` : '?';
    let g = groups.get(key);
    if (!g) { g = { limit: p.nproc, processes: 0, tasks: 0, units: new Map(), pids: [] }; groups.set(key, g); }
    g.processes++;
    g.tasks += p.threads;
    if (g.pids.length < 5) g.pids.push(p.pid);
    let cls = classes.get(p.cgroup);
    if (!cls) { cls = classifyCgroup(p.cgroup); classes.set(p.cgroup, cls); }
    const uk = `${cls.kind}\u0000${cls.unit ?? ''}`;
    let u = g.units.get(uk);
    if (!u) { u = { ...cls, processes: 0, tasks: 0, by: new Map() }; g.units.set(uk, u); }
    u.processes++;
    u.tasks += p.threads;
    if (p.spawnedBy) bumpCount(u.by, p.spawnedBy.comm);
  }
  return [...groups.values()].map((g) => {
    const ratio = g.limit && g.limit.soft !== RLIM_INFINITY && g.limit.soft > 0n ? tasks / Number(g.limit.soft) : g.limit && g.limit.soft === 0n ? Infinity : g.limit ? 0 : null;
    // hard is compared only when known (upstream without set_all leaves it to the caller)
    const matches = configured && configured.soft !== null && g.limit
      ? g.limit.soft === configured.soft && (configured.hard === null || g.limit.hard === configured.hard) : null;
    return {
      limit: g.limit, processes: g.processes, tasks: g.tasks, ratio, matchesConfig: matches,
      units: [...g.units.values()].sort((a, b) => b.tasks - a.tasks)
        .map((u) => ({ kind: u.kind, unit: u.unit, processes: u.processes, tasks: u.tasks, spawnedBy: topKeys(u.by, 3) })),
      samplePids: g.pids,
    };
  }).sort((a, b) => (a.limit && b.limit ? (a.limit.soft < b.limit.soft ? -1 : a.limit.soft > b.limit.soft ? 1 : b.tasks - a.tasks) : a.limit ? -1 : 1));
}

/** The user's processes grouped by command pattern, most tasks first. */
function groupByCommand(facts: DoctorFacts): CommandTally[] {
  interface CGroup { command: string; processes: number; tasks: number; maxThreads: { pid: number; threads: number }; example: string; samplePids: number[]; hint: CommandHint | null; zombies: number; titles: string[]; masters: SshMaster[] }
  const cmds = new Map<string, CGroup>();
  for (const p of facts.processes) {
    const { key, hint } = commandKey(p.argv, p.comm, p.state);
    let c = cmds.get(key);
    const title = p.argv.join(' ').trim();
    if (!c) {
      c = { command: key, processes: 0, tasks: 0, maxThreads: { pid: p.pid, threads: 0 }, example: title.length > 120 ? `${title.slice(0, 119)}…` : title, samplePids: [], hint, zombies: 0, titles: [], masters: [] };
      cmds.set(key, c);
    }
    c.processes++;
    c.tasks += p.threads;
    if (p.state === 'Z') c.zombies++;
    if (p.threads > c.maxThreads.threads) c.maxThreads = { pid: p.pid, threads: p.threads };
    if (c.samplePids.length < 5) c.samplePids.push(p.pid);
    if (hint === 'ssh-mux') {
      c.titles.push(title);
      const m = sshMasterOfTitle(title) ?? sshMasterOf(p.argv[p.argv.length - 1] === '' ? p.argv.slice(0, -1) : p.argv);
      if (m) c.masters.push(m);
    }
  }
  return [...cmds.values()].sort((a, b) => b.tasks - a.tasks || b.processes - a.processes || a.command.localeCompare(b.command));
}

/** One process with ≥ 1000 threads, or ≥ 100 threads and half the user's tasks: a thread leak? */
export function isThreadHeavy(threads: number, tasks: number): boolean {
  return threads >= 100 && (threads >= 1000 || threads * 2 >= tasks);
}

/**
 * The shared analysis of `facts`. `findingsOf` is how a finding reads another's result (diagnose
 * supplies it; each check runs once).
 */
export function analyze(facts: DoctorFacts, options: DiagnoseOptions, findingsOf: (id: FindingId) => readonly Finding[]): DoctorContext {
  const id = facts.identity;
  const lc = options.limitsctlArgs ? ` ${options.limitsctlArgs}` : '';
  const isRoot = id.uid === 0;

  let tasks = 0;
  for (const p of facts.processes) tasks += p.threads;
  const processes = facts.processes.length;

  const configured = facts.resolution ? configuredNproc(facts.resolution) : null;
  let configNote: string | null = null;
  if (facts.resolution && !facts.resolution.applied) {
    const r = facts.resolution;
    configNote = r.noLimit
      ? `${r.noLimit.file}:${r.noLimit.line}: '${r.noLimit.domain} -' matches ${id.name}: pam_limits applies no limits at all`
      : r.failure ? r.failure.reason : 'pam_limits applies no limits';
  }

  const limitGroups = groupByLimit(facts, tasks, configured);
  const binding = limitGroups.find((g) => g.limit !== null) ?? null;

  const commands = groupByCommand(facts);
  const top: CommandGroup[] = commands.slice(0, options.top ?? 10).map((c) => ({
    command: c.command, processes: c.processes, tasks: c.tasks, maxThreads: c.maxThreads, example: c.example,
    samplePids: c.samplePids, zombies: c.zombies,
    hint: c.hint ?? (isThreadHeavy(c.maxThreads.threads, tasks) ? 'thread-heavy' : null),
  }));

  const bindingSoft = binding?.limit && binding.limit.soft !== RLIM_INFINITY ? Number(binding.limit.soft) : null;
  const nprocRatio = bindingSoft !== null ? (bindingSoft === 0 ? Infinity : tasks / bindingSoft) : null;
  const nprocTight = nprocRatio !== null && nprocRatio >= NEAR && !isRoot;
  const confSoft = configured?.soft != null && configured.soft !== RLIM_INFINITY ? Number(configured.soft) : null;
  const newValue = suggestNproc(tasks, Math.max(bindingSoft ?? 0, confSoft ?? 0) || null);
  const setFix = raiseFix(id.name, newValue, configured, lc);

  const sysTasks = Math.max(facts.census.tasks, facts.census.loadavgTasks ?? 0);
  const cgNodes = facts.cgroups.nodes.map((n) => ({
    ...n,
    ratio: typeof n.pidsMax === 'bigint' && n.pidsCurrent !== null ? (n.pidsMax === 0n ? Infinity : Number(n.pidsCurrent) / Number(n.pidsMax)) : null,
  }));

  return {
    facts, isRoot, lc, tasks, processes, configured, configNote, limitGroups, binding, commands, top,
    bindingSoft, nprocRatio, nprocTight, confSoft, newValue, setFix, sysTasks, cgNodes, findingsOf,
  };
}
