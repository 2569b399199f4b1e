/**
 * systemd's `Limit*=` settings (systemd.exec(5) "PROCESS PROPERTIES", Table 1) and
 * `DefaultLimit*=` (systemd-system.conf(5)): the name map to limitsctl's items and the value
 * grammar, as systemd 252 reads it (src/basic/rlimit-util.c rlimit_parse; checked against
 * `systemd-analyze verify` of systemd 252.38-1~deb12u1 in test/systemd/agreement.test.ts).
 *
 * A value is one value for both soft and hard, or `soft:hard`; either side may be `infinity`.
 * Units by setting (systemd.exec(5) Table 1):
 * - LimitCPU=: seconds, or a time span with units (`1min 30s`, systemd.time(7)), rounded up to
 *   whole seconds;
 * - LimitRTTIME=: microseconds, or a time span with units (`2ms`);
 * - LimitFSIZE/DATA/STACK/CORE/RSS/MEMLOCK/AS/MSGQUEUE=: bytes, suffixes K M G T P E (base
 *   1024, upper case only; `B` for bytes; a decimal fraction such as `1.5M` is allowed);
 * - LimitNOFILE/NPROC/LOCKS/SIGPENDING/RTPRIO=: plain counts;
 * - LimitNICE=: with a leading `+` or `-` a nice value -20..19 (kernel value 20 - nice),
 *   otherwise the raw RLIMIT_NICE value 0..40.
 * A value that does not parse, an empty value, and soft above hard are ignored by systemd with a
 * log line ("Failed to parse resource value, ignoring", "Soft resource limit chosen higher than
 * hard limit, ignoring"): the earlier assignment stays. Pure; never throws on input.
 */
import { RLIM_INFINITY, type RlimitItem } from '../schema.js';

export type LimitGrammar = 'seconds' | 'microseconds' | 'bytes' | 'count' | 'nice';

/** One `Limit*=` setting. */
export interface LimitSetting {
  /** `LimitNOFILE` (the unit setting; the manager's is `Default` + this) */
  readonly setting: string;
  readonly item: RlimitItem;
  readonly grammar: LimitGrammar;
}

/** The 16 `Limit*=` settings of systemd.exec(5), in RLIMIT order. */
export const LIMIT_SETTINGS: readonly LimitSetting[] = [
  { setting: 'LimitCPU', item: 'cpu', grammar: 'seconds' },
  { setting: 'LimitFSIZE', item: 'fsize', grammar: 'bytes' },
  { setting: 'LimitDATA', item: 'data', grammar: 'bytes' },
  { setting: 'LimitSTACK', item: 'stack', grammar: 'bytes' },
  { setting: 'LimitCORE', item: 'core', grammar: 'bytes' },
  { setting: 'LimitRSS', item: 'rss', grammar: 'bytes' },
  { setting: 'LimitNPROC', item: 'nproc', grammar: 'count' },
  { setting: 'LimitNOFILE', item: 'nofile', grammar: 'count' },
  { setting: 'LimitMEMLOCK', item: 'memlock', grammar: 'bytes' },
  { setting: 'LimitAS', item: 'as', grammar: 'bytes' },
  { setting: 'LimitLOCKS', item: 'locks', grammar: 'count' },
  { setting: 'LimitSIGPENDING', item: 'sigpending', grammar: 'count' },
  { setting: 'LimitMSGQUEUE', item: 'msgqueue', grammar: 'bytes' },
  { setting: 'LimitNICE', item: 'nice', grammar: 'nice' },
  { setting: 'LimitRTPRIO', item: 'rtprio', grammar: 'count' },
  { setting: 'LimitRTTIME', item: 'rttime', grammar: 'microseconds' },
];

/** The setting for an item, e.g. nofile → LimitNOFILE. */
export function limitSettingFor(item: RlimitItem): LimitSetting {
  return LIMIT_SETTINGS.find((s) => s.item === item)!;
}

/** The setting named `key` (`LimitNOFILE`), or with `manager` its `DefaultLimitNOFILE` form. */
export function limitSettingByKey(key: string, manager = false): LimitSetting | undefined {
  const name = manager ? (key.startsWith('Default') ? key.slice('Default'.length) : null) : key;
  return name === null ? undefined : LIMIT_SETTINGS.find((s) => s.setting === name);
}

/** A parsed value in kernel units (what setrlimit gets); RLIM_INFINITY for `infinity`. */
export type LimitValue = { readonly ok: true; readonly soft: bigint; readonly hard: bigint } | { readonly ok: false; readonly message: string };

const SIZE_FACTORS: Readonly<Record<string, bigint>> = {
  B: 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n, E: 1n << 60n,
};

