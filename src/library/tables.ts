/**
 * The library's tables are deeply frozen copies of the core's: a caller that changes one (an
 * assignment throws in strict code, is ignored in sloppy code) cannot change how the library
 * parses, resolves or lints — the core reads its own, unexported originals.
 */
import { ERROR_CODES as CORE_ERROR_CODES } from '../core/errors.js';
import * as schema from '../core/schema.js';
import { LINT_RULES as LINT_RULES_COPY } from './lint.js';

/** A deep copy of plain data (arrays, objects, primitives), every level frozen. */
export function frozenCopy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return Object.freeze(v.map((x: unknown) => frozenCopy(x))) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = frozenCopy(x);
  return Object.freeze(out) as T;
}

export const ERROR_CODES = frozenCopy(CORE_ERROR_CODES);
export const PROFILES = frozenCopy(schema.PROFILES);
export const PROFILE_NAMES = frozenCopy(schema.PROFILE_NAMES);
export const PROFILE_ALIASES = frozenCopy(schema.PROFILE_ALIASES);
export const PROFILE_TRAITS = frozenCopy(schema.PROFILE_TRAITS);
export const ITEMS = frozenCopy(schema.ITEMS);
export const ITEM_NAMES = frozenCopy(schema.ITEM_NAMES);
export const RLIMIT_ITEMS = frozenCopy(schema.RLIMIT_ITEMS);
export const LIMIT_TYPES = frozenCopy(schema.LIMIT_TYPES);
export const RANK = frozenCopy(schema.RANK);
export const LINT_RULES = frozenCopy(LINT_RULES_COPY);
