import type { FindingDefinition } from '../types.js';

/** logind.conf's UserTasksMax=, which systemd 240 and later ignore (the user slice's TasksMax= rules). */
export const logindUserTasksMax: FindingDefinition = {
  id: 'logind-user-tasks-max',
  severities: ['notice'],
  when: '`UserTasksMax=` in logind.conf, which systemd 240 and later ignore',
  check(ctx) {
    const sd = ctx.facts.systemd;
    const utm = sd.logind.UserTasksMax;
    if (!utm || utm.value === '') return [];
    return [{
      id: 'logind-user-tasks-max', severity: 'notice',
      title: `logind.conf sets UserTasksMax=${utm.value}, which systemd 240 and later ignore`,
      details: [`${utm.file}${utm.line ? `:${utm.line}` : ''}. The user slice's limit comes from TasksMax= in user-.slice.d drop-ins${sd.userSliceTasksMax ? ` (now ${sd.userSliceTasksMax.value}, ${sd.userSliceTasksMax.file})` : ''}.`],
      usage: null,
      fixes: [{ description: 'Move it to a drop-in', file: { path: '/etc/systemd/system/user-.slice.d/60-tasks-max.conf', content: `[Slice]\nTasksMax=${utm.value}\n` } }],
    }];
  },
};
