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
 * names of their own, UTF-8 as a rule — and each is checked (dev and inode) against the kernel's
 * own walk (/proc/self/cwd/..): one whose decoded name names another directory (a decoy named
 * with U+FFFD itself) or none is refused ({@link CwdNameError}), never used instead. Without
 * /proc, such a current directory is CWD_LINK all the same, which then names nothing: every
 * relative path fails ("does not exist") rather than reaching a decoy.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { LimitsIoError } from './write-errors.js';

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
 * A relative path that cannot be resolved: it climbs to a directory above the current one whose
 * name, as Node decodes it, names another directory or none (a name that is not UTF-8). `EILSEQ`,
 * exit 2 from the CLI; nothing is read or written through the decoded name.
 */
export class CwdNameError extends LimitsIoError {
  constructor(given: string, levels: number) {
    super(
      `cannot resolve ${given}: the directory ${levels === 1 ? 'above the current one' : `${levels} levels above the current one`} has a name that is not valid UTF-8 (shown as ${decodedUp(levels)}), which names another directory or none as Node reads it`,
      { code: 'EILSEQ', path: given, hint: 'Give an absolute path, or run limitsctl from a directory whose path is valid UTF-8.' },
    );
    this.name = 'CwdNameError';
  }
}

/**
 * The current directory as an absolute path that names it: process.cwd() when it does (always,
 * unless it holds U+FFFD), else {@link CWD_LINK} (which names nothing without /proc: relative
 * paths then fail, never reaching a directory the decoded name happens to name); null when the
 * current directory cannot be stat'ed. Costs a string search, and two stats only for a name with
 * U+FFFD.
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
  return names(cwd, here) ? cwd : CWD_LINK;
}

/**
 * The directory `levels` above the current one, by the name Node decodes (process.cwd() with
 * `levels` components dropped), once checked to name the directory the kernel reaches
 * (CWD_LINK/.. repeated).
 * @throws CwdNameError when it names another directory or none
 */
function ancestorName(levels: number, given: string): string {
  const decoded = decodedUp(levels);
  let here;
  try {
    here = statSync(CWD_LINK + '/..'.repeat(levels), { bigint: true });
  } catch {
    throw new CwdNameError(given, levels);
  }
  if (!names(decoded, here)) throw new CwdNameError(given, levels);
  return decoded;
}

/** The name Node decodes for the directory `levels` above the current one (process.cwd() less `levels` components). */
function decodedUp(levels: number): string {
  return path.resolve(process.cwd(), ...Array<string>(levels).fill('..'));
}

/** How many levels the relative path `p` climbs above the directory it is taken from (0: none: `x`, `a/../x`). */
function levelsUp(p: string): number {
  const parts = path.normalize(p).split('/');
  let k = 0;
  while (parts[k] === '..') k++;
  return k;
}

/**
 * `realpath` (realpathSync or realpathSync.native) of `p`, except that a path under
 * {@link CWD_LINK} whose physical path is not UTF-8 stays spelled from CWD_LINK
 * (`/proc/self/cwd/etc/security`): decoded, that physical path would name nothing — or another
 * directory, one named with U+FFFD itself (a decoy). Any other path is `realpath(p)` as it is.
 * @throws LimitsIoError `EILSEQ` when the physical path is not UTF-8 and cannot be spelled from
 *   CWD_LINK (a link to such a directory, from anywhere): its decoded name would not name it, so
 *   no file is read or written through it; and what realpath throws (ENOENT…)
 */
