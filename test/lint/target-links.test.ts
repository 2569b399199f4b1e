/**
 * `limitsctl lint PATH…` and symlinks (src/io/lint-targets.ts; docs/lint.md, "Each target once"), through the built CLI on real temp trees with real symlinks:
 * - a tree (or file) named twice, also through a symlink, is linted, counted and fixed once, under
 *   the first name given;
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

const built = existsSync(path.resolve(__dirname, '../../dist/cli/commands/lint.js'));
if (!built) console.warn('lint target-link tests skipped: dist/ is not built (npm test builds it)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-links-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh directory holding `files` (relative path → content). */
function repo(files: Record<string, string>): string {
  const dir = path.join(tmp, `r${n++}`);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function lint(args: string[], cwd: string) {
  return cli(['lint', '--profile', 'linux-pam-1.5.2', ...args], { cwd });
}

interface JsonReport {
  results: Array<{ file: string; line: number; code: string; message: string }>;
  summary: { errors: number; warnings: number; files: number; filesWithFindings: number };
  files: string[];
  profiles: Array<{ root: string | null }>;
}

function json(args: string[], cwd: string): JsonReport & { code: number } {
  const r = lint([...args, '--format', 'json'], cwd);
  expect(r.stderr).toBe('');
  return { ...(JSON.parse(r.stdout) as JsonReport), code: r.code };
}

/** one finding LC003 each (an unknown item) */
const BAD = (who: string) => `${who} soft nofile 4096\n${who} soft npoc 10\n`;
/** one finding LC202 each (the second line repeats the first): fixable */
const DUP = '* soft nproc 4096\n* soft nproc 4096\n';

describe.skipIf(!built)('lint: a target named twice is linted once, under the first name', () => {
  const hosts = () => {
    const dir = repo({ 'hosts/a/etc/security/limits.conf': BAD('a'), 'hosts/b/etc/security/limits.conf': BAD('b'), 'hosts/b/etc/security/limits.d/x.conf': BAD('x') });
    symlinkSync('hosts', path.join(dir, 'H'));
    return dir;
  };

  it('hosts/a H/b hosts/b (H -> hosts): tree b once, as H/b, in every format', () => {
    const dir = hosts();
    const j = json(['hosts/a', 'H/b', 'hosts/b'], dir);
    expect(j.code).toBe(1);
    expect(j.files).toEqual(['hosts/a/etc/security/limits.conf', 'H/b/etc/security/limits.conf', 'H/b/etc/security/limits.d/x.conf']);
    expect(j.results.map((r) => `${r.file}:${r.line}:${r.code}`)).toEqual([
      'hosts/a/etc/security/limits.conf:2:LC003', 'H/b/etc/security/limits.conf:2:LC003', 'H/b/etc/security/limits.d/x.conf:2:LC003',
    ]);
    expect(j.summary).toMatchObject({ errors: 3, files: 3, filesWithFindings: 3 });
    expect(j.profiles.map((p) => p.root)).toEqual(['hosts/a', 'H/b']);
    const text = lint(['hosts/a', 'H/b', 'hosts/b'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/^hosts\/b\//m);
    expect(text.stdout.trimEnd().split('\n').pop()).toBe('✖ 3 problems (3 errors, 0 warnings, 0 info) in 3 of 3 files');
    const sarif = JSON.parse(lint(['hosts/a', 'H/b', 'hosts/b', '-f', 'sarif'], dir).stdout) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0]!.results).toHaveLength(3);
  });

  it('a glob and a name of the same tree; a tree named through a link and by its real name in any order', () => {
    const dir = hosts();
    const g = json(['hosts/*', 'H/b'], dir);
    expect(g.files).toEqual(['hosts/a/etc/security/limits.conf', 'hosts/b/etc/security/limits.conf', 'hosts/b/etc/security/limits.d/x.conf']);
    const r = json(['hosts/b', 'H/b/', './H/b'], dir);
    expect(r.files).toEqual(['hosts/b/etc/security/limits.conf', 'hosts/b/etc/security/limits.d/x.conf']);
    expect(r.summary.errors).toBe(2);
  });

  it("'hosts/*' matching a tree and a link to it: once, under the name with no link; two names inside a tree stay two files", () => {
    const dir = hosts();
    symlinkSync('b', path.join(dir, 'hosts/alias')); // sorts before b
    const g = json(['hosts/*'], dir);
    expect(g.files).toEqual(['hosts/a/etc/security/limits.conf', 'hosts/b/etc/security/limits.conf', 'hosts/b/etc/security/limits.d/x.conf']);
    expect(g.summary.errors).toBe(3);
    // a limits.d link to limits.conf: pam_limits reads the file under both names, lint reports both
    symlinkSync('../limits.conf', path.join(dir, 'hosts/b/etc/security/limits.d/dup.conf'));
    const inTree = json(['hosts/b/etc/security/*', 'hosts/b/etc/security/limits.d/*'], dir);
    expect(inTree.files).toEqual(['hosts/b/etc/security/limits.conf', 'hosts/b/etc/security/limits.d/dup.conf', 'hosts/b/etc/security/limits.d/x.conf']);
  });

  it('files of one tree named under two names are reported together, under the first name', () => {
    const dir = hosts();
    const files = json(['hosts/b/etc/security/limits.d/x.conf', 'H/b/etc/security/limits.conf'], dir);
    expect(files.results.map((x) => x.file)).toEqual(['hosts/b/etc/security/limits.conf', 'hosts/b/etc/security/limits.d/x.conf']);
    expect(files.summary.files).toBe(2);
    // a file, then its whole tree under another name: the whole tree, under the file's name
    const whole = json(['H/b/etc/security/limits.conf', 'hosts/b'], dir);
    expect(whole.files).toEqual(['H/b/etc/security/limits.conf', 'H/b/etc/security/limits.d/x.conf']);
    expect(whole.profiles).toHaveLength(1);
    // the same file twice: once
    expect(json(['hosts/b/etc/security/limits.conf', 'H/b/etc/security/limits.conf'], dir).results).toHaveLength(1);
  });

  it('a file outside any tree named through a link to it: once', () => {
    const dir = repo({ 'templates/limits.conf': BAD('t') });
    symlinkSync('limits.conf', path.join(dir, 'templates/alias.conf'));
    const j = json(['templates/limits.conf', 'templates/alias.conf'], dir);
    expect(j.files).toEqual(['templates/limits.conf']);
    expect(j.summary.errors).toBe(1);
  });

  it('--fix plans and writes the tree once: the dry run and the run say the same', () => {
    const dir = repo({ 'hosts/a/etc/security/limits.conf': DUP, 'hosts/b/etc/security/limits.conf': DUP });
    symlinkSync('hosts', path.join(dir, 'H'));
    const dry = lint(['hosts/a', 'H/b', 'hosts/b', '--fix', '--dry-run'], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout.match(/^--- a\//gm)).toEqual(['--- a/', '--- a/']);
    expect(dry.stdout).toMatch(/^--- a\/H\/b\/etc\/security\/limits\.conf$/m);
    expect(dry.stdout).toMatch(/no problems in 2 files; fixed 2 problems \(dry run: nothing written\)\n$/);
    const fix = json(['hosts/a', 'H/b', 'hosts/b', '--fix'], dir) as JsonReport & { fixed: number; code: number };
    expect(fix.code).toBe(0);
    expect(fix.fixed).toBe(2);
    expect(fix.files).toEqual(['hosts/a/etc/security/limits.conf', 'H/b/etc/security/limits.conf']);
    for (const h of ['a', 'b']) expect(readFileSync(path.join(dir, `hosts/${h}/etc/security/limits.conf`), 'latin1')).toBe('* soft nproc 4096\n');
  });
});
