/**
 * The writer copies a replaced file's ACL and extended attributes with coreutils cp
 * (src/io/write.ts copyAttributes). When cp cannot be started, the write is refused (EATTR,
 * nothing written) with a message in a user's words — which cp, and why — and a hint, not Node's
 * `spawnSync cp ENOENT`. It is refused before the old file is pinned or a temporary file made, so
 * the directory's mtime stays as it was too. (That a system without /dev does not stop cp, and the
 * CLI's refusal, are test/cli/path-cp.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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

/**
 * The commit pre-flight (src/io/commit.ts preflight) asks whether cp can be started for a change
 * that replaces a file. A change whose new content is the content it was planned from writes
 * nothing — the writer finds the file unchanged and runs no cp — yet 72f4929's pre-flight refused
 * it (EATTR, exit 2 for the library's commitEdits) on a system without cp, where it had succeeded
 * with nothing written.
 */
it('commitEdits: a change that changes nothing is not refused when cp cannot be started; one that does is, before the lock', async () => {
  program.cp = 'limitsctl-test-no-such-cp';
  const { commitEdits } = await import('../../src/io/commit.js');
  const tree = mkdtempSync(path.join(root, 'tree-'));
  const sec = path.join(tree, 'etc/security');
  mkdirSync(sec, { recursive: true });
  const file = path.join(sec, 'limits.conf');
  writeFileSync(file, 'old\n');
  const past = new Date('2020-01-01T00:00:00Z');
  utimesSync(sec, past, past);
  const plan = (after: string) => () => ({ changes: [{ path: 'etc/security/limits.conf', before: 'old\n', after }] });
  for (const dryRun of [true, false]) {
    const changing = await commitEdits(tree, plan('new\n'), { dryRun }).then(() => undefined, (e: unknown) => e);
    expect(changing, `dryRun ${dryRun}`).toMatchObject({ code: 'EATTR', path: file });
    expect(readdirSync(sec)).toEqual(['limits.conf']);
    expect(statSync(sec).mtimeMs).toBe(past.getTime());
  }
  expect((await commitEdits(tree, plan('old\n'), { dryRun: true })).written).toEqual([]);
  expect((await commitEdits(tree, plan('old\n'))).written).toMatchObject([{ path: 'etc/security/limits.conf', changed: false }]);
  expect(readFileSync(file, 'utf8')).toBe('old\n');
});

/**
 * Without /usr/bin/cp and /bin/cp, cp is looked up on PATH by limitsctl itself (cpProgram), in its
 * absolute entries only, and the path it found is the one spawned: the check before the lock and
 * the run agree. (Before, the check skipped empty entries while the spawn's own PATH search took
 * an empty entry as the working directory: the check refused what the spawn would have run, and a
 * run as root could execute a `cp` from wherever it was started.)
 */
it('a cp found on PATH is the one run; empty and relative PATH entries are never searched', async () => {
  program.cp = 'limitsctl-test-cp';
  const bin = mkdtempSync(path.join(root, 'bin-'));
  const marker = path.join(root, 'ran.txt');
  writeFileSync(path.join(bin, 'limitsctl-test-cp'), `#!/bin/sh\necho "$0" > '${marker}'\nexit 0\n`, { mode: 0o755 });
  const file = path.join(root, 'limits.conf');
  const saved = process.env.PATH;
  const cwd = process.cwd();
  try {
    // the working directory holds a `cp` of that name too: an empty or relative entry must not find it
    process.chdir(bin);
    for (const [entries, runs] of [[`:relative:${bin}`, true], [':relative:.:/nonexistent', false], ['', false]] as const) {
      rmSync(marker, { force: true });
      writeFileSync(file, 'old\n');
      process.env.PATH = entries;
      const err = await writeFileAtomic(file, Buffer.from('new\n'), { root }).then(() => undefined, (e: unknown) => e);
      if (runs) {
        expect(err, entries).toBeUndefined();
        expect(readFileSync(marker, 'utf8').trim(), entries).toBe(path.join(bin, 'limitsctl-test-cp'));
        expect(readFileSync(file, 'utf8')).toBe('new\n');
      } else {
        expect(err, entries).toMatchObject({ code: 'EATTR' });
        expect((err as Error).message, entries).toContain('could not be run (not found in /usr/bin, /bin or on PATH)');
        expect(readFileSync(file, 'utf8')).toBe('old\n');
        expect(existsSync(marker), entries).toBe(false);
      }
    }
  } finally {
    process.env.PATH = saved;
    process.chdir(cwd);
  }
});
