/**
 * The current directory under a name that file-system calls can use.
 *
 * process.cwd() decodes the kernel's bytes as UTF-8: a directory whose name is not UTF-8 (a
 * latin1 `caf\xe9`, `x\xff`) comes back with U+FFFD in place of each bad byte, a name that
 * denotes no directory, or another one. Every relative path made absolute from it (`.`, `--root
 * .`, `lint etc/security/limits.conf`) then names nothing ("does not exist"). Node has no
 * byte-exact cwd as a string, but the kernel names the current directory itself: /proc/self/cwd
 * (a link to it whatever its name; the CLI never changes the process's directory, main() says
 * so). So a relative path is resolved from /proc/self/cwd there, and the physical path of
 * anything under the current directory is kept spelled through it ({@link realPathKeepingCwd}):
 * the link's own target, decoded, would name nothing again. A path that climbs out of it (`..`,
 * `../other`) is resolved from the decoded name instead ({@link resolveFrom}, {@link dirsUpFrom}):
 * lexically, /proc/self/cwd/.. is /proc/self, while the directories above the current one have
 * names of their own, UTF-8 as a rule.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** The kernel's name for the process's current directory (Linux, /proc mounted). */
export const CWD_LINK = '/proc/self/cwd';

/** Whether `p` names the directory `here` (dev and inode compared; false when it cannot be stat'ed). */
function names(p: string, here: { dev: bigint; ino: bigint }): boolean {
  try {
    const st = statSync(p, { bigint: true });
    return st.dev === here.dev && st.ino === here.ino;
  } catch {
    return false;
  }
}

/**
 * The current directory as an absolute path that names it: process.cwd() when it does (always,
 * unless it holds U+FFFD), else {@link CWD_LINK}; null when neither does (a name that is not
 * UTF-8 and no /proc). Costs a string search, and two stats only for a name with U+FFFD.
 */
export function currentDirectory(): string | null {
  const cwd = process.cwd();
  if (!cwd.includes('\uFFFD')) return cwd;
  let here;
  try {
    here = statSync('.', { bigint: true });
  } catch {
    return null;
  }
  // a name that truly holds U+FFFD (the UTF-8 bytes EF BF BD) is its own name
  if (names(cwd, here)) return cwd;
  return names(CWD_LINK, here) ? CWD_LINK : null;
}

/**
 * `realpath` (realpathSync or realpathSync.native) of `p`, except that a path under
 * {@link CWD_LINK} whose physical path is not UTF-8 stays spelled from CWD_LINK
 * (`/proc/self/cwd/etc/security`): decoded, that physical path would name nothing. Any other
 * path is `realpath(p)` as it is.
 */
export function realPathKeepingCwd(p: string, realpath: (p: string) => string = realpathSync): string {
  if (p !== CWD_LINK && !p.startsWith(`${CWD_LINK}/`)) return realpath(p);
  const real = realpathSync.native(p, { encoding: 'buffer' });
  const text = real.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(real)) return text;
  const cwd = realpathSync.native(CWD_LINK, { encoding: 'buffer' });
  const under = real.length === cwd.length || (real.length > cwd.length && real[cwd.length] === 0x2f);
  return under && real.subarray(0, cwd.length).equals(cwd) ? `${CWD_LINK}${real.subarray(cwd.length).toString('utf8')}` : text;
}

/** Whether the relative path `p` climbs out of the directory it is taken from (`..`, `../x`, `a/../../x`). */
function climbsOut(p: string): boolean {
  const n = path.normalize(p);
  return n === '..' || n.startsWith('../');
}

/**
 * `p` made absolute from the directory `cwd`, as path.resolve(cwd, p) does, except that from
 * {@link CWD_LINK} a path that climbs out of it is resolved from the directory's name as Node
 * decodes it (process.cwd(): the bad bytes are dropped by the climb, so the result names the
 * directory above it — unless that one's name is not UTF-8 either).
 */
export function resolveFrom(cwd: string, p: string): string {
  if (cwd !== CWD_LINK || path.isAbsolute(p) || !climbsOut(p)) return path.resolve(cwd, p);
  return path.resolve(process.cwd(), p);
}

/**
 * The directory a glob `pattern` is expanded from, for `cwd`: `cwd`, except that a pattern that
 * climbs out of {@link CWD_LINK} is expanded from the decoded name (as {@link resolveFrom}).
 */
export function globCwd(cwd: string, pattern: string): string {
  return cwd === CWD_LINK && !path.isAbsolute(pattern) && climbsOut(pattern) ? process.cwd() : cwd;
}

/**
 * `dir` and each directory above it, nearest first (a search for a settings file): from
 * {@link CWD_LINK}, itself, then the directories above the decoded name.
 */
export function dirsUpFrom(dir: string): string[] {
  const out: string[] = [];
  let d = path.resolve(dir);
  if (d === CWD_LINK) {
    out.push(d);
    d = path.dirname(process.cwd());
  }
  for (;;) {
    out.push(d);
    const parent = path.dirname(d);
    if (parent === d) return out;
    d = parent;
  }
}
