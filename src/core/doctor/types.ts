/**
 * The shape of a doctor finding (one per file under findings/) and the context each one reads:
 * the shared analysis of the facts, computed once by analysis.ts before any finding runs.
 */
import type { SshMaster } from './commands.js';
import type { CgroupNode, DoctorFacts } from './facts.js';
import type { CommandGroup, ConfiguredNproc, Finding, FindingId, Fix, LimitGroup, Severity } from './report.js';

/** Every command pattern of the user's processes (commands.ts groups them), before the --top cut. */
export interface CommandTally extends CommandGroup {
  /** every command line of the group, for ssh-mux groups only (their control paths) */
  readonly titles: readonly string[];
  /** what each master of an ssh-mux group says of itself (title or argv), in the order of titles */
  readonly masters: readonly SshMaster[];
}

export interface DoctorContext {
  readonly facts: DoctorFacts;
  /** uid 0: exempt from RLIMIT_NPROC */
  readonly isRoot: boolean;
  /** ' --root DIR …' to append to suggested limitsctl commands; '' when none */
  readonly lc: string;
  /** the user's tasks (threads, zombies included) and processes, by real uid */
  readonly tasks: number;
  readonly processes: number;
  /** what pam_limits gives a new session; null when it applies nothing (configNote says why) */
  readonly configured: ConfiguredNproc | null;
  readonly configNote: string | null;
  /** the user's processes by their running nproc, lowest soft first; binding = the first known */
  readonly limitGroups: readonly LimitGroup[];
  readonly binding: LimitGroup | null;
  /** all command patterns, most tasks first; top = the first --top of them, with hints */
  readonly commands: readonly CommandTally[];
  readonly top: readonly CommandGroup[];
  /** binding's soft limit (null: none or unlimited) and the user's tasks against it */
  readonly bindingSoft: number | null;
  readonly nprocRatio: number | null;
  /** nprocRatio ≥ 90 % and not root: usage hints become warnings */
  readonly nprocTight: boolean;
  /** the configured soft nproc (null: unknown or unlimited) */
  readonly confSoft: number | null;
  /** a suggested new nproc (suggestNproc) and the `limitsctl set` fix that applies it */
  readonly newValue: number;
  readonly setFix: Fix;
  /** the system's tasks: the larger of the sum of Threads: and /proc/loadavg's count */
  readonly sysTasks: number;
  /** the cgroup nodes with pids.current / pids.max (null without a numeric pids.max) */
  readonly cgNodes: ReadonlyArray<CgroupNode & { readonly ratio: number | null }>;
  /** what another finding reports (each finding's check runs once per diagnose) */
  findingsOf(id: FindingId): readonly Finding[];
}

/** One finding: its id, the severities it can take, when it fires, and the check that finds it. */
export interface FindingDefinition {
  readonly id: FindingId;
  /** the severities it reports, most severe first (the severity column of docs/doctor.md) */
  readonly severities: readonly Severity[];
  /** when it fires, one sentence (the "when" column of docs/doctor.md) */
  readonly when: string;
  /** the findings with this id for the context; [] when it does not apply. Pure. */
  check(ctx: DoctorContext): readonly Finding[];
}
