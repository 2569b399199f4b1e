import { fmt } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** Unreaped children still count against nproc until their parent wait()s for them. */
export const zombies: FindingDefinition = {
  id: 'zombies',
  severities: ['warning', 'notice'],
  when: '≥ 10 zombies that are ≥ 10 % of the user\'s tasks',
  check(ctx) {
    const procs = ctx.facts.processes;
    const zs = procs.filter((p) => p.state === 'Z');
    if (!(zs.length >= 10 && zs.length * 10 >= ctx.tasks)) return [];
    const parents = new Map<number, number>();
    for (const z of zs) parents.set(z.ppid, (parents.get(z.ppid) ?? 0) + 1);
    const [ppid, n] = [...parents.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const parent = procs.find((p) => p.pid === ppid);
    return [{
      id: 'zombies',
      severity: ctx.nprocTight ? 'warning' : 'notice',
      title: `${fmt(zs.length)} zombie processes of ${ctx.facts.identity.name} still count against nproc`,
      details: [`${fmt(n)} of them are children of PID ${ppid}${parent ? ` (${parent.comm})` : ''}, which does not reap them (wait()).`],
      usage: null,
      fixes: [{ description: 'Restart or fix the parent; its zombies go away with it', command: `ps -o pid,stat,cmd --ppid ${ppid}` }],
    }];
  },
};
