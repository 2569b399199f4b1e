/**
 * The pure half of `limitsctl set|unset ITEM --unit NAME`: the value a person gives (limits.conf
 * units, as for `set`) in kernel units, the `Limit*=` text systemd reads back as exactly that
 * value, and the new text of the drop-in (`etc/systemd/system/<unit>.d/limitsctl.conf` by default)
 * with one assignment set or removed. Which value wins after the edit is checked by the caller
 * with the resolver (resolve.ts) on the planned text, as systemd would read it.
 *
 * Written grammar (systemd.exec(5) "PROCESS PROPERTIES", Table 1; read back by limits.ts
 * parseLimitValue, which agrees with systemd 252's rlimit_parse, test/systemd/agreement.test.ts):
 * - one value when soft and hard are equal, else `soft:hard`; `infinity` for unlimited;
 * - bytes (LimitMEMLOCK=, LimitSTACK=, …): the largest suffix of K M G T P E (base 1024) that
 *   divides the value exactly (`64M`, `1536K`), else plain bytes;
 * - LimitCPU=: whole seconds (plain number); LimitRTTIME=: microseconds (plain number);
 * - LimitNICE=: the nice value with its sign (`-5`, `+0`, `+19`), which systemd maps to 20 − nice;
 *   the kernel value 0 (nice 20, outside the signed range) as the raw `0`;
 * - counts: plain decimal.
 * Pure: no I/O.
 */
import { itemInfo, NICE_RANGE, RLIM_INFINITY, type RlimitItem } from '../schema.js';
import { type LimitSetting, parseLimitValue } from './limits.js';
import { parseUnitText } from './syntax.js';

const SUFFIXES: readonly [string, bigint][] = [['E', 1n << 60n], ['P', 1n << 50n], ['T', 1n << 40n], ['G', 1n << 30n], ['M', 1n << 20n], ['K', 1n << 10n]];

/** One half (kernel units) as systemd's grammar for `setting` writes it. */
export function formatLimitHalf(setting: LimitSetting, kernel: bigint): string {
  if (kernel === RLIM_INFINITY) return 'infinity';
  switch (setting.grammar) {
    case 'bytes': {
      if (kernel === 0n) return '0';
      for (const [s, f] of SUFFIXES) if (kernel % f === 0n) return `${kernel / f}${s}`;
      return String(kernel);
    }
    case 'nice': {
      // the signed form covers nice -20..19 (kernel 40..1); kernel 0 (nice 20) only as the raw value
      if (kernel === 0n) return '0';
      const nice = 20n - kernel;
      return nice < 0n ? String(nice) : `+${nice}`;
    }
    default:
      return String(kernel);
  }
}

/**
 * The `Limit*=` value for soft/hard (kernel units): one value when equal, else `soft:hard`.
 * @throws Error when the text would not read back as the same values (a bug, never input)
 */
export function formatLimitValue(setting: LimitSetting, soft: bigint, hard: bigint): string {
  const text = soft === hard ? formatLimitHalf(setting, soft) : `${formatLimitHalf(setting, soft)}:${formatLimitHalf(setting, hard)}`;
  const back = parseLimitValue(setting, text);
  if (!back.ok || back.soft !== soft || back.hard !== hard) throw new Error(`internal: ${setting.setting}=${text} does not read back as ${soft}:${hard}`);
  return text;
}

export type WantedValue = { readonly ok: true; readonly kernel: bigint } | { readonly ok: false; readonly message: string };

/**
 * A value given on the command line, in limits.conf units (KiB for sizes, minutes for cpu, the nice
 * value -20..19 for nice, microseconds for rttime): a decimal number, or `unlimited`/`infinity`/`-1`
 * (not for nice). Strict: anything else (`10k`, `0x10`, `4096 x`) is refused rather than read as
 * pam_limits would, since systemd has its own grammar.
 */
