/**
 * Value parsing exactly as pam_limits does it (process_limit): the unlimited keywords,
 * strtoull/strtol with trailing junk, unit conversion with saturation, the nice mapping.
 *
 * All strings here are "binary strings": one char per byte (latin1), as produced by the parser.
 */
import { type ItemInfo, NICE_RANGE, RLIM_INFINITY, U64_MAX } from './schema.js';

export type UnlimitedKeyword = 'unlimited' | 'infinity' | '-1' | '-';
const KEYWORDS: ReadonlySet<string> = new Set(['unlimited', 'infinity', '-1', '-']);

/** Ways the value pam_limits uses differs from what the text seems to say. */
export type ValueNote =
  | 'trailing-junk'      // `10k` → 10, `100 200` → 100 (1.7)
  | 'hex-not-read'       // `0x10` → 0
  | 'negative-wrapped'   // `-5` → 2^64-5 (u64 items)
  | 'saturated'          // beyond 2^64-1, or KiB/minute overflow → unlimited
  | 'clamped'            // nice outside -20..19, int overflow
  | 'plus-sign'          // `+5`
  | 'leading-zeros'      // `01024`
  | 'not-a-flag';        // nonewprivs other than 0/1 → stored as 0

export interface ParsedValue {
  /** false when pam_limits rejects the value ("wrong limit value") and skips the line */
  readonly ok: boolean;
  /** the unlimited keyword used, if any */
  readonly keyword: UnlimitedKeyword | null;
  /**
   * The number pam_limits reads, in limits.conf units, before unit conversion:
   * u64 items: 0..2^64-1 (negative input wrapped); int items: the clamped signed int;
   * maxlogins unlimited: -1; nonewprivs: 0 or 1. null for chroot and rejected values.
   */
  readonly number: bigint | null;
  /**
   * The value in kernel units as pam_limits stores it: bytes for KiB items, seconds for cpu,
   * 20 - nice for nice, RLIM_INFINITY for unlimited (nofile's substitution with nr_open happens
   * in the resolver). null for non-rlimit items and rejected values.
   */
  readonly kernel: bigint | null;
  /** the characters after the number that pam_limits ignores */
  readonly ignored: string;
  readonly notes: readonly ValueNote[];
  /** chroot: the (lower-cased) path */
  readonly path?: string;
}

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

export interface StrtoResult {
  /**
   * the magnitude read, before sign (may exceed 2^64-1 → overflow true; a number of more than
   * 20 significant digits is given as 2^64, which strtoul/strtol saturate the same way)
   */
  readonly value: bigint;
  readonly negative: boolean;
  readonly plus: boolean;
  /** index just after the last consumed char (== 0 when no digits: endptr = nptr) */
  readonly end: number;
  readonly digits: number;
  readonly overflow: boolean;
}

/** The shared scanner behind strtoul/strtol, base 10, C locale. */
export function scanDecimal(s: string, from = 0): StrtoResult {
  let i = from;
  const n = s.length;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  let plus = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 0x2d) { negative = true; i++; } else if (c0 === 0x2b) { plus = true; i++; }
  const digitStart = i;
  // Fast path for short numbers (the common case) in plain JS numbers.
  let small = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
    if (i - digitStart > 15) break;
    small = small * 10 + (c - 0x30);
  }
  let value: bigint;
  if (i - digitStart > 15) {
    while (i < n) { const c = s.charCodeAt(i); if (c < 0x30 || c > 0x39) break; i++; }
    // past 20 significant digits the number exceeds 2^64-1 whatever they are: stand in 2^64
    // rather than convert megabytes of digits (BigInt parsing is superlinear in their count)
    let z = digitStart;
    while (z < i && s.charCodeAt(z) === 0x30) z++;
    value = i - z > 20 ? U64_MAX + 1n : BigInt(s.slice(z, i) || '0');
  } else {
    value = BigInt(small);
  }
  const digits = i - digitStart;
  if (digits === 0) return { value: 0n, negative: false, plus: false, end: from, digits: 0, overflow: false };
  return { value, negative, plus, end: i, digits, overflow: value > U64_MAX };
}

/** glibc strtoul/strtoull on LP64: negative wraps modulo 2^64, overflow saturates (ERANGE). */
export function strtoull(s: string, from = 0): { value: bigint; end: number; erange: boolean; scan: StrtoResult } {
  const r = scanDecimal(s, from);
  if (r.digits === 0) return { value: 0n, end: from, erange: false, scan: r };
  if (r.overflow) return { value: U64_MAX, end: r.end, erange: true, scan: r };
  const v = r.negative ? (r.value === 0n ? 0n : (1n << 64n) - r.value) : r.value;
  return { value: v, end: r.end, erange: false, scan: r };
}

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;

