/**
 * doctor: why does fork() fail for an account? Pure analysis — facts in, findings out.
 *
 * The io ring (src/io/live.ts) gathers the facts from /proc, /sys, systemd's and PAM's
 * configuration; this module parses their text formats and turns the facts into findings, each
 * with the numbers behind it and a concrete fix. No file system, no process, no clock.
 *
 * Kernel rules this follows (copy_process, kernel/fork.c):
 * - RLIMIT_NPROC counts the tasks (threads included, zombies until reaped) whose REAL uid is the
 *   user's; a fork fails with EAGAIN when that count is already at the forking process's soft
 *   limit. uid 0 and processes with CAP_SYS_RESOURCE or CAP_SYS_ADMIN are exempt.
 * - nr_threads >= kernel.threads-max → EAGAIN; no free PID below kernel.pid_max → EAGAIN;
 *   a cgroup's pids.current at pids.max (any ancestor) → EAGAIN.
 * - With vm.overcommit_memory=2 a fork that would push Committed_AS over CommitLimit fails with
 *   ENOMEM ("Cannot allocate memory"), not EAGAIN.
 */
import type { Resolution, Source } from './resolve.js';
import { RLIM_INFINITY } from './schema.js';
import type { LimitPair, CgroupKind, KernelFacts, MemoryFacts, CgroupVersion, CgroupNode, SettingFact, SystemdFacts, PamFacts, SshdFacts, SourceFacts, DoctorFacts } from './doctor-facts.js';
import { classifyCgroup, commandKey, type CommandHint } from './doctor-parse.js';

export type * from './doctor-facts.js';
export * from './doctor-parse.js';

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

export type Severity = 'critical' | 'warning' | 'notice' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'notice', 'info'];

/** A count against a limit; `ratio` ≥ 0.9 makes doctor exit 1. */
export interface Usage {
  readonly what: string;
  readonly used: number;
  readonly limit: number;
  readonly ratio: number;
  readonly unit: 'tasks' | 'KiB';
}

export interface Fix {
  readonly description: string;
  /** a shell command to run */
  readonly command?: string;
  /** a file to write */
  readonly file?: { readonly path: string; readonly content: string };
}

export type FindingId =
  | 'nproc-exhausted' | 'nproc-near-limit' | 'nproc-new-sessions' | 'nproc-limit-mismatch' | 'nproc-root-exempt'
  | 'ssh-mux-masters' | 'thread-heavy-process' | 'zombies'
  | 'pid-max' | 'threads-max' | 'cgroup-pids' | 'commit-limit' | 'low-memory'
  | 'pam-limits-missing' | 'pam-limits-skippable' | 'pam-limits-conf' | 'pam-include-missing' | 'pam-module-missing'
  | 'sshd-usepam-off' | 'logind-user-tasks-max' | 'config-not-applied' | 'no-processes' | 'proc-unreadable';

export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly title: string;
  /** the numbers behind it, one line each */
  readonly details: readonly string[];
  readonly usage: Usage | null;
  readonly fixes: readonly Fix[];
}

export interface ConfiguredNproc {
  /** kernel values pam_limits passes to setrlimit; null = inherited and unknown */
  readonly soft: bigint | null;
  readonly hard: bigint | null;
  readonly softFrom: SourceRef | null;
  readonly hardFrom: SourceRef | null;
  /** how a value no line sets is obtained */
  readonly softOrigin: string;
  readonly hardOrigin: string;
}

export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly domain: string;
}

export interface UnitCount {
  readonly kind: CgroupKind;
  readonly unit: string | null;
  readonly processes: number;
  readonly tasks: number;
  /** who started the processes (the nearest ancestor not owned by the user), most common first */
  readonly spawnedBy: readonly string[];
}

/** Running processes grouped by the nproc limit they actually have. */
export interface LimitGroup {
  /** null = unreadable */
  readonly limit: LimitPair | null;
  readonly processes: number;
  readonly tasks: number;
  /** the user's whole task count against this group's soft limit */
  readonly ratio: number | null;
  readonly matchesConfig: boolean | null;
  readonly units: readonly UnitCount[];
  readonly samplePids: readonly number[];
}

export interface CommandGroup {
  readonly command: string;
  readonly processes: number;
  readonly tasks: number;
  readonly maxThreads: { readonly pid: number; readonly threads: number };
  readonly example: string;
  readonly samplePids: readonly number[];
  readonly hint: CommandHint | null;
  readonly zombies: number;
}

export type DoctorStatus = 'ok' | 'near-limit' | 'exhausted';

export interface DoctorReport {
  readonly user: { readonly name: string; readonly uid: number; readonly gid: number };
  /** the pam_limits variant the configuration was read as (null when not evaluated) */
  readonly profile: string | null;
  readonly status: DoctorStatus;
  readonly exitCode: 0 | 1;
  /** one sentence */
  readonly verdict: string;
  readonly findings: readonly Finding[];
  readonly nproc: {
    readonly tasks: number;
    readonly processes: number;
    readonly configured: ConfiguredNproc | null;
    readonly configNote: string | null;
    readonly binding: LimitGroup | null;
    readonly limitGroups: readonly LimitGroup[];
    readonly top: readonly CommandGroup[];
  };
  readonly system: {
    readonly tasks: number;
    readonly processes: number;
    readonly loadavgTasks: number | null;
    readonly vanished: number;
    readonly unreadable: number;
    readonly pidMax: number | null;
    readonly threadsMax: number | null;
    readonly memory: MemoryFacts;
    readonly overcommit: { readonly mode: number | null; readonly ratio: number | null; readonly kbytes: number | null };
  };
  readonly cgroups: {
    readonly version: CgroupVersion;
    readonly nodes: ReadonlyArray<CgroupNode & { readonly ratio: number | null }>;
  };
  readonly systemd: SystemdFacts & { readonly userSliceTasksMaxResolved: number | null };
  readonly pam: PamFacts;
  readonly sshd: SshdFacts;
  readonly sources: SourceFacts;
  readonly problems: readonly string[];
}

