/**
 * Output written in pieces instead of one string: a report with a million findings is hundreds
 * of megabytes, past what a single JavaScript string can hold (about 512 MiB) and far more than
 * is worth keeping in memory. The formatters produce their text as a sequence of pieces (or write
 * them to a `Write` sink); `chunked` and `pump` gather the small pieces into blocks of about 64 KiB
 * so the sink sees few, large writes, and `pump` takes the next pieces only when the sink is ready
 * (a slow reader is waited for; a reader that went away stops the output). Pure (no I/O of its own).
 */

/** Receives output text in order, piece by piece. */
export type Write = (text: string) => void;

/** Default block size of `chunked`, in UTF-16 code units. */
export const CHUNK_SIZE = 1 << 16;

/**
 * Default block size of a {@link PumpWriter} whose sink takes bytes, in bytes. After each block
 * lint flushes and lets the event loop turn (a system call and a round of the loop): 256 KiB
 * blocks make a quarter of the turns of 64 KiB ones for the same output — a SARIF result is about
 * 900 bytes, so 64 KiB blocks cost a turn every 70 findings. The buffer holds 6 blocks' worth.
 */
export const BYTES_BLOCK_SIZE = 1 << 18;

/**
 * Pieces at least this long (code units) go straight into {@link PumpWriter}'s buffer of bytes;
 * shorter ones are joined first (a call into Buffer#write per piece would cost more).
 */
const DIRECT = 512;

/**
 * A sink that passes text on to `write` in blocks of at least `size` code units (except the
 * last); call `flush()` once at the end.
 */
export function chunked(write: Write, size: number = CHUNK_SIZE): { write: Write; flush(): void } {
  let parts: string[] = [];
  let length = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    length = 0;
    write(text);
  };
  return {
    write(text: string) {
      if (text.length === 0) return;
      parts.push(text);
      length += text.length;
      if (length >= size) flush();
    },
    flush,
  };
}

/** Runs `fn` on a sink that collects everything into one string (for small reports and tests). */
export function collect(fn: (write: Write) => void): string {
  const parts: string[] = [];
  fn((t) => { parts.push(t); });
  return parts.join('');
}

/**
 * An array written element by element by `writeJson` (elements are produced lazily by `map`):
 * JSON.stringify of the enclosing value would hold the whole array's text at once.
 */
export class JsonStream<T = unknown> {
  constructor(readonly items: Iterable<T>, readonly map: (item: T) => unknown = (x) => x) {}
}

/**
 * Writes exactly `JSON.stringify(value, null, indent)` (byte for byte, with every JsonStream
 * read as the array of its mapped items), in pieces: the text around each stream, then each
 * element of the stream. Elements must not themselves contain a JsonStream.
 */
export function writeJson(value: unknown, write: Write, indent: number = 2): void {
  for (const piece of jsonPieces(value, indent)) write(piece);
}

/** The JSON text of a value with each JsonStream replaced by a token, and the streams in order. */
function frameOf(value: unknown, indent: number): { frame: string | undefined; streams: JsonStream[]; token: (i: number) => string } {
  const streams: JsonStream[] = [];
  const nonce = `\u0001limitsctl-json-stream:${Date.now().toString(36)}${Math.random().toString(36).slice(2)}:`;
  const frame = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof JsonStream) {
      streams.push(v as JsonStream);
      return `${nonce}${streams.length - 1}:`;
    }
    return v;
  }, indent);
  return { frame, streams, token: (i) => JSON.stringify(`${nonce}${i}:`) };
}

/** The elements of one streamed array, written as JSON.stringify would inside its enclosing value. */
class ArrayText {
  private first = true;
  private readonly inner: string;

  /** `outer`: the indentation of the line the array starts on; `unit`: one level of indentation */
  constructor(private readonly outer: string, private readonly unit: string, private readonly indent: number) {
    this.inner = `${outer}${unit}`;
  }

  item(v: unknown): string {
    let text = JSON.stringify(v, null, this.indent);
    // JSON.stringify writes undefined (and functions) in an array as null
    if (text === undefined) text = 'null';
    if (this.unit !== '' && text.includes('\n')) text = text.replace(/\n/g, `\n${this.inner}`);
    return this.text(text);
  }

