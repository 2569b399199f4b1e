/**
 * One buffer for reading a file a piece at a time to compare it with bytes in memory (an edit's
 * load under its lock, the write's checks of the file it replaces), made at its first use and
 * reused by every such comparison of the process: each is one synchronous loop, so none runs
 * while another holds it. A new 256 KiB buffer per comparison cost its pages' first touch each
 * time, which on a virtual machine whose host backs guest memory lazily costs more than reading.
 */

/** The size of the buffer, in bytes. */
export const COMPARE_PIECE = 256 * 1024;

let piece: Buffer | null = null;

/** The process's comparison buffer ({@link COMPARE_PIECE} bytes; its content is whatever the last comparison left). */
export function comparisonBuffer(): Buffer {
  return (piece ??= Buffer.allocUnsafeSlow(COMPARE_PIECE));
}
