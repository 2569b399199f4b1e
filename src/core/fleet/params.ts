/**
 * The parameters of the Ansible action `limitsctl.pam.limits` (docs/ansible.md; the reference is
 * ansible/collections/ansible_collections/limitsctl/pam/plugins/modules/limits.py): checked
 * before the host is touched, turned into edit requests (core/edit/types.ts) or a query.
 * Names and refusals are those of the earlier host-side module, so playbooks keep working.
 *
 * Pure. An ini policy text is returned as text: its reader (src/io/policy.ts) is in the io ring.
 */
import type { EditRequest } from '../edit/types.js';

/** A problem with the task's input: the task fails with this message and the host is not touched. */
export class TaskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskInputError';
  }
}

type Kind = 'str' | 'bool' | 'raw' | 'list';
interface Spec { readonly type: Kind; readonly choices?: readonly string[]; readonly default?: unknown; readonly aliases?: readonly string[] }

/** The parameters, their types, choices, defaults and aliases (as plugins/modules/limits.py documents them). */
export const PARAMS: Readonly<Record<string, Spec>> = {
  domain: { type: 'str' },
  user: { type: 'str' },
  group: { type: 'str' },
  item: { type: 'str', aliases: ['limit_item'] },
  value: { type: 'raw' },
  type: { type: 'str', choices: ['soft', 'hard', 'both', '-'], default: 'both', aliases: ['limit_type'] },
  state: { type: 'str', choices: ['present', 'absent'], default: 'present' },
  policy: { type: 'raw' },
  prune: { type: 'bool', default: false },
  root: { type: 'str', default: '/' },
  file: { type: 'str' },
  backup: { type: 'bool', default: false },
  at_least: { type: 'bool', default: false, aliases: ['use_max'] },
  at_most: { type: 'bool', default: false, aliases: ['use_min'] },
  comment: { type: 'str' },
  profile: { type: 'str', default: 'auto' },
  force: { type: 'bool', default: false },
  query: { type: 'list' },
  limitsctl_path: { type: 'str' },
};

const TRUE = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE = new Set(['no', 'off', '0', 'false', 'n', 'f']);

function toBool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  throw new TaskInputError(`${name} must be a boolean (true/false, yes/no), got ${JSON.stringify(v)}`);
}

function toStr(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new TaskInputError(`${name} must be a string, got ${JSON.stringify(v)}`);
}

export interface TaskParams {
  readonly [name: string]: unknown;
  readonly type: string;
  readonly state: string;
  readonly prune: boolean;
  readonly root: string;
  readonly backup: boolean;
  readonly at_least: boolean;
  readonly at_most: boolean;
  readonly profile: string;
  readonly force: boolean;
}

/** Check raw task arguments against PARAMS: unknown names, aliases, types, choices, defaults. */
export function parseTaskParams(raw: Record<string, unknown>): { params: TaskParams; given: Set<string> } {
  const aliasOf: Record<string, string> = {};
  for (const [k, s] of Object.entries(PARAMS)) for (const a of s.aliases ?? []) aliasOf[a] = k;
  const got: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, v] of Object.entries(raw)) {
    const name = Object.hasOwn(PARAMS, key) ? key : aliasOf[key];
    if (!name) { unknown.push(key); continue; }
    if (v === null || v === undefined) continue;
    if (name in got) throw new TaskInputError(`${key} and ${name} are the same parameter; give it once`);
    got[name] = v;
  }
  if (unknown.length > 0) {
    throw new TaskInputError(`Unsupported parameters for (limitsctl.pam.limits) module: ${unknown.sort().join(', ')}. Supported parameters include: ${Object.keys(PARAMS).join(', ')}.`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(PARAMS)) {
    let v = got[name];
    if (v === undefined) { out[name] = s.default; continue; }
    if (s.type === 'bool') v = toBool(name, v);
    else if (s.type === 'str') v = toStr(name, v);
    else if (s.type === 'list') {
      if (typeof v === 'string') v = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new TaskInputError(`${name} must be a list of user names, got ${JSON.stringify(v)}`);
      v = (v as unknown[]).map(String);
    }
    if (s.choices) {
      const lv = (v as string).toLowerCase();
      if (!s.choices.includes(lv)) throw new TaskInputError(`value of ${name} must be one of: ${s.choices.join(', ')}, got: ${String(v)}`);
      v = lv;
    }
    out[name] = v;
  }
  return { params: out as TaskParams, given: new Set(Object.keys(got)) };
}

