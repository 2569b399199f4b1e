import { normalizeUnitName } from '../../systemd/resolve.js';
import { pairText, unitSourceText } from '../item.js';
import type { FindingDefinition } from '../types.js';

/** `doctor --item ITEM --unit NAME` and no process of the unit runs: what it would start with. */
export const unitNotRunning: FindingDefinition = {
  id: 'unit-not-running',
  severities: ['notice'],
  when: '--unit: no process runs in the unit\'s cgroup; says what it would start with and from where',
  check(ctx) {
    const it = ctx.facts.item;
    if (!it || it.target.kind !== 'unit' || it.processes.length > 0) return [];
    const n = normalizeUnitName(it.target.unit);
    const unit = n.ok ? n.name : it.target.unit;
    const uc = it.units.find((u) => u.unit === unit);
    const details = uc?.ok
      ? [`When it starts, systemd gives it ${pairText(it.item, uc.limit.soft, uc.limit.hard)}: ${unitSourceText(uc.limit.from, true)}.`, `Processes are found by their cgroup (/proc/PID/cgroup ending in /${unit}).`]
      : [uc ? uc.message : `${unit} was not read`];
    return [{
      id: 'unit-not-running', severity: 'notice',
      title: `No process of ${unit} is running: nothing to compare${uc?.ok ? `; it would start with ${it.item} ${pairText(it.item, uc.limit.soft, uc.limit.hard)}` : ''}`,
      details, usage: null,
      fixes: uc?.ok ? [{ description: `Start it, then run doctor again`, command: `systemctl start ${unit}` }] : [],
    }];
  },
};
