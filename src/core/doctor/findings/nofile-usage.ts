import type { RlimitItem } from '../../schema.js';
import { RLIM_INFINITY } from '../../schema.js';
import { NEAR } from '../analysis.js';
import { groupItemProcesses, itemValue, pamConfigured, unitArg } from '../item.js';
import type { Finding, Fix } from '../report.js';
import { fmt, pct } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** A round new nofile soft limit: at least 65536, at least twice the use, above the current soft. */
export function suggestNofile(used: number, current: bigint | null): bigint {
  let v = 65536n;
  while (v < BigInt(used) * 2n || (current !== null && current !== RLIM_INFINITY && v <= current)) v *= 2n;
  return v;
}

/**
 * The fixes that give a systemd unit `value` (kernel units) for its soft limit and never lower its
 * hard one: `limitsctl set ITEM V --unit NAME` (`--type soft` when the unit's hard is already
 * higher), and the drop-in it writes; then daemon-reload and a restart.
 */
export function unitSetFix(item: RlimitItem, unit: string, value: bigint, unitHard: bigint | null, lc: string): Fix[] {
  const softOnly = unitHard !== null && value !== RLIM_INFINITY && unitHard >= value;
  const shown = itemValue(item, value).replace(/ .*/, '');
  const sd = value === RLIM_INFINITY ? 'infinity' : String(value);
  const setting = `Limit${item.toUpperCase()}`;
  return [{
    description: `Give ${unit} ${item} ${itemValue(item, value)} with systemd (preview first; then systemctl daemon-reload && systemctl restart ${unit})`,
    command: `limitsctl set ${item} ${shown} --unit ${unitArg(unit)}${softOnly ? ' --type soft' : ''}${lc} --dry-run`,
  }, {
    description: `or write the drop-in yourself (then systemctl daemon-reload && systemctl restart ${unit})`,
    file: { path: `/etc/systemd/system/${unit}.d/60-${item}.conf`, content: `[Service]\n${setting}=${softOnly ? `${sd}:${unitHard === RLIM_INFINITY ? 'infinity' : String(unitHard)}` : sd}\n` },
  }];
}

/**
 * `doctor --item nofile`: a process's open files (/proc/PID/fd entries) against its soft nofile
 * limit. open() fails with EMFILE ("Too many open files") at the soft limit (open(2)).
 */
export const nofileUsage: FindingDefinition = {
  id: 'nofile-usage',
  severities: ['critical', 'warning'],
  when: '--item nofile: a process has 90 % or more of its soft nofile limit open (/proc/PID/fd)',
  check(ctx) {
    const it = ctx.facts.item;
    if (!it || it.item !== 'nofile') return [];
    const out: Finding[] = [];
    const groups = groupItemProcesses(it.processes, ctx.facts.systemd.running);
    const tight = it.processes
      .filter((p) => p.fds !== null && p.limit && p.limit.soft !== RLIM_INFINITY && p.limit.soft > 0n && p.fds / Number(p.limit.soft) >= NEAR)
      .sort((a, b) => b.fds! / Number(b.limit!.soft) - a.fds! / Number(a.limit!.soft));
    for (const p of tight.slice(0, 5)) {
      const soft = Number(p.limit!.soft);
      const ratio = p.fds! / soft;
      const g = groups.find((x) => x.pids.includes(p.pid))!;
      const fixes: Fix[] = [];
      const value = suggestNofile(p.fds!, p.limit!.soft);
      if (g.source === 'systemd' && p.unit) {
        const uc = it.units.find((u) => u.unit === p.unit);
        const unitSoft = uc?.ok ? uc.limit.soft : null;
        fixes.push(...unitSetFix('nofile', p.unit, unitSoft !== null && unitSoft > value ? unitSoft : value, uc?.ok ? uc.limit.hard : p.limit!.hard, ctx.lc));
      } else if (g.source === 'pam' && p.user) {
        const pam = pamConfigured(it.resolutions.find((r) => r.uid === p.uid)?.resolution ?? null, 'nofile');
        if (pam && pam.soft !== null && pam.soft > p.limit!.soft) {
          fixes.push({ description: `The configuration already allows more (soft ${itemValue('nofile', pam.soft)}: ${pam.text}): start a new session, or raise this process's soft limit` });
        } else {
          const softOnly = pam?.hard != null && pam.hard >= value;
          fixes.push({
            description: `Raise ${p.user}'s nofile in limits.conf (preview first; new sessions get it)`,
            command: `limitsctl set nofile ${value} --user ${p.user}${softOnly ? ' --type soft' : ''} --at-least${ctx.lc} --dry-run`,
          });
        }
      }
      const target = pamConfigured(it.resolutions.find((r) => r.uid === p.uid)?.resolution ?? null, 'nofile')?.soft;
      const now = target != null && target > p.limit!.soft ? target : value;
      if (now <= p.limit!.hard) fixes.push({ description: `For the running process (keeps its hard limit ${itemValue('nofile', p.limit!.hard)})`, command: `prlimit --pid ${p.pid} --nofile=${now}:` });
      fixes.push({ description: `See what it holds open (a leak keeps growing): ls -l /proc/${p.pid}/fd | awk '{print $NF}' | sort | uniq -c | sort -rn | head` });
      out.push({
        id: 'nofile-usage', severity: ratio >= 1 ? 'critical' : 'warning',
        title: `pid ${p.pid} (${p.comm}${p.unit ? `, ${p.unit}` : ''}) has ${fmt(p.fds!)} files open of its soft nofile ${fmt(soft)} (${pct(ratio)})${ratio >= 1 ? ': open() fails with EMFILE' : ''}`,
        details: [`/proc/${p.pid}/fd has ${fmt(p.fds!)} entries; its limits: soft ${itemValue('nofile', p.limit!.soft)}, hard ${itemValue('nofile', p.limit!.hard)}.`],
        usage: { what: `open files of pid ${p.pid}`, used: p.fds!, limit: soft, ratio, unit: 'files' },
        fixes,
      });
    }
    return out;
  },
};
