/**
 * Fingerprints of findings that stay the same from run to run while the finding is the same,
 * for SARIF `partialFingerprints` (SARIF 2.1.0 §3.27.17; GitHub code scanning matches alerts
 * across runs with them) and GitLab Code Quality `fingerprint` (the merge request widget compares
 * the fingerprints of the base and the head pipeline; equal ones are one entry). Pure.
 *
 * What goes in: the rule code, the file's display path, and the message with its line numbers
 * taken out (`line 12`, `lines 3–5`, `file.conf:7)` become `line #`, `lines #`, `file.conf:#)`) —
 * the message quotes what the finding is about (the item, value, domain or account), so two
 * runs give one finding the same key however far it moved up or down its file. Then the
 * occurrence: the 1st, 2nd, … finding of that key in the file (in order), so that identical
 * findings of one file differ. Not in it: the line and column, related locations, severity (a
 * settings change does not make a finding new), anything of other files.
 *
 * Memory: the counts of one file's keys (reset at every new file), never the report's.
 */

/** murmur3's 32-bit finaliser */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/**
 * 128 bits of `s` as 32 hex digits: four independent 32-bit multiply-xorshift lanes (different
 * seeds and multipliers) over the UTF-16 code units, in one pass. Not cryptographic.
 */
export function hash128(s: string): string {
  let a = 0x9747b28c;
  let b = 0x1b873593;
  let c = 0xcc9e2d51;
  let d = 0xe6546b64;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    a = Math.imul(a ^ u, 0x5bd1e995); a ^= a >>> 15;
    b = Math.imul(b ^ u, 0x85ebca77); b ^= b >>> 13;
    c = Math.imul(c ^ u, 0xc2b2ae3d); c ^= c >>> 16;
    d = Math.imul(d ^ u, 0x27d4eb2f); d ^= d >>> 14;
  }
  return `${hex8(fmix(a))}${hex8(fmix(b))}${hex8(fmix(c))}${hex8(fmix(d))}`;
}

/** The message with the line numbers it names taken out (see the module comment). */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\blines \d+(?:\s*[–-]\s*\d+)?/g, 'lines #')
    .replace(/\bline \d+/g, 'line #')
    .replace(/:\d+\)/g, ':#)');
}

/** What a fingerprint is made of. */
export interface Fingerprintable {
  readonly code: string;
  readonly file: string;
  readonly message: string;
}

/**
 * Fingerprints the findings of a report in order. `next(d)` gives the finding's key hash (32 hex
 * digits) and its occurrence (1-based) among the findings of the same key in its file.
 */
export class Fingerprinter {
  private file: string | null = null;
  private seen = new Map<string, number>();

  next(d: Fingerprintable): { readonly hash: string; readonly occurrence: number } {
    if (d.file !== this.file) {
      this.file = d.file;
      this.seen = new Map();
    }
    const hash = hash128(`${d.code}\u0000${d.file}\u0000${normaliseMessage(d.message)}`);
    const occurrence = (this.seen.get(hash) ?? 0) + 1;
    this.seen.set(hash, occurrence);
    return { hash, occurrence };
  }
}