/** systemd.time(7) units in microseconds (month 30.44 days, year 365.25 days). */
const TIME_UNITS: Readonly<Record<string, bigint>> = (() => {
  const us = 1n, ms = 1000n, s = 1_000_000n, min = 60n * s, h = 60n * min, d = 24n * h;
  const units: Record<string, bigint> = {};
  const add = (names: string[], v: bigint) => { for (const n of names) units[n] = v; };
  add(['us', 'usec', 'µs', 'μs'], us);
  add(['ms', 'msec'], ms);
  add(['s', 'sec', 'second', 'seconds'], s);
  add(['m', 'min', 'minute', 'minutes'], min);
  add(['h', 'hr', 'hour', 'hours'], h);
  add(['d', 'day', 'days'], d);
  add(['w', 'week', 'weeks'], 7n * d);
  add(['M', 'month', 'months'], 2_629_800n * s);
  add(['y', 'year', 'years'], 31_557_600n * s);
  return units;
})();

/** `1.5` × factor, truncated (systemd's parse_size keeps the integer part of the product). */
function decimalTimes(intPart: string, frac: string, factor: bigint): bigint {
  let v = BigInt(intPart || '0') * factor;
  if (frac) v += (BigInt(frac) * factor) / 10n ** BigInt(frac.length);
  return v;
}

/** A byte size: `4096`, `8M`, `1.5G`, `infinity`. */
export function parseSize(s: string): bigint | null {
  if (s === 'infinity') return RLIM_INFINITY;
  // parse_size: digits first (`.5K` is refused); a fraction without suffix is truncated (`1.5` is 1)
  const m = /^\s*(\d+)(?:\.(\d+))?\s*([BKMGTPE]?)$/.exec(s);
  if (!m) return null;
  const v = decimalTimes(m[1]!, m[2] ?? '', SIZE_FACTORS[m[3] || 'B']!);
  return v >= RLIM_INFINITY ? null : v;
}

/** A time span in microseconds (`90`, `1min 30s`, `2ms`, `infinity`), bare numbers in `defaultUnit`. */
export function parseTimeSpan(s: string, defaultUnit: bigint): bigint | 'infinity' | null {
  if (s === 'infinity') return 'infinity';
  const re = /\s*(\d*)(?:\.(\d+))?\s*([a-zA-Zµμ]*)/y;
  let total = 0n;
  let pos = 0;
  let parts = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m[0].trim() === '') break;
    if (m[1] === '' && m[2] === undefined) return null;
    const unit = m[3] ? TIME_UNITS[m[3]] : defaultUnit;
    if (unit === undefined) return null;
    total += decimalTimes(m[1]!, m[2] ?? '', unit);
    pos = re.lastIndex;
    parts++;
  }
  if (parts === 0 || s.slice(pos).trim() !== '') return null;
  return total;
}

/**
 * A count as safe_atou64 reads it (strtoull, base 0): leading blanks and `+` allowed, `0x` hex,
 * a leading `0` octal; no sign `-`, nothing after the digits.
 */
export function parseCount(s: string): bigint | null {
  const m = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return null;
  const t = m[1]!;
  const v = /^0[xX]/.test(t) ? BigInt(t) : t.length > 1 && t.startsWith('0') ? BigInt(`0o${t.slice(1)}`) : BigInt(t);
  return v < RLIM_INFINITY ? v : null;
}

function parseOne(grammar: LimitGrammar, s: string): bigint | null {
  if (s === 'infinity') return RLIM_INFINITY;
  switch (grammar) {
    case 'bytes': return parseSize(s);
    case 'count': return parseCount(s);
    case 'seconds': {
      const t = parseTimeSpan(s, 1_000_000n);
      if (t === null) return null;
      return t === 'infinity' ? RLIM_INFINITY : (t + 999_999n) / 1_000_000n;
    }
    case 'microseconds': {
      const t = parseTimeSpan(s, 1n);
      if (t === null) return null;
      return t === 'infinity' ? RLIM_INFINITY : t;
    }
    case 'nice': {
      if (/^[+-]\d+$/.test(s)) {
        const n = BigInt(s);
        return n >= -20n && n <= 19n ? 20n - n : null;
      }
      return /^\d+$/.test(s) && BigInt(s) <= 40n ? BigInt(s) : null;
    }
  }
}

/** Parse a `Limit*=` value for `setting` into kernel units. */
export function parseLimitValue(setting: LimitSetting, value: string): LimitValue {
  const bad: LimitValue = { ok: false, message: `Failed to parse resource value, ignoring: ${value}` };
  if (value === '') return bad;
  const colon = value.indexOf(':');
  const soft = parseOne(setting.grammar, colon < 0 ? value : value.slice(0, colon));
  const hard = colon < 0 ? soft : parseOne(setting.grammar, value.slice(colon + 1));
  if (soft === null || hard === null) return bad;
  if (soft > hard) return { ok: false, message: `Soft resource limit chosen higher than hard limit, ignoring: ${value}` };
  return { ok: true, soft, hard };
}
