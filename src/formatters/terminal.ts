/**
 * Text for a terminal: names and values from the files (a limits.d file called
 * `a\x1b]0;…\x07.conf`, a domain holding an escape sequence) must never move the cursor, set the
 * window title, clear the screen or break a line of limitsctl's output. Control characters are
 * shown escaped, as the JSON and SARIF outputs escape them in strings. Pure.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// a string without any (most are): one greedy run over the whole string, which costs fewer
// instructions than searching for CONTROL from each position in turn
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_G = /[\u0000-\u001f\u007f-\u009f]/g;
// limitsctl's own colour codes, kept when colour is on: exactly those formatters/style.ts writes
// (bold/dim 1, 2 and 22; red, green, yellow, cyan 31, 32, 33, 36 and 39) — a name holding
// another SGR code (8 conceals text, 5 blinks) is shown escaped
// eslint-disable-next-line no-control-regex
const SGR_OR_CONTROL_G = /\u001b\[(?:1|2|22|31|32|33|36|39)m|\n|[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const NEWLINE_OR_CONTROL_G = /\n|[\u0000-\u001f\u007f-\u009f]/g;

function escaped(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x80 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every control character escaped: C0 (newline and tab included) and DEL as `\xNN`, C1
 * as `\u0085`. For one field of a line (a path, a name): `b\nx.conf` → `b\x0ax.conf`.
 */
export function escapeControls(s: string): string {
  return NO_CONTROL.test(s) ? s : s.replace(CONTROL_G, escaped);
}

/**
 * A whole block of output made safe for a terminal: its line breaks kept, every other control
 * character escaped as by {@link escapeControls}; with `colour`, limitsctl's own SGR colour codes
 * (the eight of style.ts, `ESC [ 31 m`…) kept too. Fields that may hold a newline (paths) are escaped with
 * escapeControls before they are joined into lines.
 */
export function terminalSafe(s: string, colour: boolean): string {
  if (!CONTROL.test(s)) return s;
  return s.replace(colour ? SGR_OR_CONTROL_G : NEWLINE_OR_CONTROL_G, (m) => (m === '\n' || m.length > 1 ? m : escaped(m)));
}
