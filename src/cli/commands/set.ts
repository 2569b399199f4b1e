import { domainFor, type EditType } from '../../core/edit.js';
import { type CliIO, fileArgInRoot, type GlobalArgs, makeContext } from '../context.js';
import { type EditArgs, runEdit } from '../editing.js';
import { UsageError } from '../errors.js';

export interface TargetArgs {
  user?: string;
  group?: string;
  all?: boolean;
  domain?: string;
  type?: string;
}

export interface SetArgs extends GlobalArgs, EditArgs, TargetArgs {
  item?: string;
  value?: string | number;
  comment?: string;
  atLeast?: boolean;
  atMost?: boolean;
}

export function targetOf(args: TargetArgs): { domain: string; type: EditType } {
  // EditInputError ETARGET when the target is not named once; main() adds the flags to the hint
  const domain = domainFor(args);
  const t = (args.type ?? 'both').toLowerCase();
  const type: EditType | null = t === 'both' || t === '-' ? 'both' : t === 'soft' || t === 'hard' ? t : null;
  if (!type) throw new UsageError(`--type must be soft, hard or both, got '${args.type}'`);
  return { domain, type };
}

export async function run(args: SetArgs, io: CliIO): Promise<number> {
  if (typeof (args as { unit?: unknown }).unit === 'string') return (await import('../unit-edit.js')).runSetUnit(args as unknown as import('../unit-edit.js').UnitEditArgs, io);
  const ctx = makeContext(args, io);
  const file = fileArgInRoot(ctx, args.root, args.file);
  if (args.atLeast && args.atMost) throw new UsageError('--at-least and --at-most exclude each other');
  const { domain, type } = targetOf(args);
  return runEdit(ctx, [{
    op: 'set', domain, item: String(args.item ?? ''), value: String(args.value ?? ''), type,
    mode: args.atLeast ? 'at-least' : args.atMost ? 'at-most' : 'exact',
    ...(args.comment !== undefined ? { comment: args.comment } : {}),
  }], { ...args, file });
}
