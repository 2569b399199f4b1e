import { isThreadHeavy } from '../analysis.js';
import { fmt, pct } from '../text.js';
import type { Finding } from '../report.js';
import type { FindingDefinition } from '../types.js';

/** One process holding many threads: every thread is a task and counts against nproc. */
export const threadHeavyProcess: FindingDefinition = {
  id: 'thread-heavy-process',
  severities: ['warning', 'notice'],
  when: 'one process with ≥ 1000 threads, or ≥ 100 and half the user\'s tasks',
  check(ctx) {
    const out: Finding[] = [];
    const { tasks, nprocTight } = ctx;
    for (const c of ctx.commands) {
      const t = c.maxThreads.threads;
      if (!isThreadHeavy(t, tasks)) continue;
      const share = tasks > 0 ? t / tasks : 0;
      out.push({
        id: 'thread-heavy-process',
        severity: nprocTight && share >= 0.25 ? 'warning' : 'notice',
        title: `PID ${c.maxThreads.pid} (${c.command}) runs ${fmt(t)} threads — ${pct(share)} of ${ctx.facts.identity.name}'s tasks; a thread leak?`,
        details: [
          'Every thread is a task and counts against nproc, exactly like a process.',
          `${c.command}: ${fmt(c.processes)} process${c.processes === 1 ? '' : 'es'}, ${fmt(c.tasks)} tasks in all; e.g. ${c.example}`,
        ],
        usage: null,
        fixes: [
          { description: 'See what the threads do', command: `top -H -p ${c.maxThreads.pid}` },
          { description: 'Count them over time (a steady rise is a leak)', command: `grep Threads /proc/${c.maxThreads.pid}/status` },
        ],
      });
    }
    return out;
  },
};
