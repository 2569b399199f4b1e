/**
 * One error base class with a code, classified once: every error class the library exports (and
 * the CLI's two) extends LimitsError and carries a code of the table in src/core/errors.ts; main()
 * turns each kind into exit 2 with one message, a hint in the CLI's terms, and the same kind as
 * the `code` of the --json error object; anything else is an internal error without a stack
 * (a stack only with LIMITSCTL_DEBUG=1). In process: main(argv, io) with a capturing io.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import { UsageError } from '../../src/cli/errors.js';
import { ArgvError } from '../../src/cli/fast-path.js';
import { describeError, main } from '../../src/cli/main.js';
import { domainFor } from '../../src/core/edit.js';
import { ERROR_CODES, errorKind, LimitsError } from '../../src/core/errors.js';
import * as lib from '../../src/index.js';

const DEMO = path.resolve(__dirname, '../../fixtures/demo');
const scratch: string[] = [];
afterAll(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });

/** One instance of each error class, as the library throws it. */
const SAMPLES: Record<string, () => Error> = {
  LimitsError: () => new lib.LimitsError('x', { code: 'EINPUT' }),
  LimitsIoError: () => new lib.LimitsIoError('x', { code: 'EACCES', path: '/x' }),
  ConcurrentModificationError: () => new lib.ConcurrentModificationError('/x', undefined, 'size changed'),
  OutsideRootError: () => lib.OutsideRootError.link('etc/passwd', '/etc/shadow', '/tree'),
  LockTimeoutError: () => new lib.LockTimeoutError('/tree/etc/security/.limitsctl.lock', 1000, undefined),
  PartialWriteError: () => new lib.PartialWriteError([{ path: '/a', committed: true }, { path: '/b', committed: false }], new Error('EIO')),
  JournalError: () => new lib.JournalError('/tree/etc/security/.limitsctl.journal', 'unreadable'),
  PathChangedError: () => new lib.PathChangedError('etc/security/limits.conf', 'the file is now a symlink'),
  TreeRootError: () => new lib.TreeRootError('/nope', 'does not exist', 'ENOENT'),
  EditInputError: () => new lib.EditInputError('bad value'),
  UnknownUserError: () => new lib.UnknownUserError('ghost', 'etc/passwd'),
  AccountFileError: () => new lib.AccountFileError('etc/passwd', { kind: 'changed', message: 'etc/passwd changed' }),
  PolicyError: () => new lib.PolicyError('p.ini: [x] bad'),
  LintPathError: () => new lib.LintPathError('nothing there', 'ENOENT'),
  SettingsError: () => new lib.SettingsError('bad settings', '.limitsctl.ini'),
  ProcessLimitError: () => new lib.ProcessLimitError('EMFILE', 'etc/security/limits.d'),
};

describe('one error base class', () => {
  const exported = Object.entries(lib).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error);

  it('every error class exported from src/index.ts extends LimitsError and has a code of the table', () => {
    expect(exported.length).toBeGreaterThan(10);
    for (const [name] of exported) {
      expect(SAMPLES[name], `add a sample of ${name} to this test`).toBeDefined();
      const e = SAMPLES[name]!();
      expect(e, name).toBeInstanceOf(LimitsError);
      expect(e.name, name).toBe(name);
      const code = (e as LimitsError).code;
      expect(errorKind(code), `${name}: ${code}`).not.toBeNull();
      // own codes are in the table; an OS code (EACCES) is kind io
      if (!/^E(ACCES|PERM|ROFS|NOENT|MFILE|NFILE|NOMEM)$/.test(code)) expect(Object.keys(ERROR_CODES), name).toContain(code);
    }
  });

  it("the CLI's errors too, and instanceof keeps working", () => {
    expect(new ArgvError('x')).toBeInstanceOf(UsageError);
    expect(new ArgvError('x').kind).toBe('usage');
    expect(new UsageError('x').kind).toBe('input');
    expect(lib.OutsideRootError.write('/t/x', '/elsewhere', '/t')).toBeInstanceOf(lib.LimitsIoError);
    expect(lib.OutsideRootError.write('/t/x', '/elsewhere', '/t').code).toBe('EOUTSIDEROOT');
    expect(SAMPLES.PathChangedError!()).toMatchObject({ code: 'ECHANGED' });
  });

  it('library messages speak the library\'s terms, never a command-line flag', () => {
    for (const [name, make] of Object.entries(SAMPLES)) expect(make().message, name).not.toMatch(/(^|\s)--[a-z]/);
    const target = (t: Parameters<typeof domainFor>[0]) => { try { domainFor(t); } catch (e) { return e as LimitsError; } throw new Error('no error'); };
    for (const t of [{}, { user: 'a', group: 'b' }, { user: '@x' }, { group: '@:5' }]) {
      const e = target(t);
      expect(e.code).toBe('ETARGET');
      expect(e.message).not.toMatch(/--/);
    }
    expect(() => lib.checkRoot('/nonexistent/tree')).toThrow(/^the tree root \/nonexistent\/tree does not exist$/);
  });
});