export function realPathKeepingCwd(p: string, realpath: (p: string) => string = realpathSync): string {
  if (p !== CWD_LINK && !p.startsWith(`${CWD_LINK}/`)) {
    const text = realpath(p);
    // (a string search: the common case costs nothing more)
    if (!text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(realpathSync.native(p, { encoding: 'buffer' }))) return text;
    throw unnamable(p, text);
  }
  const real = realpathSync.native(p, { encoding: 'buffer' });
  const text = real.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(real)) return text;
  const cwd = realpathSync.native(CWD_LINK, { encoding: 'buffer' });
  const under = real.length === cwd.length || (real.length > cwd.length && real[cwd.length] === 0x2f);
  if (under && real.subarray(0, cwd.length).equals(cwd)) {
    const rest = real.subarray(cwd.length);
    // what follows the current directory must decode exactly too
    if (Buffer.from(rest.toString('utf8'), 'utf8').equals(rest)) return `${CWD_LINK}${rest.toString('utf8')}`;
  }
  throw unnamable(p, text);
}

function unnamable(p: string, text: string): LimitsIoError {
  return new LimitsIoError(`${p} leads to a directory whose name is not valid UTF-8 (shown as ${text}), which limitsctl cannot name: as Node reads it, that name denotes another file or none`, {
    code: 'EILSEQ', path: p, hint: 'Rename it to a UTF-8 name, or run limitsctl from inside that directory (it is then named through /proc/self/cwd).',
  });
}

/**
 * `p` made absolute from the directory `cwd`, as path.resolve(cwd, p) does, except that from
 * {@link CWD_LINK} a path that climbs out of it is resolved from the name Node decodes for the
 * directory it climbs to (the bad bytes of the current directory's own name are dropped by the
 * climb), checked to be that directory.
 * @throws CwdNameError when that name names another directory or none (a directory above whose
 *   name is not UTF-8 either)
 */
export function resolveFrom(cwd: string, p: string): string {
  const k = cwd === CWD_LINK && !path.isAbsolute(p) ? levelsUp(p) : 0;
  if (k === 0) return path.resolve(cwd, p);
  return path.resolve(ancestorName(k, p), ...path.normalize(p).split('/').slice(k));
}

/**
 * The directory a glob `pattern` is expanded from, for `cwd`: `cwd`, except that a pattern that
 * climbs out of {@link CWD_LINK} is expanded from the decoded name (as {@link resolveFrom}, checked
 * the same way).
 * @throws CwdNameError as resolveFrom
 */
export function globCwd(cwd: string, pattern: string): string {
  const k = cwd === CWD_LINK && !path.isAbsolute(pattern) ? levelsUp(pattern) : 0;
  if (k === 0) return cwd;
  ancestorName(k, pattern);
  return process.cwd();
}

/**
 * `dir` and each directory above it, nearest first (a search for a settings file), each as
 * `name` (null when it cannot be named: see below) and `probe`, a path the kernel resolves to it
 * (null when there is none: no /proc, and a name with U+FFFD that cannot be checked). From
 * {@link CWD_LINK}: itself, then the directories above, named as Node decodes them when that
 * names them (dev and inode checked), probed through CWD_LINK/.. — never through a name that
 * denotes another directory. Without /proc, a directory above whose decoded name has no U+FFFD is
 * that name exactly (it is named and probed so); one with U+FFFD cannot be looked into.
 */
export function dirsUpFrom(dir: string): Array<{ readonly name: string | null; readonly probe: string | null }> {
  const out: Array<{ name: string | null; probe: string | null }> = [];
  let d = path.resolve(dir);
  if (d === CWD_LINK) {
    let procWorks = true;
    try { statSync(CWD_LINK); } catch { procWorks = false; }
    out.push(procWorks ? { name: d, probe: d } : { name: null, probe: null });
    const depth = process.cwd().split('/').filter(Boolean).length;
    for (let k = 1; k <= depth; k++) {
      const up = decodedUp(k);
      if (!procWorks) {
        out.push(up.includes('\uFFFD') ? { name: null, probe: null } : { name: up, probe: up });
        continue;
      }
      let name: string | null;
      try {
        name = ancestorName(k, '..');
      } catch {
        name = null;
      }
      out.push({ name, probe: CWD_LINK + '/..'.repeat(k) });
    }
    return out;
  }
  for (;;) {
    out.push({ name: d, probe: d });
    const parent = path.dirname(d);
    if (parent === d) return out;
    d = parent;
  }
}
