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

/** A section header as ini reads it (ini v5's decode()); any other line starting with '[' is not one. */
const SECTION_LINE = /^\[([^\]]*)\]\s*$/;

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
  // a line that looks like a section header but is not one (`[admin]]`, ` [admin]`) would be read
  // by ini as a key `[admin]] = true`; say what it is, with its line (counted as parseIniFile does)
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n|\r/);
  lines.forEach((line, i) => {
    if (/^\s*\[/.test(line) && !SECTION_LINE.test(line)) {
      throw new PolicyError(`${where}: line ${i + 1}: '${line.trim()}' is not a section header; write [domain] alone on its line, e.g. [admin]`);
    }
  });
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
    // the keys already seen for each item, with the halves they set
    const seen = new Map<string, Array<{ key: string; type: EditType }>>();
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      if (typeof raw === 'object') throw new PolicyError(`${where}: [${section}] ${key}: nested sections are not supported`);
      const m = /^([a-z]+)(?:\.(soft|hard|both))?$/i.exec(key);
      if (!m) throw new PolicyError(`${where}: [${section}] '${key}' is not ITEM, ITEM.soft or ITEM.hard`);
      const item = m[1]!.toLowerCase();
      const type = (m[2]?.toLowerCase() ?? 'both') as EditType;
      // ini reads a bare key (`nproc`) and `nproc = true` as the boolean true
      if (raw === true) throw new PolicyError(`${where}: [${section}] ${key} has no value; write ${key} = VALUE, e.g. ${key} = 4096`);
      // `nproc` with `NPROC`, or with `nproc.both` or `nproc.soft`: two values for one half
      const earlier = (seen.get(item) ?? []).find((k) => k.type === type || k.type === 'both' || type === 'both');
      if (earlier) throw new PolicyError(`${where}: ${item} is set twice in [${section}] (${earlier.key}, ${key}); give each of soft and hard once`);
      seen.set(item, [...(seen.get(item) ?? []), { key, type }]);
      requests.push({ op: 'set', domain: section, item, value: String(raw), type });
    }
  }
  return { requests, domains };
}