/** glibc strtol on LP64 (saturating at LONG_MIN/LONG_MAX). */
export function strtol(s: string, from = 0): { value: bigint; end: number; scan: StrtoResult } {
  const r = scanDecimal(s, from);
  if (r.digits === 0) return { value: 0n, end: from, scan: r };
  let v = r.negative ? -r.value : r.value;
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < LONG_MIN) v = LONG_MIN;
  return { value: v, end: r.end, scan: r };
}

function commonNotes(raw: string, scan: StrtoResult, end: number, notes: ValueNote[]): void {
  if (end < raw.length) {
    const rest = raw.slice(end);
    if (/^[xX][0-9a-fA-F]/.test(rest) && raw.slice(scan.plus || scan.negative ? 1 : 0, end) === '0') notes.push('hex-not-read');
    else notes.push('trailing-junk');
  }
  if (scan.plus) notes.push('plus-sign');
  const digitsStart = end - scan.digits;
  if (scan.digits > 1 && raw.charCodeAt(digitsStart) === 0x30) notes.push('leading-zeros');
}

const REJECT = (notes: ValueNote[] = []): ParsedValue =>
  ({ ok: false, keyword: null, number: null, kernel: null, ignored: '', notes });

/**
 * Parse a (lower-cased) value for an item as pam_limits does.
 * @param value the value text after lower-casing (binary string)
 */
export function parseValue(info: ItemInfo, value: string): ParsedValue {
  const notes: ValueNote[] = [];
  switch (info.grammar) {
    case 'flag': {
      if (value === '0' || value === '1') {
        return { ok: true, keyword: null, number: value === '1' ? 1n : 0n, kernel: null, ignored: '', notes };
      }
      notes.push('not-a-flag');
      return { ok: true, keyword: null, number: 0n, kernel: null, ignored: value, notes };
    }
    case 'path':
      return { ok: true, keyword: null, number: null, kernel: null, ignored: '', notes, path: value };
    case 'int':
    case 'int-or-unlimited': {
      if (info.grammar === 'int-or-unlimited' && KEYWORDS.has(value)) {
        return { ok: true, keyword: value as UnlimitedKeyword, number: -1n, kernel: null, ignored: '', notes };
      }
      const r = strtol(value);
      let v = r.value;
      if (v > INT_MAX) { v = INT_MAX; notes.push('clamped'); }
      if (v < INT_MIN) { v = INT_MIN; notes.push('clamped'); }
      if (v === 0n && r.end === 0) return REJECT();
      commonNotes(value, r.scan, r.end, notes);
      const ignored = value.slice(r.end);
      if (info.name === 'nice') {
        let nice = v;
        if (nice > NICE_RANGE.max) { nice = NICE_RANGE.max; notes.push('clamped'); }
        if (nice < NICE_RANGE.min) { nice = NICE_RANGE.min; notes.push('clamped'); }
        return { ok: true, keyword: null, number: nice, kernel: 20n - nice, ignored, notes: dedupe(notes) };
      }
      return { ok: true, keyword: null, number: v, kernel: null, ignored, notes: dedupe(notes) };
    }
    case 'u64': {
      if (KEYWORDS.has(value)) {
        return { ok: true, keyword: value as UnlimitedKeyword, number: RLIM_INFINITY, kernel: RLIM_INFINITY, ignored: '', notes };
      }
      const r = strtoull(value);
      if (r.value === 0n && r.end === 0) return REJECT();
      commonNotes(value, r.scan, r.end, notes);
      if (r.erange) notes.push('saturated');
      else if (r.scan.negative && r.scan.value !== 0n) notes.push('negative-wrapped');
      const kernel = convertToKernel(info, r.value);
      if (kernel === RLIM_INFINITY && r.value !== RLIM_INFINITY && !notes.includes('saturated')) notes.push('saturated');
      return { ok: true, keyword: null, number: r.value, kernel, ignored: value.slice(r.end), notes };
    }
  }
}

function dedupe<T>(a: T[]): T[] {
  return a.length < 2 ? a : [...new Set(a)];
}

const CPU_LIMIT = RLIM_INFINITY / 60n;   // 307445734561825860
const KIB_LIMIT = RLIM_INFINITY / 1024n; // 18014398509481983

/** limits.conf units → kernel units, saturating as pam_limits does. */
export function convertToKernel(info: ItemInfo, v: bigint): bigint {
  if (info.factor === 60) return v >= CPU_LIMIT ? RLIM_INFINITY : v * 60n;
  if (info.factor === 1024) return v >= KIB_LIMIT ? RLIM_INFINITY : v * 1024n;
  return v;
}

/**
 * Kernel units → limits.conf units, for reporting (`"unlimited"` for RLIM_INFINITY).
 * Values that are not whole KiB/minutes (e.g. from /proc/1/limits) are rounded down.
 */
export function kernelToConf(info: ItemInfo, v: bigint): bigint | 'unlimited' {
  if (v === RLIM_INFINITY) return 'unlimited';
  if (info.name === 'nice') return 20n - v;
  return v / BigInt(info.factor);
}
