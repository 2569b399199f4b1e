/**
 * Policies for `apply` (and the Ansible module): ini text with one section per domain
 * ([admin], [@developers], [*]) and `item = value`, `item.soft = value`, `item.hard = value`.
 */
import type { EditRequest, EditType } from '../core/edit.js';

/** A policy that cannot be read; the message names the file and the key. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export interface Policy {
  readonly requests: EditRequest[];
  readonly domains: string[];
}

/** Parse a policy's text (ini) into set requests. Throws PolicyError naming the key on bad input. */
export async function parsePolicy(text: string, where: string): Promise<Policy> {
  const { parse } = await import('ini');
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new PolicyError(`${where}: not a valid ini file: ${(e as Error).message}`);
  }
  const requests: EditRequest[] = [];
  const domains: string[] = [];
  for (const [section, body] of Object.entries(data)) {
    if (typeof body !== 'object' || body === null) {
      throw new PolicyError(`${where}: '${section} = ${String(body)}' is outside a section; put entries under a [domain] section such as [admin], [@developers] or [*]`);
    }
    domains.push(section);
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      if (typeof raw === 'object') throw new PolicyError(`${where}: [${section}] ${key}: nested sections are not supported`);
      const m = /^([a-z]+)(?:\.(soft|hard|both))?$/i.exec(key);
      if (!m) throw new PolicyError(`${where}: [${section}] '${key}' is not ITEM, ITEM.soft or ITEM.hard`);
      const value = raw === true ? '' : String(raw);
      requests.push({ op: 'set', domain: section, item: m[1]!.toLowerCase(), value, type: (m[2]?.toLowerCase() ?? 'both') as EditType });
    }
  }
  return { requests, domains };
}

