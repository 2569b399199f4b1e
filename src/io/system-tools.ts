/**
 * The system's own programs that limitsctl runs (getent, id; cp in the write path): by their path
 * in /usr/bin or /bin, never the first of that name on the caller's PATH — a user's ~/bin or a
 * language tool's shims may come first, and a root run of limitsctl must not execute them. PATH is
 * searched only on a system that has neither directory's copy.
 */
import { existsSync } from 'node:fs';

const SYSTEM_DIRS = ['/usr/bin', '/bin'] as const;
const found = new Map<string, string>();

/**
 * `/usr/bin/<name>` or `/bin/<name>`, whichever exists first; `name` itself (looked up on PATH)
 * when neither does. Remembered per process.
 * @param name a program's file name without a slash (`getent`, `id`, `cp`)
 */
export function systemTool(name: string): string {
  let p = found.get(name);
  if (p === undefined) {
    p = SYSTEM_DIRS.map((d) => `${d}/${name}`).find((c) => existsSync(c)) ?? name;
    found.set(name, p);
  }
  return p;
}
