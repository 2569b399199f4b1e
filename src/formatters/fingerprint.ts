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

/** two hex digits of each byte value */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const hex8 = (n: number): string => `${HEX2[n >>> 24]!}${HEX2[(n >>> 16) & 0xff]!}${HEX2[(n >>> 8) & 0xff]!}${HEX2[n & 0xff]!}`;

/** The four lanes of {@link hash128} part way through a string (a, b, c, d). */
type Lanes = [number, number, number, number];

const SEEDS: Readonly<Lanes> = [0x9747b28c, 0x1b873593, 0xcc9e2d51, 0xe6546b64];

/** The lanes `from` carried on over the code units of `s` (a new array). */
function feed(from: Readonly<Lanes>, s: string): Lanes {
  // (the lanes read one by one, not destructured; each step kept a 32-bit integer with `| 0`:
  // about 13 % fewer instructions per code unit than `let [a, b, c, d] = from` and `a ^= a >>> 15`,
  // the same values)
  let a = from[0] | 0;
  let b = from[1] | 0;
  let c = from[2] | 0;
  let d = from[3] | 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const u = s.charCodeAt(i);
    a = Math.imul(a ^ u, 0x5bd1e995); a = (a ^ (a >>> 15)) | 0;
    b = Math.imul(b ^ u, 0x85ebca77); b = (b ^ (b >>> 13)) | 0;
    c = Math.imul(c ^ u, 0xc2b2ae3d); c = (c ^ (c >>> 16)) | 0;
    d = Math.imul(d ^ u, 0x27d4eb2f); d = (d ^ (d >>> 14)) | 0;
  }
  return [a, b, c, d];
}

function digest(l: Readonly<Lanes>): string {
  return `${hex8(fmix(l[0]))}${hex8(fmix(l[1]))}${hex8(fmix(l[2]))}${hex8(fmix(l[3]))}`;
}

/**
 * 128 bits of `s` as 32 hex digits: four independent 32-bit multiply-xorshift lanes (different
 * seeds and multipliers) over the UTF-16 code units, in one pass. Not cryptographic.
 */
export function hash128(s: string): string {
  return digest(feed(SEEDS, s));
}

/** Whether {@link normaliseMessage} can change `message` (one scan instead of three replaces). */
const NAMES_LINE = /\blines? \d|:\d+\)/;

/** The message with the line numbers it names taken out (see the module comment). */
export function normaliseMessage(message: string): string {
  if (!NAMES_LINE.test(message)) return message;
  // each replace only where its words are there (a replace that matches nothing scans the
  // whole message for nothing; most messages name a `line N`, few `lines`)
  let m = message;
  if (m.includes('lines ')) m = m.replace(/\blines \d+(?:\s*[–-]\s*\d+)?/g, 'lines #');
  if (m.includes('line ')) m = m.replace(/\bline \d+/g, 'line #');
  return m.replace(/:\d+\)/g, ':#)');
}

/** What a fingerprint is made of. */
export interface Fingerprintable {
  readonly code: string;
  readonly file: string;
  readonly message: string;
}

/** One key of a file: its hash and how many findings of the file had it so far. */
interface Key {
  readonly hash: string;
  count: number;
}

/** How many messages of one file and rule are remembered (then forgotten, and hashed again when seen). */
const MESSAGES_KEPT = 4096;

/**
 * Fingerprints the findings of a report in order. `next(d)` gives the finding's key hash (32 hex
 * digits) and its occurrence (1-based) among the findings of the same key in its file.
 *
 * The same values as hashing `CODE NUL FILE NUL normaliseMessage(MESSAGE)` with {@link hash128}
 * for each finding, worked out once per file, rule and message: a file's findings of one rule
 * often say the same thing (and a message is then compared, not normalised and hashed again),
 * and the hash of `CODE NUL FILE NUL` is carried on into each message rather than hashed again.
 */
export class Fingerprinter {
  private file: string | null = null;
  /** the keys of this file by hash (the occurrence counts) */
  private keys = new Map<string, Key>();
  /**
   * per rule: the lanes after `CODE NUL FILE NUL`, and the keys of messages seen in this file, by
   * message and by normalised message (messages that differ in their line numbers alone, such as
   * duplicate-entry's, have one key: it is hashed once)
   */
  private rules = new Map<string, { readonly lanes: Lanes; messages: Map<string, Key>; normalised: Map<string, Key> }>();
  private lastCode: string | null = null;
  private lastMessage: string | null = null;
  private lastKey: Key | null = null;

  /** after {@link step}: the finding's key hash (32 hex digits) */
  hash = '';
  /** after {@link step}: its occurrence (1-based) */
  occurrence = 0;

  next(d: Fingerprintable): { readonly hash: string; readonly occurrence: number } {
    this.step(d);
    return { hash: this.hash, occurrence: this.occurrence };
  }

  /** {@link next} without its result object: the fingerprint is left in `hash` and `occurrence`. */
  step(d: Fingerprintable): void {
    if (d.file !== this.file) {
      this.file = d.file;
      this.keys = new Map();
      this.rules = new Map();
      this.lastCode = null;
      this.lastMessage = null;
      this.lastKey = null;
    }
    let key: Key;
    if (d.code === this.lastCode && d.message === this.lastMessage) {
      key = this.lastKey!;
    } else {
      let rule = this.rules.get(d.code);
      if (rule === undefined) {
        rule = { lanes: feed(SEEDS, `${d.code}\u0000${d.file}\u0000`), messages: new Map(), normalised: new Map() };
        this.rules.set(d.code, rule);
      }
      let k = rule.messages.get(d.message);
      if (k === undefined) {
        const normal = normaliseMessage(d.message);
        k = rule.normalised.get(normal);
        if (k === undefined) {
          const hash = digest(feed(rule.lanes, normal));
          k = this.keys.get(hash);
          if (k === undefined) {
            k = { hash, count: 0 };
            this.keys.set(hash, k);
          }
          if (rule.normalised.size >= MESSAGES_KEPT) rule.normalised = new Map();
          rule.normalised.set(normal, k);
        }
        if (rule.messages.size >= MESSAGES_KEPT) rule.messages = new Map();
        rule.messages.set(d.message, k);
      }
      key = k;
      this.lastCode = d.code;
      this.lastMessage = d.message;
      this.lastKey = k;
    }
    key.count++;
    this.hash = key.hash;
    this.occurrence = key.count;
  }
}