export interface DiagnoseOptions {
  /** extra arguments for suggested limitsctl commands, e.g. "--root /srv/snap" */
  readonly limitsctlArgs?: string;
  /** how many command groups to keep (default 10) */
  readonly top?: number;
}

const NEAR = 0.9;

function fmt(n: number | bigint): string {
  if (typeof n === 'bigint') {
    if (n === RLIM_INFINITY) return 'unlimited';
    n = Number(n);
  }
  return n.toLocaleString('en-US');
}

export function formatLimit(v: bigint | null): string {
  return v === null ? 'unknown' : v === RLIM_INFINITY ? 'unlimited' : v.toString();
}

function pct(ratio: number): string {
  return `${Math.floor(ratio * 100)} %`;
}

function refOf(s: Source | null): SourceRef | null {
  return s ? { file: s.file, line: s.line, domain: s.domain } : null;
}

export function formatSource(s: SourceRef | null): string {
  return s ? `${s.file}:${s.line} ${s.domain}` : '';
}

function originText(origin: string): string {
  switch (origin) {
    case 'pid1': return "not configured: PID 1's limit";
    case 'fallback': return "not configured: Debian's built-in default";
    case 'process': return "not configured: the caller's limit";
    default: return 'not configured: inherited';
  }
}

function configuredNproc(res: Resolution): ConfiguredNproc | null {
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

function bumpCount<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function topKeys<K>(m: Map<K, number>, n: number): K[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}

/** Diagnose why fork() may fail for the facts' account. Pure. */
export function diagnose(facts: DoctorFacts, options: DiagnoseOptions = {}): DoctorReport {
  const id = facts.identity;
  const lc = options.limitsctlArgs ? ` ${options.limitsctlArgs}` : '';
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const isRoot = id.uid === 0;

  // --- the user's tasks -----------------------------------------------------------------------
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
    add({
      id: 'config-not-applied', severity: 'notice', title: `pam_limits applies no limits to ${id.name}`,
      details: [configNote, 'New sessions keep the limits of the process that starts them (sshd, su, cron ...).'],
      usage: null, fixes: [{ description: 'See what pam_limits reads', command: `limitsctl files${lc}` }],
    });
  }

  // --- group running processes by their nproc limit ---------------------------------------------
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
  const limitGroups: LimitGroup[] = [...groups.values()].map((g) => {
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
  const binding = limitGroups.find((g) => g.limit !== null) ?? null;

  // --- commands --------------------------------------------------------------------------------
  interface CGroup { command: string; processes: number; tasks: number; maxThreads: { pid: number; threads: number }; example: string; pids: number[]; hint: CommandHint | null; zombies: number; titles: string[] }
  const cmds = new Map<string, CGroup>();
  for (const p of facts.processes) {
    const { key, hint } = commandKey(p.argv, p.comm, p.state);
    let c = cmds.get(key);
    const title = p.argv.join(' ').trim();
    if (!c) {
      c = { command: key, processes: 0, tasks: 0, maxThreads: { pid: p.pid, threads: 0 }, example: title.length > 120 ? `${title.slice(0, 119)}…` : title, pids: [], hint, zombies: 0, titles: [] };
      cmds.set(key, c);
    }
    c.processes++;
    c.tasks += p.threads;
    if (p.state === 'Z') c.zombies++;
    if (p.threads > c.maxThreads.threads) c.maxThreads = { pid: p.pid, threads: p.threads };
    if (c.pids.length < 5) c.pids.push(p.pid);
    if (hint === 'ssh-mux') c.titles.push(title);
  }
  const allCmds = [...cmds.values()].sort((a, b) => b.tasks - a.tasks || b.processes - a.processes || a.command.localeCompare(b.command));
  const topN = options.top ?? 10;
  const top: CommandGroup[] = allCmds.slice(0, topN).map((c) => ({
    command: c.command, processes: c.processes, tasks: c.tasks, maxThreads: c.maxThreads, example: c.example,
    samplePids: c.pids, zombies: c.zombies,
    hint: c.hint ?? (c.maxThreads.threads >= 100 && (c.maxThreads.threads >= 1000 || c.maxThreads.threads * 2 >= tasks) ? 'thread-heavy' : null),
  }));

  const bindingSoft = binding?.limit && binding.limit.soft !== RLIM_INFINITY ? Number(binding.limit.soft) : null;
  const nprocRatio = bindingSoft !== null ? (bindingSoft === 0 ? Infinity : tasks / bindingSoft) : null;
  const nprocTight = nprocRatio !== null && nprocRatio >= NEAR && !isRoot;
  const confSoft = configured?.soft != null && configured.soft !== RLIM_INFINITY ? Number(configured.soft) : null;
  const newValue = suggestNproc(tasks, Math.max(bindingSoft ?? 0, confSoft ?? 0) || null);
  const setFix: Fix = {
    description: `Raise ${id.name}'s nproc in limits.conf (preview first, then run it without --dry-run; new sessions get it)`,
    command: `limitsctl set nproc ${newValue} --user ${id.name}${lc} --dry-run`,
  };

  // --- usage-reduction hints (computed first: the nproc finding refers to them) -----------------
  const hintFindings: Finding[] = [];
  for (const c of allCmds) {
    if (c.hint !== 'ssh-mux' || c.processes < 2) continue;
    const share = tasks > 0 ? c.tasks / tasks : 0;
    if (c.processes < 10 && !(nprocTight && share >= 0.25)) continue;
    const hosts = new Set(c.titles.map((t) => (t.match(/@([^:/\s]+)(?::\d+)?(?:\s|$|\])/)?.[1]) ?? t));
    const sample = c.titles[0] ?? c.example;
    const sockPath = sample.match(/^ssh: (.*) \[mux\]$/)?.[1] ?? '';
    hintFindings.push({
      id: 'ssh-mux-masters',
      severity: nprocTight && share >= 0.25 ? 'warning' : 'notice',
      title: `${fmt(c.processes)} SSH multiplexing masters (ControlMaster + ControlPersist) hold ${fmt(c.tasks)} of ${id.name}'s ${fmt(tasks)} tasks (${pct(share)})`,
      details: [
        `${fmt(c.processes)} × ${c.command} for ${fmt(hosts.size)} distinct control path${hosts.size === 1 ? '' : 's'}, e.g. ${sample}`,
        'Each master stays alive for ControlPersist after its last session (fleet tools such as Ansible or pssh keep one per host), and every one counts against nproc.',
      ],
      usage: null,
      fixes: [
        { description: 'Close the idle masters now (sessions still using a master are cut)', command: `pkill -u ${id.name} -f '^ssh: .* \\[mux\\]$'` },
        ...(sockPath ? [{ description: 'or close one master cleanly', command: `ssh -O exit -S '${sockPath}' host` }] : []),
        { description: `Keep fewer: a shorter ControlPersist in ~${id.name}/.ssh/config (or Ansible's ssh_args)`, file: { path: `~${id.name}/.ssh/config`, content: 'Host *\n    ControlPersist 60s\n' } },
      ],
    });
  }
  for (const c of allCmds) {
    const t = c.maxThreads.threads;
    if (!(t >= 100 && (t >= 1000 || t * 2 >= tasks))) continue;
    const share = tasks > 0 ? t / tasks : 0;
    hintFindings.push({
      id: 'thread-heavy-process',
      severity: nprocTight && share >= 0.25 ? 'warning' : 'notice',
      title: `PID ${c.maxThreads.pid} (${c.command}) runs ${fmt(t)} threads — ${pct(share)} of ${id.name}'s tasks; a thread leak?`,
      details: [
        'Every thread is a task and counts against nproc, exactly like a process.',
        `${c.command}: ${fmt(c.processes)} process${c.processes === 1 ? '' : 'es'}, ${fmt(c.tasks)} tasks in all; e.g. ${c.example}`,
      ],
      usage: null,
      fixes: [
        { description: 'See what the threads do', command: `top -H -p ${c.maxThreads.pid}` },
        { description: 'Count them over time (a steady rise is a leak)', command: `grep Threads /proc/${c.maxThreads.pid}/status` },
      ],
    });
  }
  const zombies = facts.processes.filter((p) => p.state === 'Z');
  if (zombies.length >= 10 && zombies.length * 10 >= tasks) {
    const parents = new Map<number, number>();
    for (const z of zombies) bumpCount(parents, z.ppid);
    const [ppid, n] = [...parents.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const parent = facts.processes.find((p) => p.pid === ppid);
    hintFindings.push({
      id: 'zombies',
      severity: nprocTight ? 'warning' : 'notice',
      title: `${fmt(zombies.length)} zombie processes of ${id.name} still count against nproc`,
      details: [`${fmt(n)} of them are children of PID ${ppid}${parent ? ` (${parent.comm})` : ''}, which does not reap them (wait()).`],
      usage: null,
      fixes: [{ description: 'Restart or fix the parent; its zombies go away with it', command: `ps -o pid,stat,cmd --ppid ${ppid}` }],
    });
  }

  // --- nproc usage ---------------------------------------------------------------------------
  if (isRoot) {
    add({
      id: 'nproc-root-exempt', severity: 'info', title: 'uid 0 is exempt from nproc: the kernel never refuses root a fork because of RLIMIT_NPROC',
      details: [`root runs ${fmt(tasks)} tasks. If root's forks fail, look at pid_max, threads-max, cgroup pids limits and memory below.`],
      usage: null, fixes: [],
    });
  } else if (processes === 0) {
    add({
      id: 'no-processes', severity: 'info', title: `${id.name} runs no processes right now`,
      details: [configured ? `New sessions get nproc soft ${formatLimit(configured.soft)}, hard ${formatLimit(configured.hard)}${configured.softFrom ? ` (${formatSource(configured.softFrom)})` : ''}.` : 'The configured nproc could not be computed.'],
      usage: null, fixes: [],
    });
  } else if (binding && nprocRatio !== null && nprocRatio >= NEAR) {
    const exhausted = nprocRatio >= 1;
    const affected = limitGroups.filter((g) => g.limit && g.limit.soft !== RLIM_INFINITY && tasks >= Number(g.limit.soft) * (exhausted ? 1 : NEAR));
    const affectedProcs = affected.reduce((n, g) => n + g.processes, 0);
    const details: string[] = [
      `${id.name} (uid ${id.uid}) runs ${fmt(tasks)} tasks in ${fmt(processes)} processes (the kernel counts threads, by real uid).`,
      `${fmt(affectedProcs)} of them run with soft nproc ${fmt(bindingSoft!)} or less${exhausted ? ': their next fork() or pthread_create() fails with EAGAIN ("Resource temporarily unavailable")' : ''}.`,
    ];
    if (configured) details.push(`Configured for new sessions: ${describeConfigured(configured)}.`);
    const top1 = top[0];
    if (top1) details.push(`Most tasks: ${fmt(top1.tasks)} × ${top1.command}.`);
    const fixes: Fix[] = [];
    for (const h of hintFindings) if (h.fixes[0]) fixes.push({ ...h.fixes[0], description: `${h.fixes[0].description} (see ${h.id})` });
    const bindingIsConfig = configured?.soft !== null && configured?.soft !== undefined && binding.limit!.soft === configured.soft;
    const serviceUnits = binding.units.filter((u) => u.kind === 'service' && !isPamService(u.unit));
    if (serviceUnits.length > 0 && serviceUnits.length === binding.units.length) {
      for (const u of serviceUnits.slice(0, 3)) fixes.push(serviceDropIn(u.unit!, suggestNproc(tasks, bindingSoft)));
    } else if (confSoft !== null && tasks < confSoft && !bindingIsConfig) {
      fixes.push({ description: `The configuration already allows ${fmt(confSoft)}: start new sessions (log out and in) or restart the services that run with ${fmt(bindingSoft!)}` });
      fixes.push({ description: 'or raise a running process\'s limit in place (needs CAP_SYS_RESOURCE to raise the hard limit)', command: `prlimit --pid ${binding.samplePids[0] ?? 'PID'} --nproc=${confSoft}:${formatLimit(configured!.hard)}` });
    } else {
      fixes.push(setFix);
    }
    add({
      id: exhausted ? 'nproc-exhausted' : 'nproc-near-limit',
      severity: exhausted ? 'critical' : 'warning',
      title: exhausted
        ? `nproc exhausted: ${id.name} runs ${fmt(tasks)} tasks and the limit is ${fmt(bindingSoft!)} — fork() fails with EAGAIN`
        : `nproc nearly exhausted: ${id.name} runs ${fmt(tasks)} of ${fmt(bindingSoft!)} tasks (${pct(nprocRatio)})`,
      details,
      usage: { what: `nproc of ${id.name}`, used: tasks, limit: bindingSoft!, ratio: nprocRatio, unit: 'tasks' },
      fixes,
    });
  }
  // new sessions: even a fresh login would start at or over its limit
  if (!isRoot && processes > 0 && confSoft !== null && tasks >= confSoft * NEAR && (bindingSoft === null || confSoft > bindingSoft || nprocRatio! < NEAR)) {
    const ratio = tasks / confSoft;
    add({
      id: 'nproc-new-sessions', severity: ratio >= 1 ? 'critical' : 'warning',
      title: `New sessions of ${id.name} get soft nproc ${fmt(confSoft)} and ${id.name} already runs ${fmt(tasks)} tasks${ratio >= 1 ? ': a new login cannot fork' : ''}`,
      details: [`Configured: ${formatSource(configured!.softFrom) || configured!.softOrigin}.`],
      usage: { what: `configured nproc of ${id.name}`, used: tasks, limit: confSoft, ratio, unit: 'tasks' },
      fixes: [setFix],
    });
  }
  for (const h of hintFindings) add(h);

  // --- running limits that differ from the configuration ----------------------------------------
  if (!isRoot && configured && configured.soft !== null) {
    const differing = limitGroups.filter((g) => g.matchesConfig === false);
    if (differing.length > 0) {
      const details: string[] = [`Configured: ${describeConfigured(configured)}.`];
      const fixes: Fix[] = [];
      const sysNproc = facts.systemd.system.DefaultLimitNPROC;
      const userNproc = facts.systemd.user.DefaultLimitNPROC;
      for (const g of differing) {
        details.push(`${fmt(g.processes)} process${g.processes === 1 ? '' : 'es'} (${fmt(g.tasks)} tasks) run with ${formatLimit(g.limit!.soft)}:${formatLimit(g.limit!.hard)}:`);
        for (const u of g.units.slice(0, 6)) {
          const by = u.spawnedBy.length ? `, started by ${u.spawnedBy.join('/')}` : '';
          details.push(`  ${u.unit ?? u.kind} (${fmt(u.processes)} proc, ${fmt(u.tasks)} tasks${by}) — ${explainKind(u, facts, sysNproc, userNproc)}`);
          if (u.kind === 'service' && u.unit && !isPamService(u.unit) && fixes.length < 3) fixes.push(serviceDropIn(u.unit, configured.soft === RLIM_INFINITY ? newValue : Number(configured.soft)));
        }
        if (g.units.length > 6) details.push(`  … and ${g.units.length - 6} more`);
      }
      if (differing.some((g) => g.units.some((u) => u.kind === 'session' || u.kind === 'root' || u.kind === 'other' || u.kind === 'unknown'))) {
        fixes.push({ description: 'Sessions keep the limits they started with: log out and in again (or restart the long-running programs)' });
      }
      const worst = differing.some((g) => g === binding && (g.ratio ?? 0) >= NEAR);
      add({
        id: 'nproc-limit-mismatch', severity: worst ? 'warning' : 'notice',
        title: `${fmt(differing.reduce((n, g) => n + g.processes, 0))} of ${id.name}'s processes run with an nproc limit other than the configured ${configured.hard === null ? `soft ${formatLimit(configured.soft)}` : `${formatLimit(configured.soft)}:${formatLimit(configured.hard)}`}`,
        details, usage: null, fixes,
      });
    }
  }

  // --- the other reasons fork() fails; then systemd, PAM and sshd -------------------------------
  const sysTasks = Math.max(facts.census.tasks, facts.census.loadavgTasks ?? 0);
  const k = facts.kernel;
  const m = facts.memory;
  const cgNodes = facts.cgroups.nodes.map((n) => ({
    ...n,
    ratio: typeof n.pidsMax === 'bigint' && n.pidsCurrent !== null ? (n.pidsMax === 0n ? Infinity : Number(n.pidsCurrent) / Number(n.pidsMax)) : null,
  }));
  for (const f of [
    ...kernelFindings(facts, sysTasks), ...cgroupFindings(facts, cgNodes), ...memoryFindings(facts),
    ...systemdFindings(facts), ...pamFindings(facts),
  ]) add(f);

  // --- reading problems ------------------------------------------------------------------------
  if (facts.census.unreadable > 0 || facts.problems.length > 0) {
    add({
      id: 'proc-unreadable', severity: 'info', title: 'Some facts could not be read; counts may be low',
      details: [
        ...(facts.census.unreadable > 0 ? [`${fmt(facts.census.unreadable)} processes could not be read (hidepid? run as root)`] : []),
        ...facts.problems.slice(0, 10),
      ],
      usage: null, fixes: [],
    });
  }

  // --- verdict ---------------------------------------------------------------------------------
  const order = (f: Finding) => SEVERITIES.indexOf(f.severity);
  const sorted = findings.map((f, i) => ({ f, i }))
    .sort((a, b) => order(a.f) - order(b.f) || (b.f.usage?.ratio ?? -1) - (a.f.usage?.ratio ?? -1) || a.i - b.i)
    .map((x) => x.f);
  const maxRatio = Math.max(-1, ...findings.map((f) => f.usage?.ratio ?? -1));
  const status: DoctorStatus = maxRatio >= 1 ? 'exhausted' : maxRatio >= NEAR ? 'near-limit' : 'ok';
  const first = sorted.find((f) => f.usage && f.usage.ratio >= NEAR);
  const verdict = first
    ? first.title
    : `No limit is near: ${id.name} runs ${fmt(tasks)} task${tasks === 1 ? '' : 's'}${bindingSoft !== null && !isRoot ? ` of ${fmt(bindingSoft)} allowed` : ''}; the system runs ${fmt(sysTasks)}${k.pidMax ? ` of pid_max ${fmt(k.pidMax)}` : ''}.`;

  const uts = facts.systemd.userSliceTasksMax;
  return {
    user: { name: id.name, uid: id.uid, gid: id.gid },
    profile: facts.resolution?.dialect ?? null,
    status,
    exitCode: status === 'ok' ? 0 : 1,
    verdict,
    findings: sorted,
    nproc: { tasks, processes, configured, configNote, binding, limitGroups, top },
    system: {
      tasks: sysTasks, processes: facts.census.processes, loadavgTasks: facts.census.loadavgTasks,
      vanished: facts.census.vanished, unreadable: facts.census.unreadable,
      pidMax: k.pidMax, threadsMax: k.threadsMax, memory: m,
      overcommit: { mode: k.overcommitMemory, ratio: k.overcommitRatio, kbytes: k.overcommitKbytes },
    },
    cgroups: { version: facts.cgroups.version, nodes: cgNodes },
    systemd: { ...facts.systemd, userSliceTasksMaxResolved: uts ? resolveTasksMax(uts.value, k) : null },
    pam: facts.pam,
    sshd: facts.sshd,
    sources: facts.sources,
    problems: facts.problems,
  };
}

/** kernel.pid_max and kernel.threads-max against the system's task count. */
function kernelFindings(facts: DoctorFacts, sysTasks: number): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);
  const k = facts.kernel;
  if (k.pidMax !== null && k.pidMax > 0) {
    const ratio = sysTasks / k.pidMax;
    if (ratio >= NEAR) {
      add({
        id: 'pid-max', severity: ratio >= 1 ? 'critical' : 'warning',
        title: `PIDs nearly all in use: ${fmt(sysTasks)} tasks, kernel.pid_max ${fmt(k.pidMax)} (${pct(ratio)}) — fork() fails with EAGAIN for everyone`,
        details: ['Every task (thread) takes a PID.'],
        usage: { what: 'kernel.pid_max', used: sysTasks, limit: k.pidMax, ratio, unit: 'tasks' },
        fixes: [
          { description: 'Raise it now', command: 'sysctl -w kernel.pid_max=4194304' },
          { description: 'and at boot', file: { path: '/etc/sysctl.d/60-pid-max.conf', content: 'kernel.pid_max = 4194304\n' } },
        ],
      });
    }
  }
  if (k.threadsMax !== null && k.threadsMax > 0) {
    const ratio = sysTasks / k.threadsMax;
    if (ratio >= NEAR) {
      add({
        id: 'threads-max', severity: ratio >= 1 ? 'critical' : 'warning',
        title: `kernel.threads-max nearly reached: ${fmt(sysTasks)} of ${fmt(k.threadsMax)} tasks (${pct(ratio)}) — fork() fails with EAGAIN for everyone`,
        details: ['threads-max caps the number of tasks on the whole system (default: a share of RAM).'],
        usage: { what: 'kernel.threads-max', used: sysTasks, limit: k.threadsMax, ratio, unit: 'tasks' },
        fixes: [
          { description: 'Raise it now', command: `sysctl -w kernel.threads-max=${Math.max(k.threadsMax * 2, sysTasks * 2)}` },
          { description: 'and at boot', file: { path: '/etc/sysctl.d/60-threads-max.conf', content: `kernel.threads-max = ${Math.max(k.threadsMax * 2, sysTasks * 2)}\n` } },
        ],
      });
    }
  }
  return out;
}

