/**
 * What diagnose() returns: findings (each with the numbers behind it and its fixes) and the
 * analysis they rest on. Types, and the severity order; the JSON envelope built from them
 * (src/formatters/doctor.ts) is documented in docs/doctor.md.
 */
import type {
  CgroupKind, CgroupNode, CgroupVersion, LimitPair, MemoryFacts, PamFacts, SourceFacts, SshdFacts, SystemdFacts,
} from './facts.js';
import type { CommandHint } from './commands.js';
import type { ItemReport } from './item.js';

export type Severity = 'critical' | 'warning' | 'notice' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'notice', 'info'];

/** A count against a limit; `ratio` ≥ 0.9 makes doctor exit 1. */
export interface Usage {
  readonly what: string;
  readonly used: number;
  readonly limit: number;
  readonly ratio: number;
  readonly unit: 'tasks' | 'KiB' | 'files';
}

export interface Fix {
  readonly description: string;
  /** a shell command to run */
  readonly command?: string;
  /** a file to write */
  readonly file?: { readonly path: string; readonly content: string };
}

/** A finding id: one file per id under findings/, listed in registry.ts, a row in docs/doctor.md. */
export type FindingId =
  | 'nproc-exhausted' | 'nproc-near-limit' | 'nproc-new-sessions' | 'nproc-limit-mismatch' | 'nproc-root-exempt'
  | 'ssh-mux-masters' | 'thread-heavy-process' | 'zombies'
  | 'pid-max' | 'threads-max' | 'cgroup-pids' | 'commit-limit' | 'low-memory'
  | 'pam-limits-missing' | 'pam-limits-skippable' | 'pam-limits-conf' | 'pam-limits-fatal' | 'pam-include-missing' | 'pam-module-missing'
  | 'sshd-usepam-off' | 'logind-user-tasks-max' | 'config-not-applied' | 'no-processes' | 'proc-unreadable'
  | 'item-from-systemd' | 'item-old-session' | 'nofile-usage' | 'unit-not-running' | 'cap-sys-resource';

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
  /** one full command line, cut at 120 characters */
  readonly example: string;
  readonly samplePids: readonly number[];
  readonly hint: CommandHint | null;
  readonly zombies: number;
}

/**
 * `sessions-fail`: a critical finding that is not a count (pam-limits-fatal: logins are refused);
 * `exhausted`/`near-limit`: a limit at 100 % / 90 % of its use; `ok`: neither.
 */
export type DoctorStatus = 'ok' | 'near-limit' | 'exhausted' | 'sessions-fail';

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
  /** `--item ITEM`: the examined processes by group, with the source that configures each; absent otherwise */
  readonly item?: ItemReport;
}

export interface DiagnoseOptions {
  /** extra arguments for suggested limitsctl commands, e.g. "--root /srv/snap" */
  readonly limitsctlArgs?: string;
  /** how many command groups to keep (default 10) */
  readonly top?: number;
}