  /** An element whose JSON text (indented for this array: see {@link ElementText}) is given. */
  text(text: string): string {
    const out = this.unit === '' ? `${this.first ? '[' : ','}${text}` : `${this.first ? '[\n' : ',\n'}${this.inner}${text}`;
    this.first = false;
    return out;
  }

  /**
   * What {@link text} puts before the next element, as UTF-8 (made once per array: '[\n' and
   * the indentation before the first element, ',\n' and it before each later one). The element
   * is then written by its caller; {@link taken} says it was.
   */
  leadBytes(): Uint8Array {
    if (this.first) return Buffer.from(this.unit === '' ? '[' : `[\n${this.inner}`, 'utf8');
    return (this.nextLead ??= Buffer.from(this.unit === '' ? ',' : `,\n${this.inner}`, 'utf8'));
  }

  private nextLead: Uint8Array | null = null;

  /** An element was written after {@link leadBytes}. */
  taken(): void {
    this.first = false;
  }

  /** the indentation of the elements' lines */
  get elementIndent(): string {
    return this.inner;
  }

  close(): string {
    return this.first ? '[]' : this.unit === '' ? ']' : `\n${this.outer}]`;
  }
}

function indentUnit(indent: number): string {
  return ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent))));
}

/** The indentation of the line of `frame` that holds position `at`. */
function lineIndent(frame: string, at: number): string {
  const lineStart = frame.lastIndexOf('\n', at) + 1;
  let pad = lineStart;
  while (frame.charCodeAt(pad) === 0x20) pad++;
  return frame.slice(lineStart, pad);
}

/** The pieces {@link writeJson} writes, produced one at a time as they are asked for. */
export function* jsonPieces(value: unknown, indent: number = 2): Generator<string, void, undefined> {
  const { frame, streams, token } = frameOf(value, indent);
  if (frame === undefined) return;
  const unit = indentUnit(indent);
  let from = 0;
  for (let i = 0; i < streams.length; i++) {
    const tok = token(i);
    const at = frame.indexOf(tok, from);
    yield frame.slice(from, at);
    const s = streams[i]!;
    const arr = new ArrayText(lineIndent(frame, at), unit, indent);
    for (const item of s.items) yield arr.item(s.map(item));
    yield arr.close();
    from = at + tok.length;
  }
  yield frame.slice(from);
}

/**
 * An element's JSON text written by hand: exactly `JSON.stringify(map(item), null, unit)` with
 * every line after the first prefixed by `indent` (the indentation of the element's own line), or
 * undefined to leave the element to JSON.stringify. `unit` is one level of indentation (never '').
 */
export type ElementText<T> = (item: T, indent: string, unit: string) => string | undefined;

/** A string as JSON.stringify writes it (the quotes and escapes of ECMA-262 QuoteJSONString). */
export const jsonString = (s: string): string => JSON.stringify(s);

/**
 * {@link jsonString} that keeps the last string's text: findings in a row often carry the same
 * message (a rule reporting the same mistake on many lines), and comparing it with the last one
 * costs a fraction of quoting it again (about 0.7 µs for a 120-character message).
 */
export function lastJsonString(): (s: string) => string {
  let last: string | null = null;
  let text = '';
  return (s) => {
    if (s !== last) {
      text = JSON.stringify(s);
      last = s;
    }
    return text;
  };
}

/** The longest text (code units) {@link utf8Cache} and {@link jsonStringBytes} keep. */
const CACHED_TEXT_MAX = 4096;

/**
 * `utf8` of texts that come back (a format's pieces per rule and severity, while findings of a file
 * alternate between rules): each encoded once and kept, up to `max` (then all forgotten at once);
 * a text longer than CACHED_TEXT_MAX is encoded each time.
 */
export function utf8Cache(max = 512): (text: string) => Uint8Array {
  let kept = new Map<string, Uint8Array>();
  return (text) => {
    let b = kept.get(text);
    if (b === undefined) {
      b = utf8(text);
      if (text.length <= CACHED_TEXT_MAX) {
        if (kept.size >= max) kept = new Map();
        kept.set(text, b);
      }
    }
    return b;
  };
}

