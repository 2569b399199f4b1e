/**
 * The facts doctor reasons about: what the io ring (src/io/live.ts) gathers from /proc, /sys,
 * systemd and PAM configuration. Types only.
 */
import type { Identity } from '../accounts.js';
import type { Resolution } from '../resolve.js';
import type { RlimitItem } from '../schema.js';
import type { ItemFacts } from './item.js';

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

export interface LimitPair {
  readonly soft: bigint;
  readonly hard: bigint;
}

/** Where systemd placed a process (from /proc/PID/cgroup). */
export type CgroupKind =
  | 'session'        // user.slice/user-UID.slice/session-N.scope: a PAM login (pam_systemd)
  | 'user-manager'   // user.slice/user-UID.slice/user@UID.service/...: the user's systemd
  | 'user-slice'     // the user slice itself
  | 'service'        // some *.service: systemd started it and never read limits.conf
  | 'scope'          // some other *.scope (systemd-run --scope, containers)
  | 'root'           // "/": not placed by systemd (no systemd, or a container)
  | 'other'
  | 'unknown';       // no cgroup information

/** One process of the user (real uid), as read from /proc/PID. */
export interface ProcessFact {
  readonly pid: number;
  readonly ppid: number;
  /** real uid (the first field of Uid: in /proc/PID/status) */
  readonly uid: number;
  /** tasks of the process (Threads: in status); each counts against nproc */
  readonly threads: number;
  /** first letter of State: (R, S, D, Z, T, ...) */
  readonly state: string;
  /** Name: in status (comm, at most 15 bytes) */
  readonly comm: string;
  /** /proc/PID/cmdline split at NUL; [] for kernel threads and zombies */
  readonly argv: readonly string[];
  /** "Max processes" of /proc/PID/limits; null when unreadable */
  readonly nproc: LimitPair | null;
  /** the systemd cgroup path (cgroup v2 "0::" line, or v1 "name=systemd"); null when unknown */
  readonly cgroup: string | null;
  /** the cgroup that holds the pids controller (v2: same as cgroup; v1: the "pids" line) */
  readonly pidsCgroup: string | null;
  /** the nearest ancestor not owned by the user (e.g. sshd, su, cron), when known */
  readonly spawnedBy: { readonly pid: number; readonly comm: string } | null;
}

export interface CensusFacts {
  /** processes read under /proc */
  readonly processes: number;
  /** tasks (sum of Threads:) over every process read */
  readonly tasks: number;
  /** total tasks from /proc/loadavg (4th field after the slash), the kernel's own count */
  readonly loadavgTasks: number | null;
  /** PIDs that vanished while being read (normal: processes come and go) */
  readonly vanished: number;
  /** PIDs whose files could not be read for another reason (e.g. hidepid) */
  readonly unreadable: number;
}

export interface KernelFacts {
  readonly pidMax: number | null;
  readonly threadsMax: number | null;
  /** vm.overcommit_memory: 0 heuristic, 1 always, 2 strict */
  readonly overcommitMemory: number | null;
  readonly overcommitRatio: number | null;
  readonly overcommitKbytes: number | null;
}

/** /proc/meminfo figures in KiB. */
export interface MemoryFacts {
  readonly memTotal: number | null;
  readonly memAvailable: number | null;
  readonly commitLimit: number | null;
  readonly committedAs: number | null;
  readonly swapTotal: number | null;
  readonly swapFree: number | null;
}

export type CgroupVersion = 'v2' | 'v1' | 'hybrid' | 'none';

export interface CgroupNode {
  /** the cgroup path, e.g. /user.slice/user-1000.slice/session-3.scope */
  readonly path: string;
  readonly kind: CgroupKind;
  /** the unit name (session-3.scope, cron.service, user-1000.slice) */
  readonly unit: string | null;
  /** pids.max: a number, 'max', or null when the file is absent (no pids controller) */
  readonly pidsMax: bigint | 'max' | null;
  readonly pidsCurrent: bigint | null;
}

export interface CgroupFacts {
  readonly version: CgroupVersion;
  /** the user's slice (user.slice/user-UID.slice), when it exists */
  readonly userSlice: CgroupNode | null;
  /** every cgroup holding one of the user's processes, and their ancestors (user slice included) */
  readonly nodes: readonly CgroupNode[];
}

