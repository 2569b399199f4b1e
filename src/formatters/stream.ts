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

/** The pieces {@link writeJson} writes, produced one at a time as they are asked for. */
export function* jsonPieces(value: unknown, indent: number = 2): Generator<string, void, undefined> {
  const streams: JsonStream[] = [];
  const nonce = `\u0001limitsctl-json-stream:${Date.now().toString(36)}${Math.random().toString(36).slice(2)}:`;
  const frame = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof JsonStream) {
      streams.push(v as JsonStream);
      return `${nonce}${streams.length - 1}:`;
    }
    return v;
  }, indent);
  if (frame === undefined) return;
  const unit = ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent))));
  let from = 0;
  for (let i = 0; i < streams.length; i++) {
    const token = JSON.stringify(`${nonce}${i}:`);
    const at = frame.indexOf(token, from);
    yield frame.slice(from, at);
    const lineStart = frame.lastIndexOf('\n', at) + 1;
    let pad = lineStart;
    while (frame.charCodeAt(pad) === 0x20) pad++;
    const outer = frame.slice(lineStart, pad);
    const inner = `${outer}${unit}`;
    const s = streams[i]!;
    let first = true;
    for (const item of s.items) {
      const v = s.map(item);
      let text = JSON.stringify(v, null, indent);
      // JSON.stringify writes undefined (and functions) in an array as null
      if (text === undefined) text = 'null';
      if (unit !== '' && text.includes('\n')) text = text.replace(/\n/g, `\n${inner}`);
      yield unit === '' ? `${first ? '[' : ','}${text}` : `${first ? '[\n' : ',\n'}${inner}${text}`;
      first = false;
    }
    yield first ? '[]' : unit === '' ? ']' : `\n${outer}]`;
    from = at + token.length;
  }
  yield frame.slice(from);
}

/** Where {@link pump} writes: a stream that may ask the writer to wait, or go away. */
export interface PumpSink {
  readonly write: Write;
  /** true once nobody reads any more (a closed pipe): the rest is not produced */
  readonly closed?: () => boolean;
  /** a promise when the sink holds more than it wants (wait for it), else undefined */
  readonly ready?: () => Promise<void> | undefined;
}

/**
 * Writes `pieces` to `sink` in blocks of at least `size` code units (as {@link chunked}), taking
 * the next pieces only when the sink is ready for them: between blocks it waits on
 * `sink.ready()`, which lets the event loop run, so a reader that went away (EPIPE) is noticed
 * while there is still output to produce. Stops as soon as `sink.closed()`.
 * @returns true when every piece was written, false when it stopped because the sink closed
 */
export async function pump(pieces: Iterable<string>, sink: PumpSink, size: number = CHUNK_SIZE): Promise<boolean> {
  let parts: string[] = [];
  let length = 0;
  const flush = async (): Promise<boolean> => {
    if (parts.length > 0) {
      const text = parts.length === 1 ? parts[0]! : parts.join('');
      parts = [];
      length = 0;
      sink.write(text);
    }
    if (sink.closed?.()) return false;
    const wait = sink.ready?.();
    if (wait) await wait;
    return !sink.closed?.();
  };
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    parts.push(piece);
    length += piece.length;
    if (length >= size && !(await flush())) return false;
  }
  return flush();
}