export function parseWantedValue(item: RlimitItem, text: string): WantedValue {
  const info = itemInfo(item)!;
  const t = text.trim().toLowerCase();
  if (item === 'nice') {
    if (!/^[+-]?\d+$/.test(t)) return { ok: false, message: `nice takes a nice value from ${NICE_RANGE.min} to ${NICE_RANGE.max}, got '${text}'` };
    const n = BigInt(t);
    if (n < NICE_RANGE.min || n > NICE_RANGE.max) return { ok: false, message: `nice takes a nice value from ${NICE_RANGE.min} to ${NICE_RANGE.max}, got '${text}'` };
    return { ok: true, kernel: 20n - n };
  }
  if (t === 'unlimited' || t === 'infinity' || t === '-1') return { ok: true, kernel: RLIM_INFINITY };
  if (!/^\d+$/.test(t)) {
    return { ok: false, message: `${item} takes a whole number of ${info.unit === 'count' ? 'items' : info.unit} or 'unlimited', got '${text}'` };
  }
  const v = BigInt(t) * BigInt(info.factor);
  if (v >= RLIM_INFINITY) return { ok: false, message: `${text} ${info.unit} is beyond what the kernel can hold; write 'unlimited'` };
  return { ok: true, kernel: v };
}

/** The line ranges (0-based, inclusive) of `key=` assignments in `section`, continuation lines included. */
function assignmentSpans(lines: readonly string[], text: string, section: string, key: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const a of parseUnitText(text).assignments) {
    if (a.section !== section || a.key !== key) continue;
    let end = a.line - 1;
    while (end < lines.length - 1 && lines[end]!.trim().endsWith('\\')) end++;
    spans.push([a.line - 1, end]);
  }
  return spans;
}

/** What a new drop-in starts with. */
export function dropinHeader(unit: string): string {
  return `# Resource limits of ${unit}, written by limitsctl (limitsctl set ITEM VALUE --unit ${unit}).\n` +
    `# systemd reads this file after the unit file; run 'systemctl daemon-reload' and restart ${unit} after a change.\n`;
}

/**
 * The drop-in text with `key=value` as its only assignment of `key` in `[section]` (value null:
 * every assignment of `key` in that section removed). An existing assignment is replaced in place
 * (the last one; earlier ones are removed); otherwise the line goes at the end of the last
 * `[section]`, or a new `[section]` at the end. Other lines are kept byte for byte.
 *
 * @param before the current text (binary string), or null for a new file
 * @returns the new text; equal to `before` when nothing changes
 */
export function editDropinText(before: string | null, unit: string, section: string, key: string, value: string | null): string {
  if (before === null) return value === null ? '' : `${dropinHeader(unit)}[${section}]\n${key}=${value}\n`;
  const endsNl = before === '' || before.endsWith('\n');
  const lines = before.split('\n');
  if (endsNl) lines.pop();
  const spans = assignmentSpans(lines, before, section, key);
  const out: (string | null)[] = [...lines];
  spans.forEach(([s, e], i) => {
    for (let k = s; k <= e; k++) out[k] = null;
    if (value !== null && i === spans.length - 1) out[s] = `${key}=${value}`;
  });
  let result = out.filter((l): l is string => l !== null);
  if (value !== null && spans.length === 0) {
    let header = -1;
    lines.forEach((l, i) => { if (l.trim() === `[${section}]`) header = i; });
    if (header < 0) {
      result = [...lines, ...(lines.length > 0 && lines[lines.length - 1]!.trim() !== '' ? [''] : []), `[${section}]`, `${key}=${value}`];
    } else {
      let end = lines.findIndex((l, i) => i > header && l.trim().startsWith('['));
      if (end < 0) end = lines.length;
      while (end - 1 > header && lines[end - 1]!.trim() === '') end--;
      result = [...lines.slice(0, end), `${key}=${value}`, ...lines.slice(end)];
    }
  }
  const text = result.join('\n');
  return text === '' ? '' : `${text}\n`;
}
