import { RLIM_INFINITY } from '../../schema.js';
import { isPamService, NEAR, serviceDropIn } from '../analysis.js';
import type { DoctorFacts, SettingFact } from '../facts.js';
import type { Fix, UnitCount } from '../report.js';
import { caveatOf, describeConfigured, fmt, formatLimit } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Why processes in this kind of unit run with a limit other than the configured one. */
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

/** Running processes whose nproc differs from what pam_limits configures, by unit, with the likely reason. */
export const nprocLimitMismatch: FindingDefinition = {
  id: 'nproc-limit-mismatch',
  severities: ['warning', 'notice'],
  when: 'processes whose nproc differs from the configuration, by unit, with the likely reason',
  check(ctx) {
    const { configured, facts, binding } = ctx;
    if (ctx.isRoot || !configured || configured.soft === null) return [];
    const differing = ctx.limitGroups.filter((g) => g.matchesConfig === false);
    if (differing.length === 0) return [];
    // computed without the limits files this uid could not read: a difference may be theirs
    const caveat = caveatOf(facts.resolution?.warnings);
    const details: string[] = [`Configured: ${describeConfigured(configured)}${caveat ? `, ${caveat}` : ''}.`];
    const fixes: Fix[] = [];
    const sysNproc = facts.systemd.system.DefaultLimitNPROC;
    const userNproc = facts.systemd.user.DefaultLimitNPROC;
    for (const g of differing) {
      details.push(`${fmt(g.processes)} process${g.processes === 1 ? '' : 'es'} (${fmt(g.tasks)} tasks) run with ${formatLimit(g.limit!.soft)}:${formatLimit(g.limit!.hard)}:`);
      for (const u of g.units.slice(0, 6)) {
        const by = u.spawnedBy.length ? `, started by ${u.spawnedBy.join('/')}` : '';
        details.push(`  ${u.unit ?? u.kind} (${fmt(u.processes)} proc, ${fmt(u.tasks)} tasks${by}) — ${explainKind(u, facts, sysNproc, userNproc)}`);
        if (u.kind === 'service' && u.unit && !isPamService(u.unit) && fixes.length < 3) fixes.push(serviceDropIn(u.unit, configured.soft === RLIM_INFINITY ? ctx.newValue : Number(configured.soft)));
      }
      if (g.units.length > 6) details.push(`  … and ${g.units.length - 6} more`);
    }
    if (differing.some((g) => g.units.some((u) => u.kind === 'session' || u.kind === 'root' || u.kind === 'other' || u.kind === 'unknown'))) {
      fixes.push({ description: 'Sessions keep the limits they started with: log out and in again (or restart the long-running programs)' });
    }
    const worst = differing.some((g) => g === binding && (g.ratio ?? 0) >= NEAR);
    return [{
      id: 'nproc-limit-mismatch', severity: worst ? 'warning' : 'notice',
      title: `${fmt(differing.reduce((n, g) => n + g.processes, 0))} of ${facts.identity.name}'s processes run with an nproc limit other than the configured ${configured.hard === null ? `soft ${formatLimit(configured.soft)}` : `${formatLimit(configured.soft)}:${formatLimit(configured.hard)}`}`,
      details, usage: null, fixes,
    }];
  },
};
