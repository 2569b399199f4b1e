import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Wait (up to 30 s) until `file` exists: the pause point a child process stopped by the write
 * module's test-only hooks announces. Throws if the child exits first or never gets there.
 */
export async function waitFor(file: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (existsSync(file)) return;
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before reaching the pause point`);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${what} never reached the pause point`);
}
