/**
 * Bytes are bytes: the one place where text typed by a person meets the bytes pam_limits compares.
 *
 * Convention (used everywhere in limitsctl):
 * - **Bytes** — the document model, the account database (etc/passwd, etc/group) and every
 *   domain, comment and value that is compared with them are *binary strings*: one char per byte
 *   (U+0000..U+00FF), as `Buffer.toString('latin1')` gives. pam_limits compares user and group
 *   names byte for byte (strcmp), so `josé` in a UTF-8 etc/passwd is the 5 bytes `6A 6F 73 C3 A9`.
 * - **Text** — anything a person typed (command-line arguments, policy/settings ini files, library
 *   callers' EditRequest fields and loadIdentity's user name) is an ordinary JS (UTF-16) string.
 *   It becomes bytes by UTF-8 encoding, exactly once, with `toBytes` — at the boundary where it
 *   first meets the model (planEdits, loadIdentity), never earlier and never twice.
 * - **Display** — bytes shown to a person or written to JSON go through `displayBytes`: UTF-8 is
 *   decoded; bytes that are not valid UTF-8, and control characters, are shown as `\xNN`, so a
 *   latin1 `é` (byte E9) reads `jos\xe9`, never `jos�`, and an ESC in a file never reaches the
 *   terminal raw.
 *
 * `fromBytes` is the lossless inverse of `toBytes` (PEP 383 "surrogateescape"): a byte that is not
 * part of valid UTF-8 becomes the lone surrogate U+DC80..U+DCFF, which `toBytes` turns back into
 * the byte. So `toBytes(fromBytes(b)) === b` for every byte string `b`, and a library caller can
 * name an account whose etc/passwd entry is not UTF-8.
 */

/** A binary string: one char (U+0000..U+00FF) per byte. Documentation only; not enforced. */
export type Bytes = string;

/**
 * Text (UTF-16) → bytes (binary string of its UTF-8 encoding). A lone surrogate U+DC80..U+DCFF
 * (from `fromBytes`) becomes the single byte 0x80..0xFF; any other lone surrogate becomes the
 * UTF-8 of U+FFFD, as TextEncoder does.
 */
export function toBytes(text: string): Bytes {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) { out += text[i]; continue; }
    if (c >= 0xdc80 && c <= 0xdcff) { out += String.fromCharCode(c - 0xdc00); continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out += String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/**
 * Decode a binary string's UTF-8 (strict: no overlongs, no surrogates, nothing above U+10FFFF).
 * Calls `bad(byte)` for each byte that is not part of a valid sequence and uses what it returns.
 */
function decode(bytes: Bytes, bad: (byte: number) => string, ok: (ch: string, cp: number) => string): string {
  let out = '';
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b0 = bytes.charCodeAt(i);
    if (b0 < 0x80) { out += ok(bytes[i]!, b0); i++; continue; }
    let len = 0;
    let cp = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { len = 2; cp = b0 & 0x1f; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { len = 3; cp = b0 & 0x0f; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { len = 4; cp = b0 & 0x07; min = 0x10000; }
    let valid = len > 0 && i + len <= n;
    for (let k = 1; valid && k < len; k++) {
      const b = bytes.charCodeAt(i + k);
      if ((b & 0xc0) !== 0x80) valid = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (valid && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) valid = false;
    if (!valid) { out += bad(b0); i++; continue; }
    out += ok(String.fromCodePoint(cp), cp);
    i += len;
  }
  return out;
}

/** Bytes → text, losslessly (invalid UTF-8 bytes become U+DC80..U+DCFF; see `toBytes`). */
export function fromBytes(bytes: Bytes): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(bytes)) return bytes;
  return decode(bytes, (b) => String.fromCharCode(0xdc00 + b), (ch) => ch);
}

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** True for a C0 control character, DEL, or a C1 control (U+0080..U+009F). */
function isControl(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

export interface DisplayOptions {
  /**
   * Keep these control characters as they are (default none): a whole file shown as a diff keeps
   * '\n' and '\t'.
   */
  readonly keep?: string;
}

/**
 * Bytes → text for people and JSON: UTF-8 decoded; invalid bytes and control characters (C0,
 * DEL) shown as `\xNN`, C1 controls as `\u0085`. Not reversible (a file may contain a literal `\x41`); use `fromBytes`
 * where the value must round-trip.
 */
export function displayBytes(bytes: Bytes, options: DisplayOptions = {}): string {
  const keep = options.keep ?? '';
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f-\xff]/.test(bytes)) return bytes;
  return decode(bytes, hex, (ch, cp) => (!isControl(cp) || keep.includes(ch) ? ch : cp < 0x80 ? hex(cp) : `\\u${cp.toString(16).padStart(4, '0')}`));
}

/**
 * The first control character in text typed by a person (C0 including TAB, CR and LF; DEL; C1),
 * or null. Such a character in a domain, comment or value would be written raw into the file:
 * a newline starts another line, ESC reaches the terminal of whoever reads the file.
 */
export function findControl(text: string): { char: string; index: number } | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c)) return { char: text[i]!, index: i };
  }
  return null;
}

/** How a control character is named in a message: "ESC (\x1b)", "newline (\n)". */
export function describeControl(char: string): string {
  const c = char.charCodeAt(0);
  const names: Record<number, string> = { 0: 'NUL', 9: 'tab', 10: 'newline', 13: 'carriage return', 27: 'ESC', 127: 'DEL' };
  const code = `\\x${c.toString(16).padStart(2, '0')}`;
  return names[c] ? `${names[c]} (${code})` : `the control character ${code}`;
}