describe('main() classifies once', () => {
  async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false, env: { NO_COLOR: '1', ...env }, cwd: os.tmpdir() };
    const code = await main(argv, io);
    return { code, stdout, stderr, json: stdout ? JSON.parse(stdout) as { error: { code: string; message: string; hint?: string; errno?: string } } : undefined };
  }

  it('usage: a command line that does not parse', async () => {
    const r = await run(['files', '--bogus', '--json']);
    expect(r.code).toBe(2);
    expect(r.json?.error.code).toBe('usage');
  });

  it('input: the CLI adds its flags to the library\'s words (root, target, account)', async () => {
    const root = await run(['files', '--root', '/nonexistent/tree', '--json']);
    expect(root.code).toBe(2);
    expect(root.json?.error).toMatchObject({ code: 'input', message: '--root /nonexistent/tree does not exist', hint: expect.stringMatching(/--root/) });
    const target = await run(['set', 'nproc', '5', '--root', DEMO, '--dry-run', '--json']);
    expect(target.code).toBe(2);
    expect(target.json?.error).toMatchObject({ code: 'input', hint: expect.stringMatching(/--user, --group, --all or --domain/) });
    const ghost = await run(['get', 'nproc', '--user', 'ghost', '--root', DEMO]);
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toMatch(/^limitsctl: unknown user 'ghost'.*\n.*--uid\/--gid\/--groups/);
    const policy = path.join(mkdtempSync(path.join(os.tmpdir(), 'limitsctl-err-')), 'p.ini');
    scratch.push(path.dirname(policy));
    writeFileSync(policy, 'nproc = 5\n');
    const p = await run(['apply', policy, '--root', DEMO, '--dry-run', '--json']);
    expect(p.code).toBe(2);
    expect(p.json?.error).toMatchObject({ code: 'input', hint: 'The policy format is described in docs/editing.md.' });
  });

  it('io: an account file that leads outside the tree, with its code', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-err-'));
    scratch.push(root);
    mkdirSync(path.join(root, 'etc/security'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), 'admin - nproc 5\n');
    writeFileSync(path.join(root, 'outside'), 'admin:x:1000:1000::/:/bin/sh\n');
    mkdirSync(path.join(root, 'tree/etc/security'), { recursive: true });
    writeFileSync(path.join(root, 'tree/etc/security/limits.conf'), 'admin - nproc 5\n');
    symlinkSync('../../outside', path.join(root, 'tree/etc/passwd'));
    const r = await run(['get', 'nproc', '--user', 'admin', '--root', path.join(root, 'tree'), '--json']);
    expect(r.code).toBe(2);
    expect(r.json?.error).toMatchObject({ code: 'io', errno: 'EACCOUNTFILE', message: expect.stringMatching(/leads outside the tree root/) });
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('conflict, OS errors and bugs', () => {
    expect(describeError(SAMPLES.ConcurrentModificationError!())).toMatchObject({ code: 'conflict', errno: 'ECONFLICT' });
    expect(describeError(SAMPLES.LockTimeoutError!())).toMatchObject({ code: 'io', errno: 'ELOCKTIMEOUT' });
    expect(describeError(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }))).toEqual({ code: 'io', message: 'EROFS: read-only file system', errno: 'EROFS' });
    expect(describeError(new TypeError('x is undefined')).code).toBe('internal');
    expect(describeError('a string').code).toBe('internal');
  });
});
