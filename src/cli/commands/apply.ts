/**
 * apply POLICY.ini: sections per domain ([admin], [@developers], [*]) with `item = value`,
 * `item.soft = value`, `item.hard = value`. Planned together, one diff, one lock.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type EditRequest, type EditType } from '../../core/edit.js';
import { type CliIO, type GlobalArgs, makeContext } from '../context.js';
import { type EditArgs, runEdit } from '../editing.js';
import { UsageError } from '../errors.js';

export interface ApplyArgs extends GlobalArgs, EditArgs {
  policy?: string;
  prune?: boolean;
}

export interface Policy {
  readonly requests: EditRequest[];
  readonly domains: string[];
}

/** Parse a policy's text (ini) into set requests. Throws UsageError naming the key on bad input. */
export async function parsePolicy(text: string, where: string): Promise<Policy> {
  const { parse } = await import('ini');
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${where}: not a valid ini file: ${(e as Error).message}`);
  }
  const requests: EditRequest[] = [];
  const domains: string[] = [];
  for (const [section, body] of Object.entries(data)) {
    if (typeof body !== 'object' || body === null) {
      throw new UsageError(`${where}: '${section} = ${String(body)}' is outside a section; put entries under a [domain] section such as [admin], [@developers] or [*]`);
    }
    domains.push(section);
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      if (typeof raw === 'object') throw new UsageError(`${where}: [${section}] ${key}: nested sections are not supported`);
      const m = /^([a-z]+)(?:\.(soft|hard|both))?$/i.exec(key);
      if (!m) throw new UsageError(`${where}: [${section}] '${key}' is not ITEM, ITEM.soft or ITEM.hard`);
      const value = raw === true ? '' : String(raw);
      requests.push({ op: 'set', domain: section, item: m[1]!.toLowerCase(), value, type: (m[2]?.toLowerCase() ?? 'both') as EditType });
    }
  }
  return { requests, domains };
}

export async function run(args: ApplyArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  if (!args.policy) throw new UsageError('name a policy file: limitsctl apply POLICY.ini');
  const file = path.resolve(io.cwd, args.policy);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read policy ${args.policy}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const policy = await parsePolicy(text, args.policy);
  return runEdit(ctx, policy.requests, args, args.prune ? { prune: policy.domains } : {});
}
