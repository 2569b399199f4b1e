/**
 * The state one planEdits call threads through its requests, and the halves a type names.
 *
 * Pure.
 */
import type { Profile, ItemInfo } from '../schema.js';
import type { ChangeNote, EditType, PlanOptions } from './types.js';
import type { WorkTree } from './work-tree.js';

export interface Ctx {
  readonly work: WorkTree;
  readonly profile: Profile;
  readonly options: PlanOptions;
  readonly notes: ChangeNote[];
  readonly warnings: string[];
}

export function halvesOf(type: EditType | undefined, info: ItemInfo): Array<'soft' | 'hard'> {
  if (!info.typeChecked || info.name === 'priority' || info.name === 'chroot') return ['soft', 'hard'];
  const t = type ?? 'both';
  return t === 'both' ? ['soft', 'hard'] : [t];
}

export function typeWord(halves: Array<'soft' | 'hard'>): string {
  return halves.length === 2 ? '-' : halves[0]!;
}
