import { fmt } from '../text.js';
import type { FindingDefinition } from '../types.js';

/** uid 0 is exempt from RLIMIT_NPROC (copy_process, kernel/fork.c). */
export const nprocRootExempt: FindingDefinition = {
  id: 'nproc-root-exempt',
  severities: ['info'],
  when: 'uid 0: nproc is never enforced',
  check(ctx) {
    if (!ctx.isRoot) return [];
    return [{
      id: 'nproc-root-exempt', severity: 'info', title: 'uid 0 is exempt from nproc: the kernel never refuses root a fork because of RLIMIT_NPROC',
      details: [`root runs ${fmt(ctx.tasks)} tasks. If root's forks fail, look at pid_max, threads-max, cgroup pids limits and memory below.`],
      usage: null, fixes: [],
    }];
  },
};