/** pids.current against pids.max of the user's slice, sessions, services and their ancestors. */
function cgroupFindings(facts: DoctorFacts, cgNodes: ReadonlyArray<CgroupNode & { ratio: number | null }>): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);
  for (const n of cgNodes) {
    if (n.ratio === null || n.ratio < NEAR || typeof n.pidsMax !== 'bigint') continue;
    const max = Number(n.pidsMax);
    const cur = Number(n.pidsCurrent);
    const next = Math.max(max * 2, 4096);
    const fixes: Fix[] = [];
    const unit = n.unit ?? n.path;
    if (n.kind === 'user-slice') {
      fixes.push({ description: `Raise it for ${unit} now (until reboot)`, command: `systemctl set-property --runtime ${unit} TasksMax=${next}` });
      fixes.push({ description: 'and for every user slice, persistently', file: { path: '/etc/systemd/system/user-.slice.d/60-tasks-max.conf', content: `[Slice]\nTasksMax=${next}\n` } });
      fixes.push({ description: 'then reload systemd', command: 'systemctl daemon-reload' });
    } else if (n.kind === 'session' || n.kind === 'scope') {
      fixes.push({ description: `Raise it for ${unit} now`, command: `systemctl set-property --runtime ${unit} TasksMax=${next}` });
      fixes.push({ description: 'Future scopes and services take DefaultTasksMax', file: { path: '/etc/systemd/system.conf.d/60-tasks-max.conf', content: `[Manager]\nDefaultTasksMax=${next}\n` } });
    } else if (n.kind === 'service' || n.kind === 'user-manager') {
      const name = unit.split('/').pop()!;
      fixes.push({ description: `Raise TasksMax of ${name}`, file: { path: `/etc/systemd/system/${name}.d/60-tasks-max.conf`, content: `[Service]\nTasksMax=${next}\n` } });
      fixes.push({ description: 'then', command: `systemctl daemon-reload && systemctl restart ${name}` });
    } else {
      fixes.push({ description: 'Raise the cgroup\'s pids.max', command: `echo ${next} > /sys/fs/cgroup${facts.cgroups.version === 'v2' ? '' : '/pids'}${n.path}/pids.max` });
    }
    const cfg = n.kind === 'user-slice' && facts.systemd.userSliceTasksMax ? [`Configured: TasksMax=${facts.systemd.userSliceTasksMax.value} (${facts.systemd.userSliceTasksMax.file}${facts.systemd.userSliceTasksMax.line ? `:${facts.systemd.userSliceTasksMax.line}` : ''}).`] : [];
    add({
      id: 'cgroup-pids', severity: n.ratio >= 1 ? 'critical' : 'warning',
      title: `cgroup ${unit}: pids.current ${fmt(cur)} of pids.max ${fmt(max)} (${pct(n.ratio)}) — fork() inside it fails with EAGAIN`,
      details: [`${n.path} (${facts.cgroups.version}); the limit counts every task in the cgroup and below, whoever owns it.`, ...cfg],
      usage: { what: `pids.max of ${n.path}`, used: cur, limit: max, ratio: n.ratio, unit: 'tasks' },
      fixes,
    });
  }
  return out;
}