/** A limit value from YAML/JSON: a string or an integer; yes/no only for nonewprivs. */
function valueText(where: string, item: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TaskInputError(`${where}: ${v} is not an integer`);
    if (!Number.isSafeInteger(v)) throw new TaskInputError(`${where}: ${v} is too large to pass as a YAML number exactly; quote it`);
    return String(v);
  }
  if (typeof v === 'boolean' && item.toLowerCase() === 'nonewprivs') return v ? '1' : '0';
  throw new TaskInputError(`${where}: the value must be a number or a string, got ${JSON.stringify(v)}${typeof v === 'boolean' ? ' (YAML reads yes/no/on/off as booleans; quote the value)' : ''}`);
}

const KEY = /^([a-z]+)(?:\.(soft|hard|both|-))?$/i;

/**
 * {domain: {item[.soft|.hard]: value}} (or item: {soft: v, hard: v}) → requests. Refuses what the
 * ini form refuses (src/io/policy.ts, src/io/ini.ts): a `__proto__` domain, two domains that are
 * the same once trimmed, an item given twice for one half.
 */
export function policyFromDict(dict: Record<string, unknown>, state: string): { requests: EditRequest[]; domains: string[] } {
  const requests: EditRequest[] = [];
  const domains: string[] = [];
  const trimmed = new Map<string, string>();
  for (const [domain, body] of Object.entries(dict)) {
    if (domain === '__proto__') throw new TaskInputError("policy: '__proto__' cannot be a domain (an ini policy cannot name it either: the ini reader drops it)");
    const t = domain.trim();
    if (trimmed.has(t)) throw new TaskInputError(`policy: '${trimmed.get(t)}' and '${domain}' are the same domain once trimmed; give each domain once`);
    trimmed.set(t, domain);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TaskInputError(`policy: '${domain}' must map to {item: value} (for example {nproc: 4096, nofile.soft: 8192}), got ${JSON.stringify(body)}`);
    }
    domains.push(domain);
    const seen = new Map<string, Array<{ key: string; type: string }>>();
    const note = (item: string, key: string, type: string) => {
      const earlier = (seen.get(item) ?? []).find((k) => k.type === type || k.type === 'both' || type === 'both');
      if (earlier) throw new TaskInputError(`policy: ${item} is set twice in [${domain}] (${earlier.key}, ${key}); give each of soft and hard once`);
      seen.set(item, [...(seen.get(item) ?? []), { key, type }]);
    };
    for (const [key, v] of Object.entries(body as Record<string, unknown>)) {
      const m = KEY.exec(key);
      if (!m) throw new TaskInputError(`policy: [${domain}] '${key}' is not ITEM, ITEM.soft or ITEM.hard`);
      const item = m[1]!.toLowerCase();
      const halves: Array<[string, unknown]> = [];
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        if (m[2]) throw new TaskInputError(`policy: [${domain}] '${key}' takes a value, not a mapping`);
        const keys = Object.keys(v);
        if (keys.length === 0 || keys.some((h) => !['soft', 'hard', 'both'].includes(h))) {
          throw new TaskInputError(`policy: [${domain}] ${key}: a mapping here may only have the keys soft, hard and both`);
        }
        for (const h of keys) halves.push([h, (v as Record<string, unknown>)[h]]);
      } else {
        halves.push([m[2] ? (m[2] === '-' ? 'both' : m[2].toLowerCase()) : 'both', v]);
      }
      for (const [type] of halves) note(item, halves.length > 1 ? `${key}.${type}` : key, type);
      for (const [type, val] of halves) {
        const t2 = type as 'soft' | 'hard' | 'both';
        if (state === 'absent') requests.push({ op: 'unset', domain, item, type: t2 });
        else {
          if (val === null || val === undefined) throw new TaskInputError(`policy: [${domain}] ${key}: no value (state=present needs one; use state=absent to remove)`);
          requests.push({ op: 'set', domain, item, value: valueText(`policy: [${domain}] ${key}`, item, val), type: t2 });
        }
      }
    }
  }
  if (requests.length === 0) throw new TaskInputError('policy: names no limits');
  return { requests, domains };
}

