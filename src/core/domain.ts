/**
 * The domain column: parse_uid_range() and the kinds of domain pam_limits distinguishes.
 */
import { scanDecimal } from './values.js';

/** Result of parse_uid_range (pam_limits.c 1.5.2 and 1.7.2; docs/pam_limits-semantics.md, Domains and ranks): numbers are already truncated to 32 bits like uid_t. */
export type UidRange =
  | { readonly form: 'none' }
  | { readonly form: 'one'; readonly min: number }
  | { readonly form: 'min'; readonly min: number }
  | { readonly form: 'minmax'; readonly min: number; readonly max: number }
  | { readonly form: 'error'; readonly why: string };

const NONE: UidRange = { form: 'none' };

function strtoul32(s: string, from: number): { ok: boolean; value: number; end: number } {
  const r = scanDecimal(s, from);
  if (r.digits === 0) return { ok: false, value: 0, end: from };
  if (r.overflow) return { ok: false, value: 0, end: r.end }; // ERANGE
  const u64 = r.negative ? (r.value === 0n ? 0n : (1n << 64n) - r.value) : r.value;
  return { ok: true, value: Number(u64 & 0xffffffffn), end: r.end };
}

/** pam_limits' parse_uid_range(), exactly. */
export function parseUidRange(domain: string): UidRange {
  const colon = domain.indexOf(':');
  if (colon < 0) return NONE;
  const pmax = colon + 1;
  let i = 0;
  const c0 = domain.charCodeAt(0);
  if (c0 === 0x40 /* @ */ || c0 === 0x25 /* % */) i = 1;
  let one = false;
  let min = 0;
  if (domain.charCodeAt(i) === 0x3a) {
    one = true;
  } else {
    const r = strtoul32(domain, i);
    if (!r.ok || r.end === i || domain.charCodeAt(r.end) !== 0x3a) {
      return { form: 'error', why: `wrong min_uid/gid value in '${domain}'` };
    }
    min = r.value;
  }
  if (pmax >= domain.length) {
    if (one) return { form: 'error', why: `missing max_uid/gid value in '${domain}'` };
    return { form: 'min', min };
  }
  const r = strtoul32(domain, pmax);
  if (!r.ok || r.end === pmax || r.end !== domain.length) {
    return { form: 'error', why: `wrong max_uid/gid value in '${domain}'` };
  }
  if (one) return { form: 'one', min: r.value };
  return { form: 'minmax', min, max: r.value };
}

/** What a domain means, independent of any account. */
export type DomainKind =
  | 'user'            // a plain name (also a bare number: the user *named* "1000")
  | 'uid'             // :uid
  | 'uid-range'       // min:max or min:
  | 'group'           // @name
  | 'gid'             // @:gid
  | 'gid-range'       // @min:max or @min:  (primary gid only)
  | 'percent-group'   // %name  (maxlogins only)
  | 'percent-gid'     // %:gid  (maxlogins only)
  | 'percent-range'   // %min:max (never matches for 4-field lines)
  | 'percent-all'     // %      (maxlogins only)
  | 'wildcard'        // *
  | 'invalid';        // parse_uid_range error: the line is skipped

export interface DomainSpec {
  readonly text: string;
  readonly kind: DomainKind;
  readonly range: UidRange;
  /** group name for group / percent-group */
  readonly group?: string;
}

export function parseDomain(text: string): DomainSpec {
  const range = parseUidRange(text);
  if (range.form === 'error') return { text, kind: 'invalid', range };
  const c0 = text.charCodeAt(0);
  if (c0 === 0x40) {
    if (range.form === 'none') return { text, kind: 'group', range, group: text.slice(1) };
    return { text, kind: range.form === 'one' ? 'gid' : 'gid-range', range };
  }
  if (c0 === 0x25) {
    if (text === '%') return { text, kind: 'percent-all', range };
    if (range.form === 'none') return { text, kind: 'percent-group', range, group: text.slice(1) };
    return { text, kind: range.form === 'one' ? 'percent-gid' : 'percent-range', range };
  }
  if (range.form === 'none') return { text, kind: text === '*' ? 'wildcard' : 'user', range };
  return { text, kind: range.form === 'one' ? 'uid' : 'uid-range', range };
}

/** A short human description, e.g. "uids 1000-1999". */
export function describeDomain(d: DomainSpec): string {
  const r = d.range;
  const span = r.form === 'one' ? `${r.min}` : r.form === 'min' ? `${r.min} and above` : r.form === 'minmax' ? `${r.min}-${r.max}` : '';
  switch (d.kind) {
    case 'user': return `user ${d.text}`;
    case 'uid': return `uid ${span}`;
    case 'uid-range': return `uids ${span}`;
    case 'group': return `members of group ${d.group}`;
    case 'gid': return `members of gid ${span}`;
    case 'gid-range': return `primary gids ${span}`;
    case 'percent-group': return `logins of group ${d.group} (maxlogins)`;
    case 'percent-gid': return `logins of gid ${span} (maxlogins)`;
    case 'percent-range': return `%range ${span} (never matches)`;
    case 'percent-all': return 'all logins (maxlogins)';
    case 'wildcard': return 'everyone (*)';
    case 'invalid': return `invalid range ${d.text}`;
  }
}