/**
 * {@link jsonString} as UTF-8, kept for the last string and for recent ones (up to `max`, then
 * all forgotten at once; one longer than CACHED_TEXT_MAX only while it is the last): findings
 * of a file alternate between a few messages, each quoted and encoded once. The same array is
 * returned for the same string while it is kept (a {@link Stamp} key).
 */
export function jsonStringBytes(max = 256): (s: string) => Uint8Array {
  let last: string | null = null;
  let lastBytes: Uint8Array = NO_BYTES;
  let kept = new Map<string, Uint8Array>();
  return (s) => {
    if (s === last) return lastBytes;
    let b = kept.get(s);
    if (b === undefined) {
      b = utf8(JSON.stringify(s));
      if (s.length <= CACHED_TEXT_MAX) {
        if (kept.size >= max) kept = new Map();
        kept.set(s, b);
      }
    }
    last = s;
    lastBytes = b;
    return b;
  };
}

/**
 * `s` as one flat string. A string built by concatenation is a tree of its pieces, walked again
 * by every join that copies it: a fragment kept and reused for many elements is flattened once.
 */
export function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** `text` as UTF-8 (for a fixed piece of a format written once and copied into every block). */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/**
 * Where a format writes one element as bytes rather than as a string ({@link PumpWriter} in bytes
 * mode): the fixed pieces of a finding (encoded once) are copied, its numbers written as digits,
 * and no string is built, joined or encoded per finding. The bytes must be exactly the UTF-8 of
 * the text the format's string writer gives for the same element.
 */
export interface ByteOut {
  /** copies `b` (the caller may keep and reuse it: it is never held) */
  bytes(b: Uint8Array): void;
  /** `${n}` (String(n)): digits for a whole number from 0 to 2^31 - 1, else the string as text */
  number(n: number): void;
  /** `s` as UTF-8 */
  text(s: string): void;
}

/** A piece of {@link RunBytes}: text (written as UTF-8) or bytes. */
export type Piece = string | Uint8Array;

/** The longest run (UTF-16 code units, or bytes) {@link RunBytes} keeps as one array. */
const RUN_MAX = 4096;

/**
 * Four pieces written one after another (the fixed text between a finding's numbers, with its
 * message) where they repeat from one finding to the next: written piece by piece the first
 * time; when the same four come again (a run of findings of one rule, file and message) they are
 * joined into one array, kept, and copied in one go while they last — one copy instead of four
 * (each a call into the buffer) per finding. Pieces are compared with `===` (a string by its
 * text, an array by identity: pass the same array for the same bytes). A run longer than
 * RUN_MAX is never kept (a long message is written piece by piece).
 */
export class RunBytes {
  private k0: Piece | null = null;
  private k1: Piece | null = null;
  private k2: Piece | null = null;
  private k3: Piece | null = null;
  /** the pieces joined; null until they repeat, or when too long to keep */
  private joined: Uint8Array | null = null;
  private seen = false;

  /** `a`, `b`, `c` and `d` (each as UTF-8 when text) written to `out` */
  write(out: ByteOut, a: Piece, b: Piece, c: Piece, d: Piece): void {
    if (a === this.k0 && b === this.k1 && c === this.k2 && d === this.k3) {
      let j = this.joined;
      if (j === null && !this.seen) {
        this.seen = true;
        if (a.length + b.length + c.length + d.length <= RUN_MAX) {
          j = this.joined = Buffer.concat([bytesOf(a), bytesOf(b), bytesOf(c), bytesOf(d)]);
        }
      }
      if (j !== null) {
        out.bytes(j);
        return;
      }
    } else {
      this.k0 = a; this.k1 = b; this.k2 = c; this.k3 = d;
      this.joined = null;
      this.seen = false;
    }
    put(out, a); put(out, b); put(out, c); put(out, d);
  }
}

/** The most numbers one {@link Stamp} holds. */
const STAMP_NUMBERS = 5;

/** The longest element (bytes) a {@link Stamp} keeps; a longer one (a long message) is written piece by piece. */
const STAMP_MAX = 4096;

const NO_BYTES = Buffer.alloc(0);

