/**
 * Output helpers shared by the commands: JSON with exact 64-bit integers, colour, paths.
 */

/** JSON.stringify where bigint values are written as exact integer literals. */
export function toJson(value: unknown, indent = 2): string {
  // bigints become unique string markers, then the quoted markers are replaced by the digits
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  let used = false;
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') {
      used = true;
      return `@big:${nonce}:${v.toString()}`;
    }
    return v;
  }, indent);
  if (!used) return text;
  return text.replace(new RegExp(`"@big:${nonce}:(-?\\d+)"`, 'g'), '$1');
}

export { makeStyle as makeColors, type Style as Colors } from '../formatters/style.js';
import { escapeControls } from '../formatters/terminal.js';

/**
 * "etc/security/limits.d/x.conf" → "limits.d/x.conf" (the way operators name these files), for
 * text output: control characters in the name shown escaped (`limits.d/b\x0ax.conf`, terminal.ts).
 */
export function shortPath(rel: string): string {
  return escapeControls(rel.startsWith('etc/security/') ? rel.slice('etc/security/'.length) : rel);
}

/** Pad a table's columns (strings may contain ANSI colour codes). */
export function table(rows: string[][], gap = 2): string {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, visible(c)); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c) + gap))).join('').trimEnd()).join('\n');
}
