/**
 * The writer copies a replaced file's ACL and extended attributes with coreutils cp
 * (src/io/write.ts copyAttributes). When cp cannot be started, the write is refused (EATTR,
 * nothing written) with a message in a user's words — which cp, and why — and a hint, not Node's
 * `spawnSync cp ENOENT`. It is refused before the old file is pinned or a temporary file made, so
 * the directory's mtime stays as it was too. (That a system without /dev does not stop cp, and the
 * CLI's refusal, are test/cli/path-cp.test.ts.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/io/write.js';

const program = vi.hoisted(() => ({ cp: 'limitsctl-test-no-such-cp' }));
vi.mock('../../src/io/system-tools.js', () => ({ systemTool: (name: string) => (name === 'cp' ? program.cp : name) }));

const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-write-cp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it.each([
  ['limitsctl-test-no-such-cp', 'not found in /usr/bin, /bin or on PATH'],
  ['/nonexistent/bin/cp', '/nonexistent/bin/cp: ENOENT (not found)'],
])('cp that cannot be started (%s): EATTR naming it, with a hint; the file and its directory as they were', async (cp, why) => {
  program.cp = cp;
  const file = path.join(root, 'limits.conf');
  writeFileSync(file, 'old\n');
  const past = new Date('2020-01-01T00:00:00Z');
  utimesSync(root, past, past);
  const err = await writeFileAtomic(file, Buffer.from('new\n'), { root }).then(() => undefined, (e: unknown) => e);
  expect(err).toMatchObject({ code: 'EATTR', path: file });
  expect((err as Error).message).toBe(`cannot keep the ACL and extended attributes of ${file}: cp (GNU coreutils) could not be run (${why}); nothing was written`);
  expect((err as { hint: string }).hint).toMatch(/GNU coreutils cp .*install coreutils/);
  expect(readFileSync(file, 'utf8')).toBe('old\n');
  expect(readdirSync(root)).toEqual(['limits.conf']);
  // (before, the pin and the temporary file were made and removed first: a new mtime)
  expect(statSync(root).mtimeMs).toBe(past.getTime());
});
