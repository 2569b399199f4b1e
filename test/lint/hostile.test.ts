/**
 * Hostile input through the built binary: one 4 MB line of several shapes, and a target with
 * 150,000 findings. Each run must end on its own (a generous bound, no timing assert) with a
 * clear result: the exit code of its findings, a summary, and output that parses.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/core/lint/report.js';
import { RULES } from '../../src/core/lint/rules.js';
import type { Diagnostic } from '../../src/core/lint/types.js';
import { writeGithub } from '../../src/formatters/github.js';
import { writeLintJson } from '../../src/formatters/json.js';
import { writeLintSarif } from '../../src/formatters/sarif.js';
import { chunked, type Write } from '../../src/formatters/stream.js';
import { writeText } from '../../src/formatters/text.js';

const BIN = path.resolve(__dirname, '../../bin/limitsctl.js');
const built = existsSync(path.resolve(__dirname, '../../dist/cli/commands/lint.js'));
if (!built) console.warn('hostile-input lint tests skipped: dist/ is not built (npm test builds it)');

/** Far above what these runs need (seconds); quadratic work took minutes to hours. */
const BOUND_MS = 240_000;

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, limitsConf: string | Buffer): string {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), limitsConf);
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  return root;
}

/** Runs the CLI with stdout to a file (outputs here are hundreds of MB); killed past BOUND_MS. */
function run(args: string[], outFile: string): { code: number | null; signal: NodeJS.Signals | null; stderr: string; out: string } {
  const fd = openSync(outFile, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: tmp, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: BOUND_MS, killSignal: 'SIGKILL',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, signal: r.signal, stderr: r.stderr, out: outFile };
  } finally {
    closeSync(fd);
  }
}

function lastLine(file: string): string {
  const text = readFileSync(file, 'utf8').trimEnd();
  return text.slice(text.lastIndexOf('\n') + 1);
}

const M = 4 << 20;

/** One line of 4 MB, in the shapes that made lint quadratic; the profile that reads it so. */
const LONG_LINES: Array<[string, string, string]> = [
  ['words split into 1.5.2 chunks', 'debian-12', 'ab cd ef '.repeat(Math.ceil(M / 9))],
  ['one 4 MB field', 'linux-pam-1.7.2', 'x'.repeat(M)],
  ['template syntax', 'linux-pam-1.7.2', '${'.repeat(M / 2)],
  ['a 4 MB item name', 'linux-pam-1.7.2', `* soft ${'+'.repeat(M)} 1`],
  ['a 4 MB number', 'linux-pam-1.5.2', `* soft nproc ${'9'.repeat(M)}`],
  ['a limitsctl-disable list of unknown names', 'debian-12', `* soft nproc 1 #limitsctl-disable ${`${'x'.repeat(63)},`.repeat(M / 64)}`],
  ['UTF-8 text', 'debian-12', 'é ab '.repeat(Math.ceil(M / 6))],
];

