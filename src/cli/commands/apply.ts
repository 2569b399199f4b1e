/**
 * apply POLICY.ini: sections per domain ([admin], [@developers], [*]) with `item = value`,
 * `item.soft = value`, `item.hard = value` (src/io/policy.ts). Planned together, one diff, one lock.
 */
export { parsePolicy, PolicyError, type Policy } from '../../io/policy.js';
import { resolveFrom } from '../../io/cwd.js';
import { parsePolicy } from '../../io/policy.js';
import { readFileCapped } from '../../io/read.js';
import { type CliIO, fileArgInRoot, type GlobalArgs, makeContext } from '../context.js';
import { type EditArgs, runEdit } from '../editing.js';
import { UsageError } from '../errors.js';

export interface ApplyArgs extends GlobalArgs, EditArgs {
  policy?: string;
  prune?: boolean;
}

export async function run(args: ApplyArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const target = fileArgInRoot(ctx, args.root, args.file);
  if (!args.policy) throw new UsageError('name a policy file: limitsctl apply POLICY.ini');
  const file = resolveFrom(io.cwd, args.policy);
  let text: string;
  // a FIFO or device is refused, never waited on; the size is capped (src/io/read.ts)
  const read = readFileCapped(file, { shown: args.policy });
  if (!read.ok) throw new UsageError(`cannot read policy: ${read.failure.message}`);
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    throw new UsageError(`policy ${args.policy} is not valid UTF-8; domains and values are written as UTF-8 bytes`);
  }
  // PolicyError (EPOLICY, input; its hint names docs/editing.md): main() reports it
  const policy = await parsePolicy(text, args.policy);
  return runEdit(ctx, policy.requests, { ...args, file: target }, args.prune ? { prune: policy.domains } : {});
}
