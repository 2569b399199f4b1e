/**
 * Argument checks at the library's boundary: a public function called with a value of the wrong
 * type or shape (JavaScript callers, `as any`, a missing argument) throws a LimitsError with code
 * `EARGUMENT` (kind `input`) naming the function and the argument, never a TypeError from deep
 * inside. Only the shape is checked here; what a value means (an unknown item, a value pam_limits
 * refuses) is the checked function's own error (`EEDIT`, `EBADROOT`…).
 */
import { isUnparsedLazyDocument } from '../core/edit/lines.js';
import { LimitsError } from '../core/errors.js';
import { isProfileName, PROFILE_NAMES, PROFILE_ALIASES, type ProfileName } from '../core/schema.js';
import { didYouMean } from '../core/suggest.js';

/** How much of a caller's value a message echoes at most (a 10 MB path gives a short message). */
export const ECHO_LIMIT = 200;

/** `s` cut to {@link ECHO_LIMIT} characters, with `…` when cut. */
export function clip(s: string): string {
  return s.length > ECHO_LIMIT ? `${s.slice(0, ECHO_LIMIT)}…` : s;
}

/** `JSON.stringify` of a caller's string, clipped. */
export function quote(s: string): string {
  return JSON.stringify(clip(s));
}

/** Thrown for an argument of the wrong type or shape: code `EARGUMENT`. */
export function argumentError(fn: string, message: string): LimitsError {
  return new LimitsError(`${fn}: ${message.length > 4 * ECHO_LIMIT ? clip(message) : message}`, { code: 'EARGUMENT', hint: `see docs/library.md for the arguments of ${fn}` });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'an object' : String(typeof v);
}

/** `v` is a string. */
export function str(fn: string, name: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw argumentError(fn, `${name} must be a string, got ${describe(v)}`);
}

/** `v` is a string or undefined. */
export function optStr(fn: string, name: string, v: unknown): asserts v is string | undefined {
  if (v !== undefined) str(fn, name, v);
}

/** `v` is a non-empty string (a path: relative paths are resolved by the function, as it says). */
export function path(fn: string, name: string, v: unknown): asserts v is string {
  str(fn, name, v);
  if (v === '') throw argumentError(fn, `${name} must not be empty`);
  if (v.includes('\0')) throw argumentError(fn, `${name} must not contain a NUL byte`);
  // PATH_MAX (4096, linux/limits.h): a longer path cannot name anything, and messages echo paths
  if (Buffer.byteLength(v) > 4096) throw argumentError(fn, `${name} is longer than PATH_MAX (4096 bytes): ${quote(v)}`);
}

/** The candidate a mistyped `input` most likely meant (case-insensitive; a prefix counts: `warn` → `warning`), or null. */
export function nearest(input: string, candidates: readonly string[]): string | null {
  if (input.length === 0 || input.length > 64) return null;
  const lower = input.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const prefixed = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return prefixed[0]!;
  const near = didYouMean(lower, candidates.map((c) => c.toLowerCase()));
  return near === null ? null : candidates.find((c) => c.toLowerCase() === near) ?? null;
}

/** Every own key of `v` is one of `allowed`; an unknown key (a typo) is refused, with the closest allowed key. */
export function keys(fn: string, name: string, v: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (allowed.includes(k)) continue;
    const near = nearest(k, allowed);
    throw argumentError(fn, `${name} has an unknown key ${quote(k)}${near === null ? '' : ` (did you mean '${near}'?)`}; its keys are ${allowed.join(', ')}`);
  }
}

/** `v` is undefined or one of `values` (exactly: no other case, no other type). */
export function optOneOf<T extends string>(fn: string, name: string, v: unknown, values: readonly T[]): asserts v is T | undefined {
  if (v === undefined || (typeof v === 'string' && (values as readonly string[]).includes(v))) return;
  const near = typeof v === 'string' ? nearest(v, values) : null;
  throw argumentError(fn, `${name} must be ${values.map((x) => `'${x}'`).join(', ')} or left out, got ${describe(v)}${near === null ? '' : ` (did you mean '${near}'?)`}`);
}

/** `v` is a plain object (not null, not an array). */
export function obj(fn: string, name: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw argumentError(fn, `${name} must be an object, got ${describe(v)}`);
}

/** `v` is undefined or a plain object (an options argument); returns it or `{}`. */
export function opts(fn: string, name: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  obj(fn, name, v);
  return v;
}

/** `v` is an array. */
export function arr(fn: string, name: string, v: unknown): asserts v is readonly unknown[] {
  if (!Array.isArray(v)) throw argumentError(fn, `${name} must be an array, got ${describe(v)}`);
}

/** `v` is a function. */
export function func(fn: string, name: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== 'function') throw argumentError(fn, `${name} must be a function, got ${describe(v)}`);
}

/** `v` is a boolean or undefined. */
export function optBool(fn: string, name: string, v: unknown): asserts v is boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') throw argumentError(fn, `${name} must be true or false, got ${describe(v)}`);
}

/** `v` is a whole number ≥ 0. */
export function id(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw argumentError(fn, `${name} must be a whole number ≥ 0, got ${describe(v)}`);
}