/**
 * An element's bytes kept whole from one element to the next while only its numbers change: a
 * run of findings of one rule, file and message (a file of many bad lines) differs from one
 * result to the next in its line numbers (and SARIF's occurrence) alone. The element is written
 * once into the stamp (it is a {@link ByteOut}: the format's own writer of pieces writes into it),
 * and the next elements of the run are the stamp with those numbers rewritten in place (when
 * they have as many digits as before) and copied out in one go — one copy per element instead of
 * a dozen pieces, each a call into the output buffer.
 *
 * Use: `same(k0…k4)` with what the element's fixed text depends on (compared with `===`: pass
 * the same arrays and strings for the same text); when true, `put(out, n0…n4)` writes the
 * element if the stamp can; else, when `same` was true, the element is written into
 * `begin()` and then `end(out)` (which copies it out), and when `same` was false straight into
 * `out`. The numbers passed to `put` are those the element writes with `number`, in order (the
 * unused ones are ignored); a number that is not a whole number from 0 to 2^31 - 1 is never
 * patched (the element is written again).
 */
export class Stamp implements ByteOut {
  private k0: unknown = null;
  private k1: unknown = null;
  private k2: unknown = null;
  private k3: unknown = null;
  private k4: unknown = null;
  /** the stamp holds the last element of these keys, and its numbers can be patched */
  private ready = false;
  /** the last element of these keys was too long to keep: they are written straight out */
  private long = false;
  /** a number written into the stamp was not a plain whole number */
  private odd = false;
  private buf: Buffer = Buffer.allocUnsafeSlow(1024);
  private used = 0;
  private view: Buffer = NO_BYTES;
  private count = 0;
  private expected = 0;
  private readonly at = new Int32Array(STAMP_NUMBERS);
  private readonly len = new Int32Array(STAMP_NUMBERS);
  private readonly val = new Float64Array(STAMP_NUMBERS);

  /** Whether the keys are those of the last call (then try {@link put}, else write into {@link begin}). */
  same(k0: unknown, k1: unknown, k2: unknown, k3: unknown, k4: unknown): boolean {
    if (k0 === this.k0 && k1 === this.k1 && k2 === this.k2 && k3 === this.k3 && k4 === this.k4) return !this.long;
    this.k0 = k0; this.k1 = k1; this.k2 = k2; this.k3 = k3; this.k4 = k4;
    this.ready = false;
    this.long = false;
    return false;
  }

  /** Writes the stamp with these numbers to `out`; false (nothing written) when it cannot. */
  put(out: ByteOut, n0: number, n1: number, n2: number, n3: number, n4: number): boolean {
    if (!this.ready) return false;
    const c = this.count;
    const val = this.val;
    if ((c > 0 && n0 !== val[0] && !this.patch(0, n0))
      || (c > 1 && n1 !== val[1] && !this.patch(1, n1))
      || (c > 2 && n2 !== val[2] && !this.patch(2, n2))
      || (c > 3 && n3 !== val[3] && !this.patch(3, n3))
      || (c > 4 && n4 !== val[4] && !this.patch(4, n4))) {
      this.ready = false;
      return false;
    }
    out.bytes(this.view);
    return true;
  }