/** Strict overcommit (ENOMEM, not EAGAIN) and low available memory. */
function memoryFindings(facts: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);
  const k = facts.kernel;
  const m = facts.memory;
  if (k.overcommitMemory === 2 && m.commitLimit && m.committedAs !== null) {
    const ratio = m.committedAs / m.commitLimit;
    if (ratio >= NEAR) {
      add({
        id: 'commit-limit', severity: ratio >= 1 ? 'critical' : 'warning',
        title: `Strict overcommit (vm.overcommit_memory=2): Committed_AS ${kib(m.committedAs)} of CommitLimit ${kib(m.commitLimit)} (${pct(ratio)}) — fork() fails with ENOMEM ("Cannot allocate memory"), not EAGAIN`,
        details: [
          `CommitLimit = swap + RAM × vm.overcommit_ratio (${k.overcommitRatio ?? '?'} %)${k.overcommitKbytes ? ` or vm.overcommit_kbytes ${k.overcommitKbytes}` : ''}; a fork commits a copy of the parent's writable memory.`,
          m.memAvailable !== null ? `MemAvailable ${kib(m.memAvailable)} of ${kib(m.memTotal ?? 0)}.` : '',
        ].filter(Boolean),
        usage: { what: 'CommitLimit', used: m.committedAs, limit: m.commitLimit, ratio, unit: 'KiB' },
        fixes: [
          { description: 'Allow more commitment now', command: `sysctl -w vm.overcommit_ratio=${Math.min(100, (k.overcommitRatio ?? 50) + 30)}` },
          { description: 'or go back to heuristic overcommit', command: 'sysctl -w vm.overcommit_memory=0' },
          { description: 'or add swap (it adds to CommitLimit)' },
        ],
      });
    }
  }
  if (m.memAvailable !== null && m.memTotal) {
    const threshold = Math.max(65536, m.memTotal * 0.02);
    if (m.memAvailable < threshold) {
      add({
        id: 'low-memory', severity: 'warning',
        title: `Low memory: MemAvailable ${kib(m.memAvailable)} of ${kib(m.memTotal)} — forks may fail with ENOMEM or the OOM killer steps in`,
        details: [`vm.overcommit_memory=${k.overcommitMemory ?? '?'}; swap ${kib(m.swapFree ?? 0)} free of ${kib(m.swapTotal ?? 0)}.`],
        usage: null, fixes: [{ description: 'Find the largest processes', command: 'ps -eo pid,user,rss,comm --sort=-rss | head' }],
      });
    }
  }
  return out;
}

