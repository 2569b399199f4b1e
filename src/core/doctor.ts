/**
 * doctor: why does fork() fail for an account? Pure analysis — facts in, findings out.
 *
 * The io ring (src/io/live.ts) gathers the facts from /proc, /sys, systemd's and PAM's
 * configuration; src/core/doctor/ parses their text formats and turns the facts into findings,
 * each with the numbers behind it and a concrete fix. No file system, no process, no clock.
 * This module is the one the rest of the code imports; the layout is (docs/doctor.md,
 * "Adding a finding"):
 *
 * - doctor/facts.ts: the facts (types); doctor/parse.ts, pam.ts, commands.ts: the text parsers;
 * - doctor/analysis.ts: the analysis every finding shares, computed once (the context);
 * - doctor/findings/<id>.ts: one finding per file; doctor/registry.ts lists them in order;
 * - doctor/diagnose.ts: runs the registry and writes the report (doctor/report.ts: its types).
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
export type * from './doctor/facts.js';
export type * from './doctor/report.js';
export type { CommandTally, DoctorContext, FindingDefinition } from './doctor/types.js';
export { SEVERITIES } from './doctor/report.js';
export * from './doctor/parse.js';
export * from './doctor/pam.js';
export * from './doctor/commands.js';
export { caveatOf, describeConfigured, formatLimit, formatSource, leftOutCaveat, leftOutFiles } from './doctor/text.js';
export { resolveTasksMax, suggestNproc } from './doctor/analysis.js';
export { FINDINGS } from './doctor/registry.js';
export { diagnose } from './doctor/diagnose.js';