describe.skipIf(!built)('lint on hostile input ends on its own', () => {
  it.each(LONG_LINES)('one 4 MB line: %s (%s)', (name, profile, line) => {
    const root = tree(`line-${name.replace(/\W+/g, '-')}`, Buffer.from(`${line}\n`, 'utf8'));
    const r = run(['lint', '--root', root, '--profile', profile], path.join(tmp, 'line.out'));
    expect(r.signal, `lint was still running after ${BOUND_MS} ms`).toBeNull();
    expect(r.stderr).toBe('');
    // every shape holds an error (a line pam_limits skips)
    expect(r.code).toBe(1);
    expect(lastLine(r.out)).toMatch(/^✖ \d+ problems \(\d+ errors?, \d+ warnings?, \d+ info\) in 1 of 1 file/);
  }, BOUND_MS + 30_000);

  it('one 4 MB line: files, get, effective, explain, set and unset --dry-run end too', () => {
    const root = tree('line-commands', `* soft nproc 10\n${'ab cd ef '.repeat(Math.ceil(M / 9))}\n`);
    const commands: Array<[string[], number]> = [
      [['files'], 0],
      [['get', 'nproc', '--user', 'admin'], 0],
      [['effective', '--user', 'admin'], 0],
      [['explain', 'nproc', '--user', 'admin'], 0],
      [['set', 'nproc', '20', '--user', 'admin', '--dry-run'], 0],
      [['unset', 'nproc', '--domain', '*', '--dry-run'], 0],
    ];
    for (const [args, code] of commands) {
      const r = run([...args, '--root', root, '--profile', 'debian-12'], path.join(tmp, 'cmd.out'));
      expect(r.signal, `${args.join(' ')} was still running after ${BOUND_MS} ms`).toBeNull();
      expect(r.stderr, args.join(' ')).not.toMatch(/internal error|RangeError|at .*\.js:\d+/);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
    }
  }, 6 * BOUND_MS);

  it('a limits.d of 130,000 ignored files: files and lint end, one finding per file', () => {
    const N = 130_000;
    const root = tree('many-ignored', '* soft nproc 10\n');
    const dir = path.join(root, 'etc/security/limits.d');
    mkdirSync(dir);
    for (let i = 0; i < N; i++) writeFileSync(path.join(dir, `x${i}.bak`), '');
    const files = run(['files', '--root', root], path.join(tmp, 'ignored.files'));
    expect(files.signal).toBeNull();
    expect(files.stderr).toBe('');
    expect(files.code).toBe(0);
    const l = run(['lint', '--root', root], path.join(tmp, 'ignored.lint'));
    expect(l.signal).toBeNull();
    expect(l.stderr).toBe('');
    expect(l.code).toBe(0);
    expect(lastLine(l.out)).toBe(`⚠ ${N} problems (0 errors, ${N} warnings, 0 info) in ${N} of ${N + 1} files`);
  }, 2 * BOUND_MS + 60_000);

  it('40,000 unknown users and groups against an etc/passwd and etc/group of 20,000 each', () => {
    const N = 20_000;
    const root = tree('many-accounts', Array.from({ length: N }, (_, i) => `usr${i} soft nproc 1\n@gp${i} soft nofile 1\n`).join(''));
    writeFileSync(path.join(root, 'etc/passwd'), `root:x:0:0::/root:/bin/sh\n${Array.from({ length: N }, (_, i) => `user${i}:x:${2000 + i}:100::/h:/bin/sh\n`).join('')}`);
    writeFileSync(path.join(root, 'etc/group'), `root:x:0:\n${Array.from({ length: N }, (_, i) => `grp${i}:x:${5000 + i}:user${i},user${i + 1}\n`).join('')}`);
    const r = run(['lint', '--root', root, '--profile', 'linux-pam-1.5.2'], path.join(tmp, 'accounts.out'));
    expect(r.signal, `lint was still running after ${BOUND_MS} ms`).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 40,000 names and 20,000 groups are too many combinations for an exhaustive LC203: it says so,
    // once per item, instead of going quiet
    const out = readFileSync(r.out, 'utf8');
    expect(out).toMatch(/limits\.conf:1:1 warning LC203 LC203 was not checked for nproc: /);
    expect(out).toMatch(/limits\.conf:2:1 warning LC203 LC203 was not checked for nofile: /);
    expect(lastLine(r.out)).toBe(`⚠ ${2 * N + 2} problems (0 errors, ${2 * N + 2} warnings, 0 info) in 1 of 1 file`);
  }, BOUND_MS + 30_000);

  describe('150,000 findings', () => {
    const N = 150_000;
    // each line is one field: pam_limits skips it ("invalid line"), an error
    const root = () => tree('many-findings', 'bad\n'.repeat(N));

    it('text', () => {
      const r = run(['lint', '--root', root()], path.join(tmp, 'many.txt'));
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(lastLine(r.out)).toBe(`✖ ${N} problems (${N} errors, 0 warnings, 0 info) in 1 of 1 file`);
    }, BOUND_MS + 30_000);

    it('--format json parses, with every finding', () => {
      const r = run(['lint', '--root', root(), '--format', 'json'], path.join(tmp, 'many.json'));
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const j = JSON.parse(readFileSync(r.out, 'utf8')) as { results: unknown[]; summary: { errors: number } };
      expect(j.results).toHaveLength(N);
      expect(j.summary.errors).toBe(N);
    }, BOUND_MS + 30_000);

    it('--format sarif parses, with every result', () => {
      const r = run(['lint', '--root', root(), '--format', 'sarif'], path.join(tmp, 'many.sarif'));
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const s = JSON.parse(readFileSync(r.out, 'utf8')) as { runs: Array<{ results: unknown[] }> };
      expect(s.runs[0]!.results).toHaveLength(N);
    }, BOUND_MS + 30_000);

    it('--format github', () => {
      const r = run(['lint', '--root', root(), '--format', 'github'], path.join(tmp, 'many.github'));
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const lines = readFileSync(r.out, 'utf8').trimEnd().split('\n');
      // GitHub shows 10 error annotations a step: 9, then one that counts the rest, which are log lines
      expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(10);
      expect(lines.filter((l) => / error LC\d{3} /.test(l) && !l.startsWith('::')).length).toBe(N - 9);
      expect(lines[lines.length - 2]).toMatch(new RegExp(`^::error title=limitsctl lint::${N - 9} more errors not shown as annotations`));
      expect(lines[lines.length - 1]).toBe(`limitsctl lint: ${N} error(s), 0 warning(s), 0 info in 1 file(s)`);
    }, BOUND_MS + 30_000);
  });
});