function domainOf(p: TaskParams, given: Set<string>): string {
  const named = ['domain', 'user', 'group'].filter((k) => given.has(k));
  if (named.length !== 1) {
    throw new TaskInputError(named.length === 0
      ? 'name whose limit this is: one of domain, user or group (or give a whole policy, or a query)'
      : `domain, user and group exclude each other; got ${named.join(' and ')}`);
  }
  if (p.user !== undefined) {
    const u = p.user as string;
    if (/^[@%*]/.test(u) || u.includes(':')) throw new TaskInputError(`user takes a user name; for '${u}' use domain`);
    return u;
  }
  if (p.group !== undefined) {
    const g = (p.group as string).replace(/^@/, '');
    if (g === '' || g.includes(':')) throw new TaskInputError('group takes a group name; for gid forms such as @:100 use domain');
    return `@${g}`;
  }
  return p.domain as string;
}

/** What a task asks for, once its parameters are checked. */
export type TaskIntent =
  | {
    readonly kind: 'query';
    readonly users: readonly string[];
    readonly params: TaskParams;
    /** warnings for editing options a query ignores (backup/force/prune/at_least/at_most set true, e.g. by module_defaults) */
    readonly ignored: readonly string[];
  }
  | {
    readonly kind: 'edit';
    readonly params: TaskParams;
    /** the requests; null when `iniText` is to be parsed first (src/io/policy.ts) */
    readonly requests: readonly EditRequest[] | null;
    readonly iniText: string | null;
    readonly prune: readonly string[] | null;
  };

/**
 * Check a task's arguments and say what it asks for. Every check that needs no host runs here,
 * so bad input fails before the host is touched.
 * @throws TaskInputError with a sentence that says what to change
 */
