/**
 * Reading a limits file from a stream, once and all of it: standard input (`lint --stdin`,
 * `lint -`), or a FIFO, character device, /dev/stdin, /proc/self/fd/N or a shell process
 * substitution (`<(…)`) named on the command line. A stream has no size to check beforehand, so
 * it is read up to the cap a limits file on disk has (MAX_LIMITS_FILE_BYTES, src/io/read.ts:
 * 16 MiB) plus one byte, and reading stops there: the stream is then what a file on disk above
 * the cap is (an {@link OversizedStream}: not read, finding LC306), and `/dev/zero` or an endless
 * FIFO costs at most that many bytes held, never a hang that eats memory.
 */
import { createReadStream } from 'node:fs';
import { LimitsError } from '../core/errors.js';
import { MAX_LIMITS_FILE_BYTES } from './read.js';

/** A stream that could not be read, or was longer than the cap: exit 2, nothing linted. */
export class StreamReadError extends LimitsError {
  constructor(message: string, code: 'ETOOLARGE' | `E${string}`, hint?: string) {
    super(message, { code, ...(hint ? { hint } : {}) });
    this.name = 'StreamReadError';
  }
}

/**
 * A stream longer than the cap: reading stopped after `read` bytes (more than `maxBytes`). It
 * stands for a file on disk above the cap, which limitsctl does not read (TreeFile status
 * 'not-evaluated', finding LC306); `message` says so as src/io/read.ts says it of such a file.
 */
export class OversizedStream {
  readonly message: string;
  constructor(readonly shown: string, readonly read: number, readonly maxBytes: number) {
    this.message = `${shown} is more than ${maxBytes} bytes (reading stopped there), above limitsctl's ${maxBytes}-byte cap for this file; limitsctl does not read it (see docs/pam_limits-semantics.md, "How limitsctl reads files")`;
  }
}

/**
 * The bytes of `source` up to `maxBytes` (default MAX_LIMITS_FILE_BYTES), or an
 * {@link OversizedStream} once more than that came: reading stops there and the source is
 * destroyed (when it can be). Holds at most `maxBytes` plus one chunk.
 * @param shown names the stream in messages ("standard input", "/dev/fd/63")
 * @throws StreamReadError with the OS code (EISDIR, ENXIO, EIO…) when a read fails
 */
export async function readStreamUpToCap(
  source: AsyncIterable<Buffer | string> & { destroy?: () => void },
  shown: string,
  maxBytes: number = MAX_LIMITS_FILE_BYTES,
): Promise<Buffer | OversizedStream> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      total += b.length;
      if (total > maxBytes) {
        source.destroy?.();
        return new OversizedStream(shown, total, maxBytes);
      }
      chunks.push(b);
    }
  } catch (e) {
    source.destroy?.();
    const code = (e as NodeJS.ErrnoException).code;
    throw new StreamReadError(`cannot read ${shown}: ${code ?? (e as Error).message}`, code !== undefined && /^E[A-Z0-9]+$/.test(code) ? code as `E${string}` : 'EUNKNOWN');
  }
  return Buffer.concat(chunks, total);
}

/**
 * All the bytes of `source` as {@link readStreamUpToCap} reads them, refusing a stream longer
 * than `maxBytes` (where the whole input is needed: `lint --stdin --fix` prints the fixed file).
 * @throws StreamReadError ETOOLARGE past the cap; the OS code (EISDIR, ENXIO, EIO…) when a read fails
 */
export async function readStreamCapped(
  source: AsyncIterable<Buffer | string> & { destroy?: () => void },
  shown: string,
  maxBytes: number = MAX_LIMITS_FILE_BYTES,
): Promise<Buffer> {
  const r = await readStreamUpToCap(source, shown, maxBytes);
  if (r instanceof OversizedStream) {
    throw new StreamReadError(
      `${shown} gave more than ${maxBytes} bytes, above limitsctl's cap for a limits file (the same cap as for a file on disk); nothing was linted`,
      'ETOOLARGE',
      'A limits file is never that large: check what is being piped in (a device such as /dev/zero, or a stream that does not end).',
    );
  }
  return r;
}

/**
 * All the bytes of the stream at `file` (a FIFO, a character device, /dev/stdin, /dev/fd/N):
 * opened once, read to its end — or an {@link OversizedStream} when it is longer than the cap.
 * Opening a FIFO waits for a writer, as `cat` does.
 * @throws StreamReadError as {@link readStreamUpToCap}; the OS code when it cannot be opened
 */
export async function readPathStream(file: string, shown: string = file, maxBytes: number = MAX_LIMITS_FILE_BYTES): Promise<Buffer | OversizedStream> {
  // this process's own standard input is read through fd 0, not opened again: a socket (what
  // Node's spawn gives a child for a pipe) cannot be opened through /dev/stdin (ENXIO)
  const fd = ownFd(file);
  if (fd === 0) return readStreamUpToCap(process.stdin, shown, maxBytes);
  // highWaterMark: read a device such as /dev/zero in 64 KiB pieces (the default), never more
  // than one piece past the cap
  try {
    return await readStreamUpToCap(createReadStream(file, { highWaterMark: 64 * 1024 }), shown, maxBytes);
  } catch (e) {
    if (fd === null || (e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    // another inherited socket (/dev/fd/N): read the descriptor itself
    return readStreamUpToCap(createReadStream('', { fd, autoClose: false, highWaterMark: 64 * 1024 }), shown, maxBytes);
  }
}

/** N when `file` names this process's descriptor N (/dev/stdin, /dev/fd/N, /proc/self/fd/N), else null. */
function ownFd(file: string): number | null {
  if (file === '/dev/stdin') return 0;
  const m = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(file);
  if (!m || (m[1] !== undefined && Number(m[1]) !== process.pid)) return null;
  return Number(m[2]);
}
