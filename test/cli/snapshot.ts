/** Byte, mode and mtime snapshots of a directory tree, to show that a run changed nothing. */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export type Snapshot = Map<string, string>;

/**
 * Every entry under `dir` (not following symlinks): kind, mode, mtime (ns) and content (files:
 * the bytes as hex; symlinks: the target). Directories count too, so a created or removed entry
 * (a lock or temporary file left behind) shows as a change of the directory's mtime and listing.
 */
export function snapshot(dir: string, into: Snapshot = new Map(), rel = '.'): Snapshot {
  const abs = path.join(dir, rel);
  const st = lstatSync(abs, { bigint: true });
  const head = `${st.mode.toString(8)} ${st.mtimeNs}`;
  if (st.isSymbolicLink()) {
    into.set(rel, `link ${head} ${readlinkSync(abs)}`);
  } else if (st.isDirectory()) {
    const names = readdirSync(abs).sort();
    into.set(rel, `dir ${head} ${names.join('/')}`);
    for (const n of names) snapshot(dir, into, path.join(rel, n));
  } else if (st.isFile()) {
    into.set(rel, `file ${head} ${readFileSync(abs).toString('hex')}`);
  } else {
    into.set(rel, `other ${head}`);
  }
  return into;
}

/** The entries that differ between two snapshots (empty when nothing changed). */
export function differences(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x !== y) out.push(`${k}: ${x === undefined ? 'created' : y === undefined ? 'removed' : 'changed'}`);
  }
  return out;
}
