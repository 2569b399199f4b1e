/**
 * Policy checks configured in the settings file: minimum and maximum effective values per item
 * and domain, and entries that must exist. Each entry is written like a limits.conf line:
 * `min[] = * soft nproc 4096`, `max[] = * hard core 0`, `require[] = root hard nofile`.
 * Pure.
 */
import { type DomainSpec, parseDomain } from '../domain.js';
import { itemInfo, ITEM_NAMES, type ItemInfo, type LimitType } from '../schema.js';
import { didYouMean } from '../suggest.js';
import { type ParsedValue, parseValue } from '../values.js';

export type PolicyKind = 'min' | 'max' | 'require';
export const POLICY_KINDS: readonly PolicyKind[] = ['min', 'max', 'require'];

export interface PolicyEntry {
  readonly kind: PolicyKind;
  readonly domain: DomainSpec;
  readonly type: LimitType;
  readonly item: ItemInfo;
  /** null for a `require` without a value (any value will do) */
  readonly value: ParsedValue | null;
  /** the entry as written */
  readonly text: string;
  /** where it was written, e.g. ".limitsctl.ini [policy] min[]" */
  readonly origin: string;
}

export interface Policy {
  readonly entries: readonly PolicyEntry[];
}

export const EMPTY_POLICY: Policy = { entries: [] };

/** Parse one policy entry; returns an error message for an entry that cannot be used. */
export function parsePolicyEntry(kind: PolicyKind, text: string, origin: string): PolicyEntry | { error: string } {
  const fields = text.trim().split(/[ \t]+/).filter((f) => f !== '');
  const want = kind === 'require' ? '<domain> <type> <item> [<value>]' : '<domain> <type> <item> <value>';
  if (fields.length < (kind === 'require' ? 3 : 4) || fields.length > 4) {
    return { error: `'${text}' should be ${want}` };
  }
  const [domainText, typeText, itemText, valueText] = fields as [string, string, string, string | undefined];
  const domain = parseDomain(domainText);
  if (domain.kind === 'invalid') return { error: `'${domainText}' is not a valid domain` };
  const type = typeText.toLowerCase();
  if (type !== 'soft' && type !== 'hard' && type !== '-') return { error: `type '${typeText}' should be soft, hard or -` };
  const item = itemInfo(itemText.toLowerCase());
  if (!item) {
    const guess = didYouMean(itemText, ITEM_NAMES);
    return { error: `unknown item '${itemText}'${guess ? `; did you mean '${guess}'?` : ''}` };
  }
  if (kind !== 'require' && (item.grammar === 'path' || item.grammar === 'flag')) {
    return { error: `${kind} makes no sense for ${item.name}; use require[]` };
  }
  let value: ParsedValue | null = null;
  if (valueText !== undefined) {
    value = parseValue(item, valueText.toLowerCase());
    if (!value.ok) return { error: `'${valueText}' is not a value pam_limits accepts for ${item.name}` };
  }
  return { kind, domain, type, item, value, text: fields.join(' '), origin };
}