  /** number `i` rewritten as `n`, when it has as many digits as the one it replaces */
  private patch(i: number, n: number): boolean {
    if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) return false;
    const start = this.at[i]!;
    const buf = this.buf;
    let p = start + this.len[i]!;
    if (n === this.val[i]! + 1) {
      // the next number (the next line, the next occurrence): the last digit counted up, and the
      // nines before it carried
      while (--p >= start) {
        if (buf[p] !== 0x39) {
          buf[p]!++;
          this.val[i] = n;
          return true;
        }
        buf[p] = 0x30;
      }
      // all nines: one digit more (the stamp is written again)
      return false;
    }
    let x = n | 0;
    do {
      const q = (x / 10) | 0;
      buf[--p] = 0x30 + x - q * 10;
      x = q;
    } while (x !== 0 && p > start);
    // more digits (they overwrote the text before: the stamp is written again) or fewer
    if (x !== 0 || p !== start) return false;
    this.val[i] = n;
    return true;
  }

  /**
   * The stamp emptied, to write the element into (then {@link end}); `numbers`: how many numbers
   * the element writes with `number` (one written as text instead, a JSON null, makes the stamp
   * one that is not kept).
   */
  begin(numbers: number): ByteOut {
    this.used = 0;
    this.count = 0;
    this.expected = numbers;
    this.odd = false;
    this.ready = false;
    return this;
  }

  /** Copies the element written since {@link begin} to `out`, and keeps it when it can be patched. */
  end(out: ByteOut): void {
    const n = this.used;
    this.view = this.buf.subarray(0, n);
    out.bytes(this.view);
    this.long = n > STAMP_MAX;
    this.ready = !this.odd && !this.long && this.count === this.expected && this.count <= STAMP_NUMBERS;
    if (this.long) {
      this.view = NO_BYTES;
      this.buf = Buffer.allocUnsafeSlow(1024);
    }
  }

  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.used + n));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }

  /** ByteOut (between begin and end) */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  /** ByteOut (between begin and end): the digits of `n`, and where they are */
  number(n: number): void {
    const i = this.count++;
    const plain = n >= 0 && n <= 0x7fffffff && (n | 0) === n;
    if (!plain || i >= STAMP_NUMBERS) {
      if (!plain) this.odd = true;
      this.text(`${n}`);
      return;
    }
    this.room(10);
    const buf = this.buf;
    let x = n | 0;
    let len = 1;
    for (let t = x; t >= 10; t = (t / 10) | 0) len++;
    const start = this.used;
    let p = start + len;
    this.used = p;
    do {
      const q = (x / 10) | 0;
      buf[--p] = 0x30 + x - q * 10;
      x = q;
    } while (x !== 0);
    this.at[i] = start;
    this.len[i] = len;
    this.val[i] = n;
  }

  /** ByteOut (between begin and end) */
  text(s: string): void {
    if (s.length === 0) return;
    this.room(3 * s.length);
    this.used += this.buf.write(s, this.used, 'utf8');
  }
}

