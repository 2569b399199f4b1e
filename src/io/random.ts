/**
 * Random names and tokens for the write path (temporary files, the lock's owner token): `n`
 * bytes from the kernel's random source, as hex. Read from /dev/urandom with three system calls,
 * not through node:crypto, whose first load costs several milliseconds of a start (a `set` of one
 * line pays it for three short names); node:crypto where /dev/urandom cannot be read or is not
 * the kernel's random device (another device or file in its place). Both are the kernel's
 * CSPRNG (urandom(4), getrandom(2)).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

let urandom = true;
/** st_rdev of /dev/urandom (major 1, minor 9) and /dev/random (1, 8): Linux's devices.txt */
const URANDOM = (1 << 8) | 9;
const RANDOM = (1 << 8) | 8;

/**
 * `n` random bytes as 2n lowercase hex digits.
 * @throws only what node:crypto's randomBytes throws, when /dev/urandom cannot be read
 */
export function randomHex(n: number): string {
  if (urandom) {
    const buf = Buffer.alloc(n);
    let fd = -1;
    try {
      // never blocks, never follows a link
      fd = openSync('/dev/urandom', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      // the kernel's random devices only (urandom 1:9, random 1:8): another device in its place
      // (/dev/zero bind-mounted over it) would give the same "random" name to every file
      const st = fstatSync(fd);
      if (!st.isCharacterDevice() || (st.rdev !== URANDOM && st.rdev !== RANDOM)) throw new Error('not the random device');
      let got = 0;
      while (got < n) {
        const k = readSync(fd, buf, got, n - got, null);
        if (k <= 0) throw new Error('short read');
        got += k;
      }
      return buf.toString('hex');
    } catch {
      urandom = false; // not the random device, or not readable: node:crypto from now on
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
  return (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomBytes(n).toString('hex');
}