/** systemd settings that do not do what they seem to. */
function systemdFindings(facts: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);
  const utm = facts.systemd.logind.UserTasksMax;
  if (utm && utm.value !== '') {
    add({
      id: 'logind-user-tasks-max', severity: 'notice',
      title: `logind.conf sets UserTasksMax=${utm.value}, which systemd 240 and later ignore`,
      details: [`${utm.file}${utm.line ? `:${utm.line}` : ''}. The user slice's limit comes from TasksMax= in user-.slice.d drop-ins${facts.systemd.userSliceTasksMax ? ` (now ${facts.systemd.userSliceTasksMax.value}, ${facts.systemd.userSliceTasksMax.file})` : ''}.`],
      usage: null,
      fixes: [{ description: 'Move it to a drop-in', file: { path: '/etc/systemd/system/user-.slice.d/60-tasks-max.conf', content: `[Slice]\nTasksMax=${utm.value}\n` } }],
    });
  }
  return out;
}

/** Does pam_limits run at all: login paths, jumps, conf=, includes, the module, sshd's UsePAM. */
function pamFindings(facts: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);
  const svc = facts.pam.services;
  const loginPaths = svc.filter((s) => LOGIN_PATHS.includes(s.service));
  const missing = loginPaths.filter((s) => s.hits.length === 0 && s.file !== null);
  if (missing.length > 0) {
    const sshdMissing = missing.some((s) => s.service === 'sshd');
    add({
      id: 'pam-limits-missing', severity: sshdMissing ? 'warning' : 'notice',
      title: `pam_limits.so is not in the session stack of ${missing.map((s) => s.service).join(', ')}: sessions started that way keep the caller's limits`,
      details: missing.map((s) => `${s.service}: ${s.file}${s.viaOther ? ' (service file missing: PAM uses "other")' : ''}${s.problems.length ? `; ${s.problems.join('; ')}` : ''}`),
      usage: null,
      fixes: missing.slice(0, 3).map((s) => ({
        description: `Add pam_limits to ${s.service}'s session stack`,
        command: `echo 'session required pam_limits.so' >> /${s.viaOther ? `etc/pam.d/${s.service}` : s.file}`,
      })),
    });
  }
  const skippable = loginPaths.flatMap((s) => s.hits.filter((h) => h.mayBeSkipped.length > 0).map((h) => ({ s, h })));
  if (skippable.length > 0) {
    add({
      id: 'pam-limits-skippable', severity: 'notice',
      title: `pam_limits.so can be skipped in ${[...new Set(skippable.map((x) => x.s.service))].join(', ')}`,
      details: skippable.flatMap(({ s, h }) => [`${s.service}: ${h.file}:${h.line} (via ${h.via.join(' → ')})`, ...h.mayBeSkipped.map((x) => `  ${x}`)]),
      usage: null, fixes: [],
    });
  }
  const confHits = loginPaths.flatMap((s) => s.hits.filter((h) => h.conf !== null).map((h) => ({ s, h })));
  if (confHits.length > 0) {
    const details: string[] = [];
    for (const { s, h } of confHits) {
      const cr = facts.confResolutions.find((c) => c.conf === h.conf);
      const nproc = cr ? configuredNproc(cr.resolution) : null;
      details.push(`${s.service}: ${h.file}:${h.line} conf=${h.conf}${nproc ? ` → nproc soft ${formatLimit(nproc.soft)}, hard ${formatLimit(nproc.hard)}${nproc.softFrom ? ` (${formatSource(nproc.softFrom)})` : ''}` : cr && !cr.resolution.applied ? ' → no limits applied' : ''}`);
    }
    add({
      id: 'pam-limits-conf', severity: 'notice',
      title: `pam_limits reads another file for ${[...new Set(confHits.map((x) => x.s.service))].join(', ')} (conf=): limits.d is not read there`,
      details, usage: null, fixes: [],
    });
  }
  const incProblems = svc.flatMap((s) => s.problems.filter((p) => p.includes('not found')).map((p) => `${s.service}: ${p}`));
  if (incProblems.length > 0) {
    add({ id: 'pam-include-missing', severity: 'warning', title: 'A PAM stack includes a file that does not exist', details: incProblems, usage: null, fixes: [] });
  }
  if (facts.pam.module === null && svc.some((s) => s.hits.length > 0)) {
    const dashOnly = svc.every((s) => s.hits.every((h) => h.dash));
    add({
      id: 'pam-module-missing', severity: 'warning',
      title: `pam_limits.so is configured but not installed${dashOnly ? ' (the -session lines are skipped silently)' : ': sessions through those stacks fail'}`,
      details: ['No pam_limits.so in the library directories of the root.'], usage: null,
      fixes: [{ description: 'Install it (Debian: libpam-modules; RHEL: pam)', command: 'apt-get install libpam-modules' }],
    });
  }
  if (facts.sshd.present && facts.sshd.usePamEffective === false) {
    const u = facts.sshd.usePam;
    add({
      id: 'sshd-usepam-off', severity: 'warning',
      title: 'sshd runs without PAM (UsePAM no): ssh logins never run pam_limits',
      details: [u ? `${u.file}:${u.line}: UsePAM ${u.value} (sshd takes the first value it reads; drop-ins included at the top win)` : 'UsePAM is not set and sshd\'s built-in default is "no".',
        'ssh sessions inherit sshd\'s own limits (for a systemd service: LimitNPROC= or DefaultLimitNPROC=).'],
      usage: null,
      fixes: [{ description: 'Turn PAM on (first value wins, so put it in a drop-in read first)', file: { path: '/etc/ssh/sshd_config.d/00-usepam.conf', content: 'UsePAM yes\n' } }, { description: 'then reload sshd (ssh.service on Debian, sshd.service on RHEL)', command: 'systemctl reload ssh.service || systemctl reload sshd.service' }],
    });
  }
  return out;
}

