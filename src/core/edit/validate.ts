/**
 * Checking a request before anything is planned: a domain pam_limits reads as one token, an item
 * the profile knows, a value that means exactly what it says (in range, canonical spelling), and
 * no control character anywhere.
 *
 * Pure.
 */
import { describeControl, displayBytes, findControl, toBytes } from '../bytes.js';
import { parseDomain } from '../domain.js';
import { type Profile, type ItemInfo, itemForProfile, itemInfo, profileInfo, RLIM_INFINITY } from '../schema.js';
import { type ParsedValue, parseValue } from '../values.js';
import { type EditRequest, EditInputError } from './types.js';

/**
 * Check a domain (bytes, or ASCII text): one token pam_limits can read, nothing that could inject
 * a line. Refused: empty, whitespace (isspace: space, \t \n \v \f \r), '#', NUL and the other
 * C0 controls, DEL, an invalid uid/gid range, a %min:max range.
 */
export function validateDomain(domain: string): void {
  if (domain === '') throw new EditInputError('the domain is empty');
  // eslint-disable-next-line no-control-regex
  const bad = /[\s#\u0000-\u001f\u007f]/.exec(domain);
  if (bad) {
    const what = bad[0] === '#' ? "'#' (pam_limits reads the rest of the line as a comment)"
      : bad[0] === ' ' ? 'a space' : describeControl(bad[0]);
    throw new EditInputError(`the domain '${displayBytes(domain)}' contains ${what}; pam_limits would read it as a different line`,
      'A domain is one word: a user name, @group, *, %group, or a uid/gid range like 1000:1999.');
  }
  const spec = parseDomain(domain);
  if (spec.kind === 'invalid') throw new EditInputError(`the domain '${displayBytes(domain)}' is an invalid uid/gid range; pam_limits would skip the line`);
  if (spec.kind === 'percent-range') throw new EditInputError(`the domain '${displayBytes(domain)}' never matches: pam_limits does not support ranges with %`);
}

/** ASCII tolower (C locale), as pam_limits lower-cases: bytes >= 0x80 stay as they are. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

export function validateDomainText(text: string): void {
  const c = findControl(text);
  if (c) throw new EditInputError(`the domain '${displayBytes(toBytes(text))}' contains ${describeControl(c.char)}; limitsctl never writes control characters into a limits file`);
}

/**
 * A request from a library caller checked for shape: `op` set or unset, `domain` and `item`
 * strings, a string `value` for set, `type` soft, hard or both (`-`, the limits.conf spelling, is
 * read as both). Throws EditInputError naming the field.
 */
function requestShape(req: EditRequest): EditRequest {
  if (req === null || typeof req !== 'object') throw new EditInputError(`an edit request must be an object ({ op: 'set', domain, item, value } or { op: 'unset', domain, item }), got ${req === null ? 'null' : typeof req}`);
  const r = req as unknown as Record<string, unknown>;
  if (r.op !== 'set' && r.op !== 'unset') throw new EditInputError(`an edit request's op must be 'set' or 'unset', got ${JSON.stringify(r.op) ?? 'nothing'}`);
  for (const k of r.op === 'set' ? ['domain', 'item', 'value'] : ['domain', 'item']) {
    if (typeof r[k] !== 'string') throw new EditInputError(`an edit request's ${k} must be a string, got ${r[k] === null ? 'null' : typeof r[k]}`);
  }
  if (r.type === '-') return { ...req, type: 'both' };
  if (r.type !== undefined && r.type !== 'soft' && r.type !== 'hard' && r.type !== 'both') {
    throw new EditInputError(`an edit request's type must be soft, hard or both ('-' means both), got ${JSON.stringify(r.type)}`);
  }
  return req;
}

/**
 * A request's text as bytes (see bytes.ts), refusing control characters first: in a domain or a
 * value any C0 control, DEL or C1 control; in a comment the same except tab.
 */
export function requestBytes(input: EditRequest): EditRequest {
  const req = requestShape(input);
  const refuse = (what: 'domain' | 'value' | 'comment', text: string, allowTab: boolean): void => {
    const c = findControl(allowTab ? text.replace(/\t/g, ' ') : text);
    if (c) {
      throw new EditInputError(`the ${what} '${displayBytes(toBytes(text))}' contains ${describeControl(c.char)}; limitsctl never writes control characters into a limits file`,
        what === 'comment' ? 'A comment is one line of printable text.' : undefined);
    }
  };
  refuse('domain', req.domain, false);
  if (req.op === 'unset') return { ...req, domain: toBytes(req.domain) };
  refuse('value', req.value, false);
  if (req.comment !== undefined) refuse('comment', req.comment, true);
  return {
    ...req, domain: toBytes(req.domain), value: toBytes(req.value),
    ...(req.comment !== undefined ? { comment: toBytes(req.comment) } : {}),
  };
}

/** The item's table row for this profile, or an input error naming what is known. */
export function validateItem(item: string, profile: Profile): ItemInfo {
  const info = itemForProfile(item.toLowerCase(), profile);
  if (!info) {
    const known = itemInfo(item.toLowerCase());
    const p = profileInfo(profile);
    const why = !known ? '' : known.name === 'chroot' ? ' (chroot is a Debian/Ubuntu patch)' : known.name === 'nonewprivs' ? ' (nonewprivs arrived in Linux-PAM 1.5.0)' : known.name === 'rttime' ? ' (rttime arrived in Linux-PAM 1.7.1)' : '';
    throw new EditInputError(known
      ? `'${known.name}' is not an item ${p.title}'s pam_limits (${p.package}, profile ${p.name}) knows${why}: it would skip the line as an unknown limit item`
      : `'${displayBytes(toBytes(item))}' is not an item the ${profile} profile of pam_limits knows`);
  }
  return info;
}

/**
 * Validate and normalise a value (bytes, or ASCII text) for an item: it must mean exactly what it
 * says. `-` is accepted: like unlimited, infinity and -1 it means unlimited (pam_limits
 * process_limit, all versions; for maxlogins/maxsyslogins it means no limit).
 */
export function validateValue(info: ItemInfo, value: string): { text: string; parsed: ParsedValue } {
  const shown = displayBytes(value);
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\s#\u0000-\u001f\u007f]/.test(value)) {
    throw new EditInputError(`the value '${shown}' for ${info.name} is empty or contains whitespace, '#' or a control character`);
  }
  if (info.grammar === 'path') {
    if (value !== asciiLower(value)) throw new EditInputError(`Debian's pam_limits lower-cases chroot paths: '${shown}' would become '${displayBytes(asciiLower(value))}'`);
    if (!value.startsWith('/')) throw new EditInputError(`chroot needs an absolute path, got '${shown}'`);
    return { text: value, parsed: parseValue(info, value) };
  }
  const text = asciiLower(value);
  const parsed = parseValue(info, text);
  if (!parsed.ok) throw new EditInputError(`'${shown}' is not a valid ${info.name} value; pam_limits would skip the line`, hintFor(info));
  const inexact = parsed.notes.filter((n) => n !== 'leading-zeros' && n !== 'plus-sign');
  if (inexact.length > 0) {
    throw new EditInputError(`pam_limits would not read '${shown}' as written for ${info.name} (${inexact.join(', ')}${parsed.number !== null ? `: it reads ${parsed.number}` : ''})`, hintFor(info));
  }
  const range = info.range;
  if (range && parsed.number !== null && (parsed.number < range.min || parsed.number > range.max)) {
    throw new EditInputError(`${info.name} must be between ${range.min} and ${range.max}, got ${shown}`);
  }
  if (info.grammar === 'u64' && !parsed.keyword && parsed.number === RLIM_INFINITY) {
    return { text: 'unlimited', parsed };
  }
  // canonical spelling: no sign, no leading zeros; keywords as the user wrote them
  const canon = parsed.keyword ? text : parsed.number !== null ? parsed.number.toString() : text;
  return { text: canon, parsed: parseValue(info, canon) };
}

function hintFor(info: ItemInfo): string {
  switch (info.grammar) {
    case 'u64': return `${info.name} takes a decimal number${info.unit === 'KiB' ? ' in KiB' : info.unit === 'minutes' ? ' in minutes' : ''} or unlimited (also: infinity, -1).`;
    case 'int': return `${info.name} takes a decimal number${info.range ? ` from ${info.range.min} to ${info.range.max}` : ''}.`;
    case 'int-or-unlimited': return `${info.name} takes a decimal number or unlimited.`;
    case 'flag': return `${info.name} takes 0 or 1.`;
    case 'path': return `${info.name} takes an absolute path.`;
  }
}