function bytesOf(p: Piece): Uint8Array {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

function put(out: ByteOut, p: Piece): void {
  if (typeof p === 'string') out.text(p); else out.bytes(p);
}

/**
 * A JSON element's text written as bytes ({@link ByteOut}): `lead` (the separator and
 * indentation before it, see ElementText for `indent` and `unit`) and then the element, exactly
 * the UTF-8 of `lead` decoded and followed by the element's JSON text. Returns false, having
 * written nothing and changed no state, to leave the element to the string writer.
 */
export type ElementBytes<T> = (item: T, indent: string, unit: string, out: ByteOut, lead: Uint8Array) => boolean;

/** A number as JSON.stringify writes it: null for NaN and the infinities. */
export function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/** jsonNumber(n) written into `out` (ByteOut) as bytes. */
export function jsonNumberInto(out: ByteOut, n: number): void {
  if (Number.isFinite(n)) out.number(n); else out.text('null');
}

/**
 * A JSON document whose one array is written element by element as the elements are produced,
 * and whose members after that array may depend on every element (a summary): the same text as
 * `JSON.stringify(doc, null, indent)`, byte for byte, in three calls. `begin(doc)` gives the text
 * before the array (the members before it must be final; those after it are ignored, so they may
 * be left out); `item(x)` one element; `end(doc)` closes the array and gives the text after it
 * (the document again, now complete: members before the array are ignored). In both documents
 * the array is a {@link JsonStream} (its items are not read) at the same place.
 * @throws Error when a document holds no JsonStream or more than one
 */
export class JsonSplice<T> {
  private arr: ArrayText | null = null;
  private readonly unit: string;

  /**
   * `text`, when given, writes an element's JSON text itself (a formatter's hand-written writer
   * for its common shapes: JSON.stringify with an indent and a reindenting replace cost several
   * µs per finding); where it returns undefined the element is `map(item)` through JSON.stringify.
   */
  constructor(private readonly map: (item: T) => unknown, private readonly indent: number = 2, private readonly text?: ElementText<T>, private readonly bytes?: ElementBytes<T>) {
    this.unit = indentUnit(indent);
  }

  private cut(doc: unknown): { before: string; after: string; outer: string } {
    const { frame, streams, token } = frameOf(doc, this.indent);
    if (frame === undefined || streams.length !== 1) throw new Error(`JsonSplice: the document must hold exactly one JsonStream (it holds ${streams.length})`);
    const tok = token(0);
    const at = frame.indexOf(tok);
    return { before: frame.slice(0, at), after: frame.slice(at + tok.length), outer: lineIndent(frame, at) };
  }

  begin(doc: unknown): string {
    const c = this.cut(doc);
    this.arr = new ArrayText(c.outer, this.unit, this.indent);
    return c.before;
  }

  item(x: T): string {
    if (this.arr === null) throw new Error('JsonSplice: item() before begin()');
    if (this.text !== undefined && this.unit !== '') {
      const t = this.text(x, this.arr.elementIndent, this.unit);
      if (t !== undefined) return this.arr.text(t);
    }
    return this.arr.item(this.map(x));
  }

  /**
   * {@link item} written to `out` as bytes: through the element writer of bytes when it takes the
   * element, else the text of {@link item}.
   */
  itemInto(x: T, out: ByteOut): void {
    const arr = this.arr;
    if (arr === null) throw new Error('JsonSplice: item() before begin()');
    if (this.bytes !== undefined && this.unit !== '' && this.bytes(x, arr.elementIndent, this.unit, out, arr.leadBytes())) {
      arr.taken();
      return;
    }
    out.text(this.item(x));
  }

  end(doc: unknown): string {
    if (this.arr === null) throw new Error('JsonSplice: end() before begin()');
    return `${this.arr.close()}${this.cut(doc).after}`;
  }
}

/** Where {@link pump} writes: a stream that may ask the writer to wait, or go away. */
export interface PumpSink {
  readonly write: Write;
  /**
   * Takes the same text already encoded as UTF-8, instead of `write`. The bytes are the
   * writer's again once the call returns (they are overwritten by the next block): a sink that
   * keeps them must copy them. A block's text is encoded into one buffer used again and again,
   * rather than into a new buffer per block by the sink (about 64 KiB of fresh memory, and its
   * page faults, for every block).
   */
  readonly writeBytes?: (bytes: Buffer) => void;
  /** true once nobody reads any more (a closed pipe): the rest is not produced */
  readonly closed?: () => boolean;
  /** a promise when the sink holds more than it wants (wait for it), else undefined */
  readonly ready?: () => Promise<void> | undefined;
}

/**
 * Text pushed piece by piece and written to a {@link PumpSink} in blocks of at least `size` code
 * units (as {@link chunked}). `push` only queues (no await per piece); when it returns true a
 * block is ready and the caller awaits `flush()`, which writes it and waits on `sink.ready()` —
 * letting the event loop run, so a reader that went away (EPIPE) is noticed while there is still
 * output to produce. Used by {@link pump}, and by lint to write findings as it finds them.
 */
export class PumpWriter implements ByteOut {
  private parts: string[] = [];
  private length = 0;
  private gone = false;
  /** where blocks are encoded for `sink.writeBytes` (made on the first block), and how much is filled */
  private block: Buffer | null = null;
  private used = 0;

  /** the block size: `size` code units (text), or bytes (bytes mode); see {@link BYTES_BLOCK_SIZE} for the default of bytes */
  private readonly size: number;

  constructor(private readonly sink: PumpSink, size?: number) {
    this.size = size ?? (sink.writeBytes !== undefined ? BYTES_BLOCK_SIZE : CHUNK_SIZE);
  }

  /** true once the sink has closed: what is pushed afterwards is dropped */
  get closed(): boolean {
    if (!this.gone && this.sink.closed?.()) this.gone = true;
    return this.gone;
  }

  /** Queues `text`; true when a block of `size` is waiting (await {@link flush} then). */
  push(text: string): boolean {
    if (text.length === 0 || this.gone) return false;
    if (this.sink.writeBytes === undefined || text.length < DIRECT) {
      this.parts.push(text);
      this.length += text.length;
      return this.used + this.length >= this.size;
    }
    // a long piece (a SARIF result) is encoded at once: joining it first would copy it twice
    this.drain();
    this.encode(text);
    return this.used >= this.size;
  }

  /** true when {@link pushInto} writes bytes (the sink takes them: `writeBytes`) */
  get bytesMode(): boolean {
    return this.sink.writeBytes !== undefined;
  }

  /**
   * `write(x, this)` writes an element as bytes ({@link ByteOut}) after what is queued; bytes
   * mode only (else the element's text must be pushed). Like {@link push}, true when a block is
   * waiting.
   */
  pushInto<T>(write: (x: T, out: ByteOut) => void, x: T): boolean {
    if (this.gone) return false;
    this.drain();
    this.block ??= Buffer.allocUnsafeSlow(6 * Math.max(this.size, CHUNK_SIZE));
    write(x, this);
    return this.used >= this.size;
  }

  /** ByteOut: copies `b` into the block (bytes mode, within pushInto) */
  bytes(b: Uint8Array): void {
    const n = b.length;
    const buf = this.block!;
    if (this.used + n > buf.length) {
      this.hand();
      if (n > buf.length) {
        if (!this.closed) this.sink.writeBytes!(Buffer.isBuffer(b) ? b : Buffer.from(b));
        return;
      }
    }
    let at = this.used;
    if (n <= 16) for (let i = 0; i < n; i++) buf[at++] = b[i]!;
    else buf.set(b, at);
    this.used += n;
  }

  /** ByteOut: `${n}` (bytes mode, within pushInto) */
  number(n: number): void {
    if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) {
      this.encode(`${n}`);
      return;
    }
    const buf = this.block!;
    if (this.used + 10 > buf.length) this.hand();
    // as a 32-bit integer (a number may come as a double, as one read from a Float64Array): its division
    // by 10 is a multiplication, not a floating-point division. (One loop for the length, not a
    // comparison per digit count: the first number of 5 digits, then of 6, would each reach a
    // comparison the optimised code had never seen, and throw it away.)
    let x = n | 0;
    let len = 1;
    for (let t = x; t >= 10; t = (t / 10) | 0) len++;
    let at = this.used + len;
    this.used = at;
    while (x >= 10) {
      const q = (x / 10) | 0;
      buf[--at] = 0x30 + x - q * 10;
      x = q;
    }
    buf[--at] = 0x30 + x;
  }

  /** ByteOut: `s` as UTF-8 (bytes mode, within pushInto) */
  text(s: string): void {
    if (s.length > 0) this.encode(s);
  }

  /**
   * Writes what is queued and waits until the sink is ready for more.
   * @returns false once the sink has closed (nothing more will be written)
   */
  async flush(): Promise<boolean> {
    if (!this.closed) {
      if (this.sink.writeBytes === undefined) {
        if (this.parts.length > 0) {
          const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
          this.parts = [];
          this.length = 0;
          this.sink.write(text);
        }
      } else {
        this.drain();
        this.hand();
      }
    }
    if (this.closed) {
      this.parts = [];
      this.length = 0;
      this.used = 0;
      return false;
    }
    const wait = this.sink.ready?.();
    if (wait) await wait;
    return !this.closed;
  }

  /** Bytes mode: the queued short pieces, joined, into the buffer. */
  private drain(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.length = 0;
    this.encode(text);
  }

  /** Bytes mode: the filled part of the buffer to the sink (which is done with it when the call returns). */
  private hand(): void {
    if (this.used > 0 && this.block !== null) {
      const n = this.used;
      this.used = 0;
      if (!this.closed) this.sink.writeBytes!(this.block.subarray(0, n));
    }
  }

  /** Bytes mode: `text` as UTF-8 after what the buffer holds. */
  private encode(text: string): void {
    // a code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4): the buffer
    // holds two blocks' worth of any text. What does not fit (a caller that pushed on without
    // flushing, a diff longer than a block) is written at once, and a longer text as text.
    this.block ??= Buffer.allocUnsafeSlow(6 * Math.max(this.size, CHUNK_SIZE));
    const most = text.length * 3;
    if (this.used + most > this.block.length) this.hand();
    if (most > this.block.length) {
      if (!this.closed) this.sink.write(text);
      return;
    }
    this.used += this.block.write(text, this.used, this.block.length - this.used, 'utf8');
  }
}

/**
 * Writes `pieces` to `sink` in blocks of at least `size` code units (as {@link chunked}), taking
 * the next pieces only when the sink is ready for them ({@link PumpWriter}). Stops as soon as
 * `sink.closed()`.
 * @returns true when every piece was written, false when it stopped because the sink closed
 */
export async function pump(pieces: Iterable<string>, sink: PumpSink, size: number = CHUNK_SIZE): Promise<boolean> {
  const w = new PumpWriter(sink, size);
  for (const piece of pieces) {
    if (w.push(piece) && !(await w.flush())) return false;
  }
  return w.flush();
}
