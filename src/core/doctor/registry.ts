/**
 * The finding registry, in the order diagnose runs them (findings of the same severity and fill
 * keep this order in the report). Every id has a row in docs/doctor.md's "Finding ids" table and a
 * fixture tree under fixtures/doctor/ that expects it (test/doctor/registry.test.ts checks both).
 */
import { capSysResource } from './findings/cap-sys-resource.js';
import { cgroupPids } from './findings/cgroup-pids.js';
import { commitLimit } from './findings/commit-limit.js';
import { configNotApplied } from './findings/config-not-applied.js';
import { itemFromSystemd } from './findings/item-from-systemd.js';
import { itemOldSession } from './findings/item-old-session.js';
import { logindUserTasksMax } from './findings/logind-user-tasks-max.js';
import { lowMemory } from './findings/low-memory.js';
import { nofileUsage } from './findings/nofile-usage.js';
import { noProcesses } from './findings/no-processes.js';
import { nprocExhausted } from './findings/nproc-exhausted.js';
import { nprocLimitMismatch } from './findings/nproc-limit-mismatch.js';
import { nprocNearLimit } from './findings/nproc-near-limit.js';
import { nprocNewSessions } from './findings/nproc-new-sessions.js';
import { nprocRootExempt } from './findings/nproc-root-exempt.js';
import { pamIncludeMissing } from './findings/pam-include-missing.js';
import { pamLimitsConf } from './findings/pam-limits-conf.js';
import { pamLimitsFatal } from './findings/pam-limits-fatal.js';
import { pamLimitsMissing } from './findings/pam-limits-missing.js';
import { pamLimitsSkippable } from './findings/pam-limits-skippable.js';
import { pamModuleMissing } from './findings/pam-module-missing.js';
import { pidMax } from './findings/pid-max.js';
import { procUnreadable } from './findings/proc-unreadable.js';
import { sshMuxMasters } from './findings/ssh-mux-masters.js';
import { sshdUsepamOff } from './findings/sshd-usepam-off.js';
import { threadHeavyProcess } from './findings/thread-heavy-process.js';
import { threadsMax } from './findings/threads-max.js';
import { unitNotRunning } from './findings/unit-not-running.js';
import { zombies } from './findings/zombies.js';
import type { FindingId } from './report.js';
import type { FindingDefinition } from './types.js';

export const FINDINGS: readonly FindingDefinition[] = [
  // pam_limits' configuration for the user: sessions refused, or nothing applied
  pamLimitsFatal,
  configNotApplied,
  capSysResource,
  // --item ITEM: the processes' limit against what configures it
  nofileUsage,
  unitNotRunning,
  itemFromSystemd,
  itemOldSession,
  // nproc: the user's tasks against RLIMIT_NPROC
  nprocRootExempt,
  noProcesses,
  nprocExhausted,
  nprocNearLimit,
  nprocNewSessions,
  // who uses the tasks
  sshMuxMasters,
  threadHeavyProcess,
  zombies,
  // running limits that differ from the configuration
  nprocLimitMismatch,
  // the other reasons fork() fails
  pidMax,
  threadsMax,
  cgroupPids,
  commitLimit,
  lowMemory,
  // systemd, PAM, sshd
  logindUserTasksMax,
  pamLimitsMissing,
  pamLimitsSkippable,
  pamLimitsConf,
  pamIncludeMissing,
  pamModuleMissing,
  sshdUsepamOff,
  // doctor itself
  procUnreadable,
];

/**
 * With `--item ITEM` other than nproc, the findings that still run: the item's own, and those about
 * whether pam_limits applies at all (for --user). nproc's usage findings are about RLIMIT_NPROC only.
 */
export const ITEM_MODE_USER: ReadonlySet<FindingId> = new Set<FindingId>([
  'pam-limits-fatal', 'config-not-applied', 'cap-sys-resource', 'nofile-usage', 'unit-not-running', 'item-from-systemd', 'item-old-session',
  'pam-limits-missing', 'pam-limits-skippable', 'pam-limits-conf', 'pam-include-missing', 'pam-module-missing', 'sshd-usepam-off', 'proc-unreadable',
]);

/** With `--item ITEM --pid PID` or `--unit NAME`: the item's findings, and what doctor could not read. */
export const ITEM_MODE_PROCESS: ReadonlySet<FindingId> = new Set<FindingId>([
  'nofile-usage', 'unit-not-running', 'item-from-systemd', 'item-old-session', 'proc-unreadable',
]);
