/**
 * Policies for `apply` (and the Ansible module): ini text with one section per domain
 * ([admin], [@developers], [*], [john.doe], [josé]) and `item = value`, `item.soft = value`,
 * `item.hard = value`. Domains and values are text; planEdits encodes them as UTF-8 bytes.
 * Read with `ini` through parseIniFile, which refuses what `ini` would silently change: a
 * `[__proto__]` section, a name cut at '#' or ';' (`[a#b]`), a section or key given twice
 * (`[*]` and `[ * ]` are the same section once trimmed); a leading UTF-8 BOM is skipped.
 */
import type { EditRequest, EditType } from '../core/edit.js';
import { LimitsError } from '../core/errors.js';
import { IniError, parseIniFile } from './ini.js';

/** A policy that cannot be read; the message names the file and the key. */
export class PolicyError extends LimitsError {
  constructor(message: string) {
    super(message, { code: 'EPOLICY', hint: 'The policy format is described in docs/editing.md.' });
    this.name = 'PolicyError';
  }
}

export interface Policy {
  readonly requests: EditRequest[];
  readonly domains: string[];
}

/** Parse a policy's text (ini) into set requests. Throws PolicyError naming the key on bad input. */
export async function parsePolicy(text: string, where: string): Promise<Policy> {
  let data: Record<string, unknown>;
  try {
    data = parseIniFile(text, where, { dottedSections: true });
  } catch (e) {
    if (e instanceof IniError) throw new PolicyError(e.message);
    throw e;
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

