/**
 * The user's tasks against the lowest soft nproc among its processes — the limit that fails
 * first. Shared by findings/nproc-exhausted.ts (≥ 100 %) and findings/nproc-near-limit.ts
 * (≥ 90 %): the two are one measurement at two levels, never both.
 */
import { RLIM_INFINITY } from '../schema.js';
import { isPamService, NEAR, serviceDropIn, suggestNproc } from './analysis.js';
import type { Finding, Fix } from './report.js';
import { describeConfigured, fmt, formatLimit, formatSource, pct } from './text.js';
import type { DoctorContext } from './types.js';

/** The usage hints whose first fix the nproc finding repeats, in this order. */
const HINTS = ['ssh-mux-masters', 'thread-heavy-process', 'zombies'] as const;

/** The nproc finding when the binding limit is at ≥ 90 % (`exhausted`: ≥ 100 %), else []. */
export function nprocUsage(ctx: DoctorContext, exhausted: boolean): Finding[] {
  const { binding, nprocRatio, bindingSoft, configured, tasks, processes, limitGroups } = ctx;
  if (ctx.isRoot || processes === 0 || !binding || nprocRatio === null || nprocRatio < NEAR || (nprocRatio >= 1) !== exhausted) return [];
  const id = ctx.facts.identity;
  const affected = limitGroups.filter((g) => g.limit && g.limit.soft !== RLIM_INFINITY && tasks >= Number(g.limit.soft) * (exhausted ? 1 : NEAR));
  const affectedProcs = affected.reduce((n, g) => n + g.processes, 0);
  const details: string[] = [
    `${id.name} (uid ${id.uid}) runs ${fmt(tasks)} tasks in ${fmt(processes)} processes (the kernel counts threads, by real uid).`,
    `${fmt(affectedProcs)} of them run with soft nproc ${fmt(bindingSoft!)} or less${exhausted ? ': their next fork() or pthread_create() fails with EAGAIN ("Resource temporarily unavailable")' : ''}.`,
  ];
  if (configured) details.push(`Configured for new sessions: ${describeConfigured(configured)}.`);
  const top1 = ctx.top[0];
  if (top1) details.push(`Most tasks: ${fmt(top1.tasks)} × ${top1.command}.`);
  const fixes: Fix[] = [];
  for (const hint of HINTS) {
    for (const h of ctx.findingsOf(hint)) if (h.fixes[0]) fixes.push({ ...h.fixes[0], description: `${h.fixes[0].description} (see ${h.id})` });
  }
  const bindingIsConfig = configured?.soft !== null && configured?.soft !== undefined && binding.limit!.soft === configured.soft;
  const serviceUnits = binding.units.filter((u) => u.kind === 'service' && !isPamService(u.unit));
  // the configuration already gives new sessions more than the user runs (`unlimited` included):
  // raising it again would be no fix, and `set nproc N` would lower an unlimited one
  const confLimit = configured?.soft ?? null;
  const allowsMore = confLimit !== null && (confLimit === RLIM_INFINITY || tasks < Number(confLimit)) && !bindingIsConfig;
  if (serviceUnits.length > 0 && serviceUnits.length === binding.units.length) {
    for (const u of serviceUnits.slice(0, 3)) fixes.push(serviceDropIn(u.unit!, suggestNproc(tasks, bindingSoft)));
  } else if (allowsMore) {
    const allowed = confLimit === RLIM_INFINITY ? 'unlimited' : fmt(confLimit!);
    fixes.push({ description: `The configuration already allows more (soft nproc ${allowed}${configured!.softFrom ? `, ${formatSource(configured!.softFrom)}` : ''}): start a new session (log out and in) or restart the services that run with ${fmt(bindingSoft!)}` });
    // prlimit: "soft:" leaves the hard limit as it is when the configured one is not known
    const hard = configured!.hard === null ? '' : formatLimit(configured!.hard);
    fixes.push({ description: 'or raise the running processes\' limit in place with prlimit --pid (one process each; raising the hard limit needs CAP_SYS_RESOURCE)', command: `prlimit --pid ${binding.samplePids[0] ?? 'PID'} --nproc=${formatLimit(confLimit)}:${hard}` });
  } else {
    fixes.push(ctx.setFix);
  }
  return [{
    id: exhausted ? 'nproc-exhausted' : 'nproc-near-limit',
    severity: exhausted ? 'critical' : 'warning',
    title: exhausted
      ? `nproc exhausted: ${id.name} runs ${fmt(tasks)} tasks and the limit is ${fmt(bindingSoft!)} — fork() fails with EAGAIN`
      : `nproc nearly exhausted: ${id.name} runs ${fmt(tasks)} of ${fmt(bindingSoft!)} tasks (${pct(nprocRatio)})`,
    details,
    usage: { what: `nproc of ${id.name}`, used: tasks, limit: bindingSoft!, ratio: nprocRatio, unit: 'tasks' },
    fixes,
  }];
}
