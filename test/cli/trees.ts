import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { DEMO } from './helpers.js';

/**
 * Copies of fixtures/demo in fresh temporary directories, for tests that change a tree. Called at
 * a test file's top level (`const demoCopy = demoCopies('limitsctl-x-')`), it registers an
 * afterEach that removes every copy the test made, and returns the function that makes one.
 */
export function demoCopies(prefix: string): () => string {
  let dirs: string[] = [];
  afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });
  return () => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    cpSync(DEMO, d, { recursive: true });
    return d;
  };
}