describe('reports larger than one JavaScript string can hold', () => {
  // V8 strings end at 2^29 - 24 characters; these reports are longer, so building each as one
  // string (JSON.stringify of the whole document) fails with "Invalid string length"
  const LIMIT = 2 ** 29 - 24;
  const d: Diagnostic = {
    code: 'LC001', rule: 'too-few-fields', severity: 'error', file: 'etc/security/limits.conf',
    line: 1, column: 1, endLine: 1, endColumn: 2, message: 'm'.repeat(4000),
  };
  const report: LintReport = {
    tool: { name: 'limitsctl', version: '0.1.0' },
    cwd: '/t', diagnostics: new Array<Diagnostic>(150_000).fill(d), files: ['etc/security/limits.conf'],
    rules: RULES.map((r) => ({ ...r, enabled: true })), suppressed: 0, fixed: 0, maxWarnings: null,
  };
  /** Counts what is written, keeping only the first and last block. */
  const measure = (fn: (w: Write) => void) => {
    let length = 0;
    let first = '';
    let last = '';
    const sink = chunked((t) => { length += t.length; if (!first) first = t; last = t; });
    fn(sink.write);
    sink.flush();
    return { length, first, last };
  };

  it.each([
    ['json', (w: Write) => writeLintJson(report, w), '{\n  "version": 1,', '\n}\n'],
    ['sarif', (w: Write) => writeLintSarif(report, w), '{\n  "$schema"', '\n}\n'],
    ['text', (w: Write) => writeText(report, w), 'etc/security/limits.conf:1:1 error LC001 m', '✖ 150000 problems (150000 errors, 0 warnings, 0 info) in 1 of 1 file\n'],
    ['github', (w: Write) => writeGithub(report, w), '::error file=etc/security/limits.conf,line=1', 'limitsctl lint: 150000 error(s), 0 warning(s), 0 info in 1 file(s)\n'],
  ] as const)('%s is written in pieces', (_name, write, head, tail) => {
    const out = measure(write);
    expect(out.length).toBeGreaterThan(LIMIT);
    expect(out.first.startsWith(head)).toBe(true);
    expect(out.last.endsWith(tail)).toBe(true);
  }, 120_000);
});