export function taskIntent(raw: Record<string, unknown>): TaskIntent {
  const { params: p, given } = parseTaskParams(raw);
  if (typeof p.root !== 'string' || p.root.trim() === '') {
    throw new TaskInputError('root must not be empty: give the directory that holds etc/security (default /), e.g. root: /srv/image');
  }
  if (!p.root.startsWith('/')) throw new TaskInputError(`root must be an absolute path on the host, got '${p.root}'`);
  if (/[\n\0]/.test(p.root)) throw new TaskInputError('root must not contain a newline or NUL');
  const single = ['domain', 'user', 'group', 'item', 'value'].filter((k) => given.has(k));
  if (given.has('query')) {
    // the switches of an edit (at their default, or true from a play's module_defaults) are
    // ignored by a query — true ones with a warning; what names a change is refused
    const switches = ['prune', 'backup', 'at_least', 'at_most', 'force'];
    const rec = p as unknown as Record<string, unknown>;
    const atDefault = (k: string) => rec[k] === (PARAMS[k] as { default?: unknown }).default;
    const others = [...single, ...['policy', 'type', 'state', 'file', 'comment'].filter((k) => given.has(k) && !((k === 'type' || k === 'state') && atDefault(k)))];
    if (others.length > 0) throw new TaskInputError(`query only reads; leave out ${others.join(', ')}`);
    const ignored = switches.filter((k) => given.has(k) && rec[k] === true).map((k) => `query only reads: ${k}: true is ignored (from module_defaults?)`);
    const users = p.query as string[];
    if (users.length === 0) throw new TaskInputError('query: name at least one user');
    for (const u of users) {
      // eslint-disable-next-line no-control-regex
      if (typeof u !== 'string' || u === '' || /[\x00-\x1f\x7f]/.test(u)) {
        throw new TaskInputError(`query: ${JSON.stringify(u)} is not a user name (empty, or a control character in it)`);
      }
    }
    return { kind: 'query', users, params: p, ignored };
  }
  if (p.file !== undefined && (p.file as string).trim() === '') {
    throw new TaskInputError('file must not be empty: name the file new lines go to (e.g. file: /etc/security/limits.d/80-app.conf), or leave file out for /etc/security/limits.conf');
  }
  if (p.at_least && p.at_most) throw new TaskInputError('at_least and at_most exclude each other');
  if (p.state === 'absent' && (p.at_least || p.at_most || given.has('comment'))) throw new TaskInputError('at_least, at_most and comment apply to state=present only');
  if (p.prune && (p.policy === undefined || p.state !== 'present')) throw new TaskInputError('prune applies to a policy with state=present only');
  const mode = p.at_least ? 'at-least' as const : p.at_most ? 'at-most' as const : 'exact' as const;
  const withMode = (rs: EditRequest[]): EditRequest[] => rs.map((r) => (r.op === 'set' ? { ...r, mode, ...(p.comment !== undefined ? { comment: p.comment as string } : {}) } : r));
  if (p.policy !== undefined) {
    if (single.length > 0 || given.has('type')) {
      throw new TaskInputError(`policy names its own domains, items and values; leave out ${[...single, ...(given.has('type') ? ['type'] : [])].join(', ')}`);
    }
    let dict: Record<string, unknown> | null = null;
    const pol = p.policy;
    if (typeof pol === 'object' && pol !== null && !Array.isArray(pol)) dict = pol as Record<string, unknown>;
    else if (typeof pol === 'string' && pol.trim().startsWith('{')) {
      let parsed: unknown;
      try { parsed = JSON.parse(pol); } catch (e) { throw new TaskInputError(`policy: looks like JSON but is not: ${(e as Error).message}`); }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TaskInputError('policy: the JSON must be an object {domain: {item: value}}');
      dict = parsed as Record<string, unknown>;
    } else if (typeof pol !== 'string') {
      throw new TaskInputError(`policy must be a mapping {domain: {item: value}} or the text of an ini policy, got ${JSON.stringify(pol)}`);
    }
    if (dict) {
      const { requests, domains } = policyFromDict(dict, p.state);
      return { kind: 'edit', params: p, requests: withMode(requests), iniText: null, prune: domains };
    }
    const text = pol as string;
    if (/^[^\n[=]*$/.test(text.trim()) && /[/.]/.test(text)) {
      throw new TaskInputError(`policy takes the policy itself (a mapping, or the text of an ini policy), not a file name such as '${text.trim()}'; `
        + `to use a file of the controller: policy: "{{ lookup('file', '${text.trim()}') }}"`);
    }
    return { kind: 'edit', params: p, requests: null, iniText: text, prune: null };
  }
  if (!given.has('item')) throw new TaskInputError('item is required (nproc, nofile, core…), or give a whole policy, or a query');
  const domain = domainOf(p, given);
  const item = p.item as string;
  const type = p.type === '-' ? 'both' : p.type as 'soft' | 'hard' | 'both';
  if (p.state === 'present') {
    if (!given.has('value')) throw new TaskInputError('value is required with state=present');
    return { kind: 'edit', params: p, requests: withMode([{ op: 'set', domain, item, value: valueText('value', item, p.value), type }]), iniText: null, prune: null };
  }
  if (given.has('value')) {
    throw new TaskInputError(`value is not used with state=absent: it removes every ${domain} ${type === 'both' ? '' : `${type} `}${item} line whatever its value; leave value out`);
  }
  return { kind: 'edit', params: p, requests: [{ op: 'unset', domain, item, type }], iniText: null, prune: null };
}

/** The policy requests for an ini text already parsed (state absent turns sets into unsets). */
export function iniRequests(intent: Extract<TaskIntent, { kind: 'edit' }>, parsed: { requests: readonly EditRequest[]; domains: readonly string[] }): EditRequest[] {
  const p = intent.params;
  const mode = p.at_least ? 'at-least' as const : p.at_most ? 'at-most' as const : 'exact' as const;
  const rs = p.state === 'absent'
    ? parsed.requests.map((r) => ({ op: 'unset' as const, domain: r.domain, item: r.item, ...(r.type !== undefined ? { type: r.type } : {}) }))
    : parsed.requests.map((r) => (r.op === 'set' ? { ...r, mode, ...(p.comment !== undefined ? { comment: p.comment as string } : {}) } : r));
  if (rs.length === 0) throw new TaskInputError('policy: names no limits');
  return rs;
}

/** Say the library's reasons (type 'both', a line for the user root, --file, --force) in task terms. */
export function taskWords(s: string): string {
  return String(s)
    .replace(/\btype '(soft|hard|both)'/g, 'type: $1')
    .replace(/\ba line for the user (\S+)/g, 'a task with user: $1')
    .replace(/--user (\S+)/g, 'user: $1')
    .replace(/--type (soft|hard|both)/g, 'type: $1')
    .replace(/--file\b/g, 'file:')
    .replace(/--force\b/g, 'force: true')
    .replace(/--root\b/g, 'root')
    .replace(/\(hardLinks 'split'\)/g, '(force: true)');
}