/** `v` is bytes: a Buffer or another Uint8Array. A string is refused: its encoding would be a guess. */
export function bytes(fn: string, name: string, v: unknown): asserts v is Uint8Array {
  if (v instanceof Uint8Array) return;
  if (typeof v === 'string') {
    throw argumentError(fn, `${name} must be bytes (a Buffer or Uint8Array), got a string; for text, give Buffer.from(text, 'utf8')`);
  }
  throw argumentError(fn, `${name} must be bytes (a Buffer or Uint8Array), got ${describe(v)}`);
}

/**
 * `v` as a binary string (one char per byte, the model's form of bytes, core/bytes.ts), refused
 * as by {@link bytes} unless it is a Buffer or Uint8Array: a string is refused (its encoding would
 * be a guess; limitsctl 0.1 read it as one char per byte).
 */
export function binary(fn: string, name: string, v: unknown): string {
  bytes(fn, name, v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
}

/** `v` is undefined or a release profile name or alias. */
export function optProfile(fn: string, name: string, v: unknown): asserts v is ProfileName | undefined {
  if (v === undefined) return;
  str(fn, name, v);
  if (!isProfileName(v)) {
    throw argumentError(fn, `${name} '${clip(v)}' is not a release profile; use one of ${PROFILE_NAMES.join(', ')} or an alias (${Object.keys(PROFILE_ALIASES).join(', ')})`);
  }
}

/** `v` is a release profile name or alias. */
export function profile(fn: string, name: string, v: unknown): asserts v is ProfileName {
  if (v === undefined) throw argumentError(fn, `${name} is required`);
  optProfile(fn, name, v);
}

/** `v` looks like a ConfigTree: `{ profile, files: [...], ignored: [...] }` (what loadTree returns). */
export function tree(fn: string, name: string, v: unknown): void {
  obj(fn, name, v);
  profile(fn, `${name}.profile`, v.profile);
  arr(fn, `${name}.files`, v.files);
  for (const [i, f] of v.files.entries()) {
    obj(fn, `${name}.files[${i}]`, f);
    str(fn, `${name}.files[${i}].path`, f.path);
    str(fn, `${name}.files[${i}].status`, f.status);
    if (f.doc !== undefined && f.doc !== null) {
      const at = `${name}.files[${i}].doc`;
      obj(fn, at, f.doc);
      str(fn, `${at}.file`, f.doc.file);
      if (typeof f.doc.text !== 'string') throw argumentError(fn, `${at} must be a document parseLimits (or treeFromFiles, loadTree) returned; this one lacks its bytes`);
      // a tree loadTree read parses a file only when its lines are wanted: not for this check
      if (isUnparsedLazyDocument(f.doc)) continue;
      arr(fn, `${at}.lines`, f.doc.lines);
      // every line and reading: a hand-built `[null]` or `[{}]` is named here, not a TypeError later
      for (const [j, l] of f.doc.lines.entries()) {
        if (typeof l !== 'object' || l === null || !Array.isArray((l as { readings?: unknown }).readings)) {
          throw argumentError(fn, `${at}.lines[${j}] must be a line as parseLimits gives it ({ index, start, end, readings: [...] }), got ${describe(l)}`);
        }
        for (const [k, r] of (l as { readings: unknown[] }).readings.entries()) {
          if (typeof r !== 'object' || r === null || typeof (r as { kind?: unknown }).kind !== 'string') {
            throw argumentError(fn, `${at}.lines[${j}].readings[${k}] must be a reading as parseLimits gives it ({ kind, span, … }), got ${describe(r)}`);
          }
        }
      }
    }
  }
  if (v.ignored !== undefined) arr(fn, `${name}.ignored`, v.ignored);
}

/** `v` looks like an Identity: `{ name, uid, gid, groups: [{ name, gid }] }`. */
export function identity(fn: string, name: string, v: unknown): void {
  obj(fn, name, v);
  str(fn, `${name}.name`, v.name);
  id(fn, `${name}.uid`, v.uid);
  id(fn, `${name}.gid`, v.gid);
  arr(fn, `${name}.groups`, v.groups);
  for (const [i, g] of v.groups.entries()) {
    obj(fn, `${name}.groups[${i}]`, g);
    str(fn, `${name}.groups[${i}].name`, g.name);
    id(fn, `${name}.groups[${i}].gid`, g.gid);
  }
}

/** `v` looks like an AccountDb: `{ users: [...], groups: [...] }`. */
export function accountDb(fn: string, name: string, v: unknown): void {
  obj(fn, name, v);
  arr(fn, `${name}.users`, v.users);
  arr(fn, `${name}.groups`, v.groups);
}

/**
 * The limits a session starts from, as resolveLimits and planEdits take them: `pid1Limits` an
 * object or null, `nrOpen` a bigint or null (each optional).
 * @throws LimitsError `EARGUMENT` for a value of another type
 */
export function baseline(fn: string, o: Record<string, unknown>): void {
  if (o.pid1Limits !== undefined && o.pid1Limits !== null) obj(fn, 'options.pid1Limits', o.pid1Limits);
  if (o.nrOpen !== undefined && o.nrOpen !== null && typeof o.nrOpen !== 'bigint') throw argumentError(fn, 'options.nrOpen must be a bigint or null');
}

/** A list of strings (`planEdits`' `prune` domains). @throws LimitsError `EARGUMENT` otherwise */
export function optStrings(fn: string, name: string, v: unknown): asserts v is readonly string[] | undefined {
  if (v === undefined) return;
  arr(fn, name, v);
  v.forEach((x, i) => str(fn, `${name}[${i}]`, x));
}
