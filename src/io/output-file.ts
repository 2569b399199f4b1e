/**
 * A report file written atomically (`lint --output-file FILE`): the report streams into a
 * temporary file beside FILE (same directory, so the rename stays on one file system), which
 * replaces FILE by rename(2) only when the run ends well ({@link OutputFile.commit}). Until then
 * FILE is untouched — not one byte, its mode or its mtime — and {@link OutputFile.discard}
 * removes the temporary file: a run that ends in exit 2 (a usage error, bad input, an unreadable
 * path) leaves FILE as it was, or absent; so does SIGINT, SIGTERM or SIGHUP (the temporary file
 * is removed, then the process ends by the signal: ./signal-cleanup.ts). An existing FILE keeps
 * its permission bits; a new one gets 0666 less the umask, as any file the shell's `>` creates.
 * An existing FILE the user could not write (access(2) W_OK: a 0444 file of one's own, another
 * user's file) is refused, as the shell's `>` would refuse it; root may write any file, and then
 * the file keeps its mode (0444 stays 0444) and its owner and group. A symlink FILE is followed, also when it dangles:
 * its target is replaced (or created) and the link kept.
 */
import { accessSync, chmodSync, closeSync, fchownSync, constants as fsConstants, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, type Stats, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LimitsError } from '../core/errors.js';
import { realPathKeepingCwd, resolveFrom } from './cwd.js';
import { onSignalCleanup } from './signal-cleanup.js';

/** FILE cannot be the report's destination (a directory, a device, a missing directory). */
export class OutputFileError extends LimitsError {
  constructor(message: string, code: `E${string}`, hint?: string) {
    super(message, { code, ...(hint ? { hint } : {}) });
    this.name = 'OutputFileError';
  }
}

export interface OutputFile {
  /** the file that is replaced at commit (absolute; a symlink's target) */
  readonly path: string;
  /** append UTF-8 text to the temporary file (synchronously; an OS error is thrown as is) */
  write(text: string): void;
  /** fsync, set the mode and rename over {@link path}; idempotent after the first call */
  commit(): void;
  /** close and remove the temporary file; FILE is left as it was. Safe to call after commit. */
  discard(): void;
}

/**
 * Where the report file `file` (resolved against `cwd`) is: symlinks followed one by one (a
 * dangling link names the file to create), like open(2) with O_CREAT, in its directory's physical
 * path (as lint names the files it reads). Reads only (lstat, readlink, realpath).
 * @returns the path and the file's stat (null when it does not exist yet)
 * @throws OutputFileError when a link cannot be read or is a chain of more than 40 (ELOOP)
 */
export function resolveOutputFile(file: string, cwd: string, shown: string = file): { path: string; stat: Stats | null } {
  let target = resolveFrom(cwd, file);
  let st: Stats | null = null;
  for (let hops = 0; ; hops++) {
    try {
      st = lstatSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw asOutputError(e, shown);
      st = null;
      break;
    }
    if (!st.isSymbolicLink()) break;
    if (hops >= 40) throw new OutputFileError(`the report file ${shown} is a chain of more than 40 symlinks`, 'ELOOP');
    try {
      target = path.resolve(path.dirname(target), readlinkSync(target));
    } catch (e) {
      throw asOutputError(e, shown);
    }
  }
  // the directory's physical path: a missing one fails when the file is opened
  try { target = path.join(realPathKeepingCwd(path.dirname(target)), path.basename(target)); } catch { /* kept */ }
  return { path: target, stat: st };
}

/**
 * Opens the temporary file for `file` (resolved against `cwd`: {@link resolveOutputFile}).
 * @param shown how FILE is named in messages (as the user wrote it)
 * @throws OutputFileError when FILE exists and is not a regular file (EISDIR, ENOTREG) or is not
 *   writable by this user (EACCES), is a loop of symlinks (ELOOP), or its directory is missing or
 *   refuses a new file (the OS code: ENOENT, EACCES, EROFS…)
 */
export function openOutputFile(file: string, cwd: string, shown: string = file): OutputFile {
  const { path: target, stat: st } = resolveOutputFile(file, cwd, shown);
  let mode: number | null = null;
  let owner: { uid: number; gid: number } | null = null;
  if (st !== null) {
    if (st.isDirectory()) throw new OutputFileError(`the report file ${shown} is a directory`, 'EISDIR', 'Name a file, e.g. lint.sarif.');
    if (!st.isFile()) throw new OutputFileError(`the report file ${shown} is not a regular file; the report replaces the file atomically, so it must be one (or not exist yet)`, 'ENOTREG', 'Leave the report file out to write the report to standard output.');
    try {
      accessSync(target, fsConstants.W_OK);
    } catch {
      throw new OutputFileError(`the report file ${shown} is not writable (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}); limitsctl does not replace a file you could not write`, 'EACCES', `Make it writable (chmod u+w ${shown}), remove it, or name another file.`);
    }
    mode = st.mode & 0o7777;
    // the file's stat (lstat above follows the links one by one, so this is the target's)
    owner = { uid: st.uid, gid: st.gid };
  }
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | null;
  try {
    fd = openSync(temp, 'wx', 0o666);
  } catch (e) {
    throw asOutputError(e, shown, dir);
  }
  // a signal before commit or discard: remove the temporary file, FILE stays as it was
  const unhook = onSignalCleanup(() => unlinkSync(temp));
  let done = false;
  const close = () => {
    if (fd === null) return;
    const f = fd;
    fd = null;
    closeSync(f);
  };
  return {
    path: target,
    write(text: string) {
      if (fd === null || text.length === 0) return;
      const b = Buffer.from(text, 'utf8');
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
    },
    commit() {
      if (done) return;
      fsyncSync(fd!);
      // root replacing another user's report gives it back to that user (a rename would leave
      // it root's, unreadable to its owner at 0600/0640); others cannot chown and need not
      if (owner !== null && process.getuid?.() === 0 && (owner.uid !== 0 || owner.gid !== 0)) fchownSync(fd!, owner.uid, owner.gid);
      if (mode !== null) chmodSync(temp, mode);
      close();
      renameSync(temp, target);
      done = true;
      unhook();
      // the rename itself is made durable as far as the directory allows (best effort)
      try {
        const d = openSync(dir, 'r');
        try { fsyncSync(d); } finally { closeSync(d); }
      } catch { /* a directory that cannot be opened or synced: the file is in place anyway */ }
    },
    discard() {
      if (done) return;
      done = true;
      try { close(); } catch { /* already gone */ }
      try { unlinkSync(temp); } catch { /* already gone */ }
      unhook();
    },
  };
}

function asOutputError(e: unknown, shown: string, dir?: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return e as Error;
  const where = dir === undefined ? '' : ` (a temporary file in ${dir} could not be created)`;
  return new OutputFileError(`cannot write the report file ${shown}: ${code}${where}`, code as `E${string}`);
}