/** One setting with where it was last set (last assignment wins). */
export interface SettingFact {
  /** the value as written ('' = reset to the default) */
  readonly value: string;
  /** file relative to the root */
  readonly file: string;
  /** 1-based line, when found */
  readonly line: number | null;
}

export interface SystemdFacts {
  /** PID 1 is systemd (or <root>/run/systemd/system exists) */
  readonly running: boolean;
  /** systemd's configuration or binary is present under the root */
  readonly installed: boolean;
  /** system.conf + drop-ins ([Manager]): DefaultLimitNPROC, DefaultTasksMax */
  readonly system: Readonly<Record<string, SettingFact>>;
  /** user.conf + drop-ins ([Manager]) */
  readonly user: Readonly<Record<string, SettingFact>>;
  /** logind.conf + drop-ins ([Login]): UserTasksMax */
  readonly logind: Readonly<Record<string, SettingFact>>;
  /** TasksMax= of the user's slice from user-.slice.d / user-UID.slice.d drop-ins */
  readonly userSliceTasksMax: SettingFact | null;
  /** files read, in order */
  readonly files: readonly string[];
}

/** A pam_limits.so line reached from a service's session stack. */
export interface PamLimitsHit {
  readonly file: string;
  readonly line: number;
  /** the control field as written: required, optional, [success=ok ...], ... */
  readonly control: string;
  readonly args: readonly string[];
  /** the line starts with "-session": ignored silently when the module is missing */
  readonly dash: boolean;
  /** service → included files, e.g. ['sshd', 'common-session'] */
  readonly via: readonly string[];
  /** conf= option */
  readonly conf: string | null;
  /** earlier lines that can jump over it or end the stack before it */
  readonly mayBeSkipped: readonly string[];
}

export interface PamServiceFact {
  readonly service: string;
  /** the file read for the service (relative to the root), null when absent */
  readonly file: string | null;
  /** the service file is missing and PAM uses "other" */
  readonly viaOther: boolean;
  readonly hits: readonly PamLimitsHit[];
  readonly problems: readonly string[];
}

export interface PamFacts {
  /** the services (login paths and shared stacks) that exist under the root */
  readonly services: readonly PamServiceFact[];
  /** where pam_limits.so is; null = not found; 'unknown' = no library directory in the root */
  readonly module: string | null | 'unknown';
}

export interface SshdFacts {
  /** sshd_config exists */
  readonly present: boolean;
  /** the first UsePAM value (sshd: first value wins), with its location */
  readonly usePam: SettingFact | null;
  /** the value in force: the first one, or the compiled-in default "no" */
  readonly usePamEffective: boolean | null;
}

export interface SourceFacts {
  readonly root: string;
  readonly proc: string;
  readonly sys: string;
  /** reading the running system (not a snapshot) */
  readonly live: boolean;
}

/** The configuration a pam_limits line with conf= reads, resolved for the user. */
export interface ConfResolution {
  readonly conf: string;
  readonly services: readonly string[];
  readonly resolution: Resolution;
}

export interface DoctorFacts {
  readonly identity: Identity;
  /** pam_limits' view of the default files (limits.conf + limits.d); null when not evaluated */
  readonly resolution: Resolution | null;
  readonly confResolutions: readonly ConfResolution[];
  /** the user's processes (real uid) */
  readonly processes: readonly ProcessFact[];
  readonly census: CensusFacts;
  readonly kernel: KernelFacts;
  readonly memory: MemoryFacts;
  readonly cgroups: CgroupFacts;
  readonly systemd: SystemdFacts;
  readonly pam: PamFacts;
  readonly sshd: SshdFacts;
  readonly sources: SourceFacts;
  /** what could not be read (besides vanished processes) */
  readonly problems: readonly string[];
  /** `doctor --item ITEM`: the processes examined for one item and what configures them; absent otherwise */
  readonly item?: ItemFacts | null;
  /**
   * CAP_SYS_RESOURCE of PID 1 (/proc/1/status: core/caps.ts), standing for the session's process;
   * false in a container with Docker's default capabilities; null or absent when unknown
   */
  readonly capSysResource?: boolean | null;
  /** the hard limits a session starts from (the calling process's, else PID 1's), kernel units */
  readonly startHard?: Partial<Readonly<Record<RlimitItem, bigint>>>;
}
