import { type CliIO, fileArgInRoot, type GlobalArgs, makeContext } from '../context.js';
import { type EditArgs, runEdit } from '../editing.js';
import { type TargetArgs, targetOf } from './set.js';

export interface UnsetArgs extends GlobalArgs, EditArgs, TargetArgs {
  item?: string;
}

export async function run(args: UnsetArgs, io: CliIO): Promise<number> {
  if (typeof (args as { unit?: unknown }).unit === 'string') return (await import('../unit-edit.js')).runUnsetUnit(args as unknown as import('../unit-edit.js').UnitEditArgs, io);
  const ctx = makeContext(args, io);
  const file = fileArgInRoot(ctx, args.root, args.file);
  const { domain, type } = targetOf(args);
  return runEdit(ctx, [{ op: 'unset', domain, item: String(args.item ?? ''), type }], { ...args, file });
}
