/**
 * limitsctl running out of its own file descriptors (EMFILE: its RLIMIT_NOFILE; ENFILE: the
 * system's table of open files) or of kernel memory (ENOMEM) is a refusal — exit 2, a message
 * naming the cause — never a fact about the tree it reads. Before, a limits.d that limitsctl could
 * not open for that reason was "unreadable … pam_limits' glob fails there too and reads no
 * drop-in", and a limits.conf "cannot be opened" (LC303): get/explain/lint reported values without
 * those files and succeeded, although pam_limits, in another process, reads them fine.
 *
 * The mappings (src/io/tree.ts unlistedDir, src/io/read.ts fromErrno / refuseOwnLimit) are tested
 * with injected failures; the CLI with real processes whose descriptors really run out — under
 * every `ulimit -n` from 10 to 60, and with exactly N descriptors left free (test/io/helpers/
 * exhaust-fds.cjs opens /dev/null until EMFILE, then closes N), which reaches each read of the
 * tree at a known place. These run the built CLI (bin/limitsctl.js: `npm run build` first).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/main.js';
import { fromErrno, type ReadFailure, refuseOwnLimit } from '../../src/io/read.js';
import { unlistedDir } from '../../src/io/tree.js';
import { isOwnLimit, LimitsIoError, ProcessLimitError, wrapIoError } from '../../src/io/write-errors.js';
import { differences, snapshot, type Snapshot } from '../cli/snapshot.js';

const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/limitsctl.js');
const EXHAUST = path.join(__dirname, 'helpers/exhaust-fds.cjs');

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** An errno error as node:fs throws it. */
function errno(code: string, syscall = 'open', at = '/proc/self/fd/18/etc'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall} '${at}'`), { code, syscall, path: at });
}

const failure = (code: string): ReadFailure => ({ kind: 'error', code, message: `etc/security/limits.d cannot be read (${code}: injected)` });

describe('an own-limit errno is no fact about the file (injected failures)', () => {
  it('unlistedDir throws ProcessLimitError for EMFILE, ENFILE and ENOMEM', () => {
    const want = {
      EMFILE: 'limitsctl ran out of file descriptors (EMFILE) while reading etc/security/limits.d: raise its limit (ulimit -n) and run it again',
      ENFILE: "the system's table of open files is full (ENFILE) while limitsctl was reading etc/security/limits.d: close files elsewhere or raise fs.file-max, and run it again",
      ENOMEM: 'the kernel ran out of memory (ENOMEM) while limitsctl was reading etc/security/limits.d: free some memory and run it again',
    };
    for (const [code, message] of Object.entries(want)) {
      let thrown: unknown;
      try {
        unlistedDir('etc/security/limits.d', 'dropin', failure(code));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ProcessLimitError);
      expect(thrown).toBeInstanceOf(LimitsIoError);
      expect(thrown).toMatchObject({ code, path: 'etc/security/limits.d', message, kind: 'io' });
      // the CLI's one classification: exit 2 as an io error with the OS code, no hint, no "internal error"
      expect(describeError(thrown, 'get')).toEqual({ code: 'io', message, errno: code });
    }
  });

  it('unlistedDir keeps what it says of EACCES, EIO, ELOOP and ENOTDIR', () => {
    const base = { path: 'etc/security/limits.d', role: 'dropin', doc: null, dirListing: true };
    expect(unlistedDir('etc/security/limits.d', 'dropin', failure('EIO'))).toEqual({
      ...base, status: 'unreadable', error: "etc/security/limits.d cannot be read (EIO: injected); pam_limits' glob fails there too and reads no drop-in",
    });
    expect(unlistedDir('etc/security/limits.d', 'dropin', failure('ELOOP'))).toEqual({
      ...base, status: 'unreadable', error: "etc/security/limits.d cannot be read (ELOOP: injected); pam_limits' glob fails there too and reads no drop-in",
    });
    expect(unlistedDir('etc/security/limits.d', 'dropin', failure('ENOTDIR'))).toBeUndefined();
    expect(unlistedDir('etc/security/limits.d', 'dropin', { kind: 'denied', uid: 0, code: 'EACCES', message: 'x' })).toEqual({
      ...base, status: 'unreadable', error: "cannot list etc/security/limits.d (EACCES: permission denied); pam_limits' glob fails there too and reads no drop-in",
    });
    expect(unlistedDir('etc/security/limits.d', 'dropin', { kind: 'denied', uid: 1000, code: 'EACCES', message: 'x' })).toEqual({
      ...base, status: 'not-evaluated', error: 'cannot list etc/security/limits.d as uid 1000 (EACCES); pam_limits reads it as root',
    });
  });

  it('fromErrno (every read and listing of a tree) throws for EMFILE, ENFILE and ENOMEM, and maps the rest as before', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOMEM']) {
      expect(() => fromErrno('etc/passwd', errno(code))).toThrow(ProcessLimitError);
      expect(() => fromErrno('etc/passwd', errno(code))).toThrow(new RegExp(`\\(${code}\\) while (limitsctl was )?reading etc/passwd: `));
      expect(() => refuseOwnLimit(failure(code), 'etc/security/limits.conf')).toThrow(ProcessLimitError);
      expect(isOwnLimit(errno(code))).toBe(true);
    }
    const uid = process.geteuid?.() ?? null;
    expect(fromErrno('etc/passwd', errno('EACCES'))).toEqual({ kind: 'denied', uid, code: 'EACCES', message: `etc/passwd: permission denied (EACCES) reading as uid ${uid ?? '?'}` });
    expect(fromErrno('etc/passwd', errno('EIO'))).toEqual({ kind: 'error', code: 'EIO', message: "etc/passwd cannot be read (EIO: injected, open '/proc/self/fd/18/etc')" });
    expect(fromErrno('etc/passwd', errno('ENOENT'))).toMatchObject({ kind: 'missing', dangling: false });
    for (const code of ['EIO', 'EACCES', 'ELOOP']) {
      expect(() => refuseOwnLimit(failure(code), 'etc/security/limits.conf')).not.toThrow();
      expect(isOwnLimit(errno(code))).toBe(false);
    }
  });

  it('a write that runs out says so (wrapIoError), not a hint about the file', () => {
    const e = wrapIoError(errno('EMFILE', 'spawnSync /usr/bin/cp'), 'write-temp', '/t/etc/security/limits.conf', undefined, '/t/etc/security');
    expect(e).toMatchObject({ code: 'EMFILE', message: 'cannot write the new content of /t/etc/security/limits.conf: limitsctl ran out of file descriptors (EMFILE) — raise its limit (ulimit -n) and run it again' });
  });
});

// ── real processes ─────────────────────────────────────────────────────────────────────────────

/**
 * A tree with limits.conf, several limits.d drop-ins (one overriding another: lint finds LC302),
 * etc/passwd and etc/group. `withMain` false: no limits.conf, so that the first descriptor the
 * tree's reading needs is the one that lists limits.d.
 */
function makeTree(withMain = true): string {
  const top = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-fds-'));
  dirs.push(top);
  const root = path.join(top, 'root');
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  if (withMain) put('etc/security/limits.conf', '* soft nofile 1024\n* hard nofile 4096\n');
  put('etc/security/limits.d/10-core.conf', '* soft core 0\nadmin hard core 100\n');
  put('etc/security/limits.d/20-nproc.conf', 'admin soft nproc 2048\n@staff hard nproc 4096\n');
  put('etc/security/limits.d/30-core.conf', 'admin hard core 200\n');
  put('etc/security/limits.d/40-memlock.conf', 'admin - memlock unlimited\n');
  put('etc/security/limits.d/50-admin.conf', 'admin soft core 50\n');
  put('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  put('etc/group', 'root:x:0:\nadmin:x:1000:\nstaff:x:50:admin\n');
  return root;
}

/** `node bin/limitsctl.js ARGS` under `ulimit -n N` (null: as this process runs, unrestricted). */
function runLimited(n: number | null, args: readonly string[], env: NodeJS.ProcessEnv = {}, preload: readonly string[] = []): SpawnSyncReturns<string> {
  return spawnSync('/bin/sh', ['-c', `${n === null ? '' : `ulimit -n ${n} && `}exec "$0" "$@"`, process.execPath, ...preload, BIN, ...args], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000,
  });
}

/** Node itself could not start the program (too few descriptors for its own start): nothing of limitsctl ran. */
function nodeFailed(r: SpawnSyncReturns<string>): boolean {
  return r.status === null || (r.status === 1 && !r.stderr.startsWith('limitsctl:') && /EMFILE: too many open files, open '[^']*(?:bin\/limitsctl\.js|dist\/[^']*)'/.test(r.stderr));
}

/** What every run must hold whatever its descriptors: never a fact made of limitsctl's own limit, never a stack trace. */
function expectNoOwnLimitFacts(what: unknown, r: SpawnSyncReturns<string>): void {
  const out = `${r.stdout}\n${r.stderr}`;
  expect({ what, glob: out.includes('glob fails there too'), unreadable: /unreadable/i.test(out), emfileFact: /EMFILE/.test(r.stdout) })
    .toEqual({ what, glob: false, unreadable: false, emfileFact: false });
}

/** A refusal: exit 2, one message naming EMFILE on stderr, no stack trace, nothing on stdout. */
function expectRefusal(what: unknown, r: SpawnSyncReturns<string>): void {
  expect({
    what,
    status: r.status,
    emfile: /^limitsctl: .*\(EMFILE\)/.test(r.stderr),
    stack: /^\s+at |node:internal|\n\s*\^/m.test(r.stderr),
    stdout: r.stdout,
  }).toEqual({ what, status: 2, emfile: true, stack: false, stdout: '' });
}

/**
 * A tree's state for "nothing changed": every file's bytes, mode and mtime, every directory's
 * mode, mtime and entries. A write refused for want of descriptors is refused before its lock file
 * is created (src/io/descriptors.ts refuseFewDescriptors): creating and removing the lock would
 * change etc/security's mtime.
 */
const state = (root: string): Snapshot => snapshot(root);

const READERS = (root: string): string[][] => [
  ['lint', '--root', root],
  ['get', 'core', '--user', 'admin', '--root', root],
  ['explain', 'core', '--user', 'admin', '--root', root],
];

describe('the CLI near its descriptor limit', () => {
  it('lint, get and explain at every ulimit -n from 10 to 60: the same output, or exit 2 naming EMFILE', () => {
    const root = makeTree();
    for (const args of READERS(root)) {
      const want = runLimited(null, args);
      expect(want.status === 0 || want.status === 1).toBe(true);
      expectNoOwnLimitFacts(args, want);
      let same = 0;
      let started = false;
      for (let n = 10; n <= 60; n++) {
        const r = runLimited(n, args);
        // the lowest limits leave too few for node itself: it crashes, or cannot open the program
        // file, before any of limitsctl runs (and with more, it always starts)
        if (!started && nodeFailed(r)) continue;
        started = true;
        const what = { args: args[0], n };
        expectNoOwnLimitFacts(what, r);
        if (r.status === want.status && r.stdout === want.stdout) {
          expect({ what, stderr: r.stderr }).toEqual({ what, stderr: want.stderr });
          same++;
        } else {
          expectRefusal(what, r);
        }
      }
      // most limits of the range read the tree (the check above is not vacuous)
      expect({ args: args[0], same: same > 20 }).toEqual({ args: args[0], same: true });
    }
  }, 240_000);

  it('with exactly N descriptors free, each command reads the whole tree or refuses (exit 2), never reports without a file', () => {
    const root = makeTree();
    const noMain = makeTree(false);
    const commands = [...READERS(root), ['files', '--root', root], ['effective', '--user', 'admin', '--root', root], ['files', '--root', noMain], ['lint', '--root', noMain]];
    let refused = 0;
    for (const args of commands) {
      const want = runLimited(null, args);
      expectNoOwnLimitFacts(args, want);
      for (let free = 1; free <= 6; free++) {
        const r = runLimited(256, args, { LIMITSCTL_TEST_FREE_FDS: String(free) }, ['--require', EXHAUST]);
        const what = { args: args.slice(0, -1), free };
        expectNoOwnLimitFacts(what, r);
        if (r.status === want.status && r.stdout === want.stdout) continue;
        expectRefusal(what, r);
        refused++;
      }
    }
    // one descriptor free is enough to start and to list the root, not to open a file below it:
    // every command refuses there (the sweep meets the limit, so it is not vacuous)
    expect(refused).toBeGreaterThanOrEqual(commands.length);
    // without limits.conf the first read that needs a descriptor is limits.d's listing (unlistedDir's case)
    const r = runLimited(256, ['files', '--root', noMain], { LIMITSCTL_TEST_FREE_FDS: '1' }, ['--require', EXHAUST]);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({
      status: 2, stdout: '',
      stderr: 'limitsctl: limitsctl ran out of file descriptors (EMFILE) while reading etc/security/limits.d: raise its limit (ulimit -n) and run it again\n',
    });
    const json = runLimited(256, ['get', 'core', '--user', 'admin', '--root', root, '--json'], { LIMITSCTL_TEST_FREE_FDS: '1' }, ['--require', EXHAUST]);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'io', errno: 'EMFILE', message: expect.stringMatching(/^limitsctl ran out of file descriptors \(EMFILE\) while reading etc\/passwd: /) } });
  }, 120_000);

  it('lint of paths names the tree that ran out: a glob, a directory walk, a file (exit 2, never a raw EMFILE)', () => {
    const top = path.dirname(makeTree());
    for (const h of ['h1', 'h2', 'h3']) cpSync(path.join(top, 'root'), path.join(top, 'hosts', h), { recursive: true });
    const run = (args: string[]) => spawnSync('/bin/sh', ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, '--require', EXHAUST, BIN, ...args], {
      cwd: top, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LIMITSCTL_TEST_FREE_FDS: '1' }, timeout: 60_000,
    });
    // each command, what it refuses with one descriptor free, and what it reads with enough
    const lc302 = (h: string) => new RegExp(`^hosts/${h}/etc/security/limits\\.d/10-core\\.conf:2:1 warning LC302 `, 'm');
    const cases: [string[], RegExp, RegExp][] = [
      // fast-glob's walk below a directory (it failed with "EMFILE: too many open files, scandir …"):
      // whichever directory of the walk, or file of a tree after it, met the limit (the walk's order
      // varies from run to run), named relative to the cwd as findings are
      [['lint', 'hosts'], /^limitsctl: limitsctl ran out of file descriptors \(EMFILE\) while reading hosts(\/h[123](\/etc(\/security(\/limits\.conf|\/limits\.d(\/[\w.-]+)?)?)?|\/etc\/passwd|\/etc\/group)?)?: raise its limit \(ulimit -n\) and run it again\n$/, lc302('h3')],
      // a tree's own file, named as lint shows it (it said etc/security/limits.conf: which tree's?)
      [['lint', 'hosts/*'], /^limitsctl: limitsctl ran out of file descriptors \(EMFILE\) while reading hosts(\/h1\/etc\/security\/limits\.conf)?: /, lc302('h2')],
      [['lint', 'hosts/h2/etc/security/limits.conf'], /^limitsctl: limitsctl ran out of file descriptors \(EMFILE\) while reading hosts\/h2\/etc\/security\/limits\.conf: /, /no problems in 1 file/],
      [['lint', '--root', 'hosts/h3'], /^limitsctl: limitsctl ran out of file descriptors \(EMFILE\) while reading hosts\/h3\/etc\/security\/limits\.conf: /, lc302('h3')],
    ];
    for (const [args, refusal, reads] of cases) {
      const r = run(args);
      expect({ args, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, status: 2, stdout: '', stderr: expect.stringMatching(refusal) });
      // with descriptors to spare the same command reads every tree
      const ok = spawnSync(process.execPath, [BIN, ...args], { cwd: top, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect({ args, status: ok.status, stderr: ok.stderr, read: reads.test(ok.stdout) }).toEqual({ args, status: 0, stderr: '', read: true });
    }
  }, 120_000);

  it('set, unset and apply at every ulimit -n from 10 to 60 (and with N descriptors free): the same change, or exit 2 with the tree as it was, mtimes too', () => {
    const original = makeTree();
    let copies = 0;
    const copy = (): string => {
      const c = path.join(path.dirname(original), `copy-${copies++}`);
      cpSync(original, c, { recursive: true, preserveTimestamps: true });
      return c;
    };
    const policy = path.join(path.dirname(original), 'policy.ini');
    writeFileSync(policy, '[admin]\nnofile = 8192\ncore = 0\n[@staff]\nnproc = 1024\n');
    const edits = [
      (root: string) => ['set', 'nofile', '8192', '--user', 'admin', '--root', root],
      // three drop-ins: a multi-file change (journal, one attribute copy per file)
      (root: string) => ['unset', 'core', '--user', 'admin', '--root', root],
      (root: string) => ['set', 'core', '0', '--user', 'admin', '--backup', '--force', '--root', root],
      (root: string) => ['apply', policy, '--root', root],
    ];
    let preflightRefusals = 0;
    for (const edit of edits) {
      const ref = copy();
      const before = state(ref);
      const want = runLimited(null, edit(ref));
      expect(want.status).toBe(0);
      const after = state(ref);
      expect(differences(before, after).length).toBeGreaterThan(0); // the edit changes the tree
      // backups are named by the time of the run
      const untimed = (s: string) => s.replace(/\.\d{8}T\d{6}Z\.bak/g, '.TIME.bak');
      const shown = (s: string, root: string) => untimed(s.split(root).join('ROOT'));
      // the files a successful run leaves, by content (their mtimes are the run's own)
      const contents = (s: Snapshot) => [...s].filter(([, v]) => v.startsWith('file ')).map(([k, v]) => [untimed(k), v.replace(/^file (\S+) \S+ /, 'file $1 ')]);
      let same = 0;
      let refusedRuns = 0;
      let started = false;
      const check = (what: unknown, r: SpawnSyncReturns<string>, root: string, was: Snapshot) => {
        expectNoOwnLimitFacts(what, r);
        if (r.status === 0) {
          expect({ what, stdout: shown(r.stdout, root), stderr: shown(r.stderr, root) }).toEqual({ what, stdout: shown(want.stdout, ref), stderr: shown(want.stderr, ref) });
          expect({ what, files: contents(state(root)) }).toEqual({ what, files: contents(after) });
          same++;
        } else {
          expectRefusal(what, r);
          expect({ what, changed: differences(was, state(root)) }).toEqual({ what, changed: [] });
          if (/too few file descriptors free \(EMFILE\) to write \S+( and \d+ more files?)? safely: \d+ free below its limit of \d+, the write needs \d+; nothing was written/.test(r.stderr)) preflightRefusals++;
          refusedRuns++;
        }
      };
      for (let n = 10; n <= 60; n++) {
        const root = copy();
        const was = state(root);
        const r = runLimited(n, edit(root));
        if (!started && nodeFailed(r)) { rmSync(root, { recursive: true }); continue; }
        started = true;
        check({ args: edit(root)[0], n }, r, root, was);
        rmSync(root, { recursive: true });
      }
      for (let free = 1; free <= 4; free++) {
        const root = copy();
        const was = state(root);
        check({ args: edit(root)[0], free }, runLimited(256, edit(root), { LIMITSCTL_TEST_FREE_FDS: String(free) }, ['--require', EXHAUST]), root, was);
        rmSync(root, { recursive: true });
      }
      // both outcomes were met: the limits read and wrote the tree, and the lowest refused
      expect({ edit: edit('')[0], same: same > 10, refused: refusedRuns > 0 }).toEqual({ edit: edit('')[0], same: true, refused: true });
      expect(existsSync(ref)).toBe(true);
    }
    // the limits between "cannot read the tree" and "can write" are refused by the count taken
    // before the lock (not by the write meeting EMFILE after it)
    expect(preflightRefusals).toBeGreaterThan(edits.length * 5);
  }, 600_000);
});

describe('the pre-lock check for a half-done change', () => {
  it('an edit with nothing to change that cannot open a pending journal (ENFILE) refuses, never "unchanged" with the journal left', () => {
    const root = makeTree();
    const top = path.dirname(root);
    // a killed run's journal: an edit with nothing to change takes the lock to complete it
    writeFileSync(path.join(root, 'etc/security/.limitsctl.journal'), '{}');
    // a preload that fails only the opening of the journal, as a full system file table does
    const preload = path.join(top, 'enfile-journal.cjs');
    writeFileSync(preload, `'use strict';
const fs = require('node:fs');
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  if (typeof p === 'string' && p.endsWith('/.limitsctl.journal')) throw Object.assign(new Error("ENFILE: file table overflow, open '" + p + "'"), { errno: -23, code: 'ENFILE', syscall: 'open', path: p });
  return openSync.call(this, p, ...rest);
};
`);
    const args = ['set', 'core', '50', '--user', 'admin', '--type', 'soft', '--root', root];
    // the value is already there: without the journal's failure this is "unchanged" (and a recovery)
    const was = state(root);
    const r = runLimited(null, args, {}, ['--require', preload]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 2, stdout: '',
      stderr: "limitsctl: the system's table of open files is full (ENFILE) while limitsctl was reading etc/security/.limitsctl.journal: close files elsewhere or raise fs.file-max, and run it again\n",
    });
    expect(differences(was, state(root))).toEqual([]);
  });
});