/** PAM services whose session stacks start user sessions, in the order doctor lists them. */
export const LOGIN_PATHS: readonly string[] = [
  'sshd', 'login', 'su', 'su-l', 'sudo', 'sudo-i', 'runuser', 'runuser-l', 'cron', 'crond', 'atd',
  'systemd-user', 'gdm-password', 'lightdm', 'sddm', 'xrdp-sesman',
];
/** Shared stacks that login paths include. */
export const SHARED_STACKS: readonly string[] = [
  'common-session', 'common-session-noninteractive', 'system-auth', 'password-auth', 'system-login', 'postlogin',
];

/** Services whose jobs run PAM themselves although they live in a *.service cgroup. */
function isPamService(unit: string | null): boolean {
  return unit !== null && /^(cron|crond|atd|anacron)\.service$/.test(unit);
}

function explainKind(u: UnitCount, facts: DoctorFacts, sysNproc: SettingFact | undefined, userNproc: SettingFact | undefined): string {
  const at = (s: SettingFact) => `${s.file}${s.line ? `:${s.line}` : ''}`;
  switch (u.kind) {
    case 'session':
      if (u.spawnedBy.includes('sshd') && facts.sshd.present && facts.sshd.usePamEffective === false) return 'an ssh login, and sshd runs without PAM (UsePAM no): pam_limits never ran for it';
      return 'a login session started before the configuration changed, through a path without pam_limits, or changed later with ulimit/prlimit';
    case 'user-manager': return `started by the user's systemd (user@.service): limits come from the "systemd-user" PAM stack and user.conf DefaultLimitNPROC=${userNproc ? `${userNproc.value || '(default)'} (${at(userNproc)})` : ' (not set)'}, not from the session`;
    case 'service':
      if (isPamService(u.unit)) return `${u.unit} runs its jobs through PAM (pam_limits applies per job); jobs started before a change keep the old limit`;
      return `a systemd service: systemd never reads limits.conf; it uses LimitNPROC= of the unit, else DefaultLimitNPROC=${sysNproc ? `${sysNproc.value || '(default)'} (${at(sysNproc)})` : " (not set: PID 1's own limit)"}`;
    case 'scope': return 'a systemd scope (systemd-run, container): it inherits the limits of whoever started it';
    case 'root':
    case 'other':
    case 'unknown':
      return facts.systemd.running ? 'not in a login session: started by a path without pam_limits, or its limit was changed with ulimit/prlimit' : 'no systemd placement: started before the configuration changed, by a path without pam_limits, or changed with ulimit/prlimit';
    default: return '';
  }
}

/** "soft 1024 (limits.d/90-nproc.conf:5 *), hard 63445 (not configured: PID 1's limit)" */
export function describeConfigured(c: ConfiguredNproc): string {
  const half = (v: bigint | null, from: SourceRef | null, origin: string) => `${formatLimit(v)} (${from ? formatSource(from) : origin})`;
  return `soft ${half(c.soft, c.softFrom, c.softOrigin)}, hard ${half(c.hard, c.hardFrom, c.hardOrigin)}`;
}

function serviceDropIn(unit: string, value: number): Fix {
  return {
    description: `systemd does not read limits.conf for ${unit}: give it LimitNPROC (then systemctl daemon-reload && systemctl restart ${unit})`,
    file: { path: `/etc/systemd/system/${unit}.d/60-nproc.conf`, content: `[Service]\nLimitNPROC=${value}\n` },
  };
}

function kib(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} GiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} MiB`;
  return `${n} KiB`;
}
