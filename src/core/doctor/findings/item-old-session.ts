import { NEAR } from '../analysis.js';
import { groupItemProcesses, pairText, pamConfigured, pidsText, placeText } from '../item.js';
import type { Finding, Fix } from '../report.js';
import type { FindingDefinition } from '../types.js';

/**
 * `doctor --item ITEM`: login-session processes (pam_limits configures them) whose running limit
 * differs from what a new session of the account gets now. pam_limits sets the limits once, when
 * the session opens (pam_sm_open_session → setrlimit); a session opened before the configuration
 * changed keeps the old values, as do its children. For nproc with --user, nproc-limit-mismatch
 * reports this.
 */
export const itemOldSession: FindingDefinition = {
  id: 'item-old-session',
  severities: ['warning', 'notice'],
  when: '--item: login-session processes run with another value than a new session of their account gets (an old session, ulimit or prlimit)',
  check(ctx) {
    const it = ctx.facts.item;
    if (!it || (it.item === 'nproc' && it.target.kind === 'user')) return [];
    const item = it.item;
    const out: Finding[] = [];
    for (const g of groupItemProcesses(it.processes, ctx.facts.systemd.running)) {
      if (g.source !== 'pam' || !g.limit) continue;
      const res = it.resolutions.find((r) => r.uid === g.uid)?.resolution ?? null;
      const pam = pamConfigured(res, item);
      if (!pam || pam.soft === null) continue;
      const differs = g.limit.soft !== pam.soft || (pam.hard !== null && g.limit.hard !== pam.hard);
      if (!differs) continue;
      const who = g.user ?? `uid ${g.uid}`;
      const raise = pam.soft > g.limit.soft;
      const fixes: Fix[] = [];
      // prlimit the process that holds the most files (nofile), else the first
      const mine = it.processes.filter((p) => g.pids.includes(p.pid));
      const pid = mine.reduce((a, b) => ((b.fds ?? -1) > (a.fds ?? -1) ? b : a), mine[0]!).pid;
      if (raise) {
        fixes.push({ description: `The configuration already gives more: start a new session (log out and in again, restart the long-running programs)` });
        // soft only: the running hard limit is kept (raising a hard limit needs CAP_SYS_RESOURCE)
        if (pam.soft <= g.limit.hard) fixes.push({ description: `or raise the running process's soft limit (keeps its hard limit)`, command: `prlimit --pid ${pid} --${item}=${pam.soft}:` });
        else fixes.push({ description: `or, as root (raising the hard limit needs CAP_SYS_RESOURCE), the running process`, command: `sudo prlimit --pid ${pid} --${item}=${pam.soft}:${pam.hard ?? pam.soft}` });
      } else {
        fixes.push({ description: `The running value is at least the configured one: a path without pam_limits, ulimit or prlimit raised it; nothing to change unless it should follow the configuration` });
      }
      const tight = item === 'nofile' && it.processes.some((p) => g.pids.includes(p.pid) && p.fds !== null && p.limit && p.limit.soft > 0n && p.fds / Number(p.limit.soft) >= NEAR);
      out.push({
        id: 'item-old-session', severity: raise && tight ? 'warning' : 'notice',
        title: `${item} ${pairText(item, g.limit.soft, g.limit.hard)} for ${pidsText(g.pids)} (${placeText(g)}, ${who}): a new session gets ${pairText(item, pam.soft, pam.hard)} — ${raise ? 'start a new session or prlimit --pid' : 'not from the configuration'}`,
        details: [
          `pam_limits gives ${who}'s new sessions ${pairText(item, pam.soft, pam.hard)} (${pam.text}); it sets them once, when the session opens, so a session opened before the configuration changed keeps its values, and so do its children.`,
        ],
        usage: null, fixes,
      });
    }
    return out;
  },
};
