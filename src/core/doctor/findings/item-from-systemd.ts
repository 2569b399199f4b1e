import { RLIM_INFINITY } from '../../schema.js';
import { groupItemProcesses, itemValue, pairText, pamConfigured, pidsText, unitSourceText } from '../item.js';
import type { Finding, Fix } from '../report.js';
import type { FindingDefinition } from '../types.js';
import { unitSetFix } from './nofile-usage.js';

/**
 * `doctor --item ITEM`: processes of a systemd service, with the source systemd took their limit
 * from (the unit's Limit*=, system.conf's DefaultLimit*=, or systemd's built-in default:
 * core/systemd/resolve.ts). Services never read limits.conf: a line there for the service's
 * account is said to have no effect, with the `set --unit` that does.
 */
export const itemFromSystemd: FindingDefinition = {
  id: 'item-from-systemd',
  severities: ['notice', 'info'],
  when: '--item: processes of a systemd service; names the systemd setting that gives their limit, and says when limits.conf configures another value or the running value is not the unit\'s',
  check(ctx) {
    const it = ctx.facts.item;
    if (!it) return [];
    const item = it.item;
    const out: Finding[] = [];
    for (const g of groupItemProcesses(it.processes, ctx.facts.systemd.running)) {
      if (g.source !== 'systemd' || !g.unit) continue;
      const uc = it.units.find((u) => u.unit === g.unit);
      const running = g.limit ? pairText(item, g.limit.soft, g.limit.hard) : 'unknown (limits unreadable)';
      const who = `${pidsText(g.pids)} (${g.unit}${g.user ? `, user ${g.user}` : ''})`;
      const res = it.resolutions.find((r) => r.uid === g.uid)?.resolution ?? null;
      const pam = pamConfigured(res, item);
      const details: string[] = [];
      const fixes: Fix[] = [];
      let notice = false;
      if (!uc || !uc.ok) {
        details.push(`What systemd configures for ${g.unit} is unknown: ${uc && !uc.ok ? uc.message : 'not read'}.`);
        out.push({ id: 'item-from-systemd', severity: 'info', title: `${item} ${running} for ${who}: set by systemd (its unit file was not found under the root)`, details, usage: null, fixes });
        continue;
      }
      const l = uc.limit;
      const from = unitSourceText(l.from);
      details.push(`systemd gives ${g.unit} ${pairText(item, l.soft, l.hard)}: ${unitSourceText(l.from, true)}.`);
      for (const o of l.overrides) details.push(`  beaten: ${unitSourceText(o, true)}`);
      const differsFromUnit = g.limit && l.soft !== null && l.hard !== null && (g.limit.soft !== l.soft || g.limit.hard !== l.hard);
      if (differsFromUnit) {
        notice = true;
        details.push(`The processes run with ${running}, not the unit's ${pairText(item, l.soft, l.hard)}: the service started before the configuration changed (systemctl daemon-reload && systemctl restart ${g.unit}), or the program set its own limit (many raise the soft limit up to the hard one), or prlimit changed it.`);
      }
      const pamDiffers = pam !== null && pam.fromLine && g.limit !== null && (pam.soft !== null && pam.soft !== g.limit.soft || pam.hard !== null && pam.hard !== g.limit.hard);
      let title = `${item} ${running} for ${who}: from ${from}`;
      if (pamDiffers) {
        notice = true;
        title += `, not limits.conf — services never read limits.conf`;
        details.push(`limits.conf gives ${g.user ?? `uid ${g.uid}`}'s login sessions ${pairText(item, pam!.soft, pam!.hard)} (${pam!.text}); pam_limits runs only for PAM sessions (login, ssh, su, sudo, cron jobs), never for a service systemd starts.`);
        const want = pam!.soft;
        if (want !== null && (l.soft === null || want > l.soft || want === RLIM_INFINITY && l.soft !== RLIM_INFINITY)) {
          fixes.push(...unitSetFix(item, g.unit, want, l.hard, ctx.lc));
        }
      } else if (pam && pam.fromLine && res) {
        details.push(`limits.conf gives ${g.user ?? `uid ${g.uid}`}'s login sessions the same ${pairText(item, pam.soft, pam.hard)}, but does not apply to the service.`);
      }
      if (!notice) title += ` (${itemValue(item, g.limit?.soft ?? null)} soft, as configured)`;
      out.push({ id: 'item-from-systemd', severity: notice ? 'notice' : 'info', title, details, usage: null, fixes });
    }
    return out;
  },
};
