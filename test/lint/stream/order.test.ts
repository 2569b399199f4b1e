/**
 * lint reads, lints and prints the trees of a repository one at a time: the findings of a tree
 * are on stdout before the next tree is read (a file changed after the first block was written
 * is linted as it is then), every PATH is checked before anything is printed, and the library's
 * expandLintTargets reads a tree only when its iteration reaches it. In process (main()).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/context.js';
import { main } from '../../../src/cli/main.js';
import { expandLintTargets, LintPathError, loadLintTargets } from '../../../src/io/lint-targets.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A repository with hosts/<name>/etc/security/limits.conf for each entry of `trees`. */
function repo(trees: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-stream-order-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(trees)) write(dir, name, text);
  return dir;
}

function write(dir: string, host: string, text: string): void {
  const sec = path.join(dir, 'hosts', host, 'etc/security');
  mkdirSync(sec, { recursive: true });
  writeFileSync(path.join(sec, 'limits.conf'), text);
}

/** An io capturing stdout; `onBlock` runs each time a block has been written and the writer waits. */
function capture(cwd: string, onBlock: (blocks: number) => void = () => {}) {
  const got = { stdout: '', stderr: '', blocks: 0 };
  const io: CliIO = {
    stdout: (t) => { got.stdout += t; got.blocks++; },
    stderr: (t) => { got.stderr += t; },
    isTTY: false,
    env: { NO_COLOR: '1' },
    cwd,
    stdoutClosed: () => false,
    stdoutReady: () => { onBlock(got.blocks); return undefined; },
  };
  return { io, got };
}

const CLEAN = '* soft core 0\n';

describe('lint streams a repository tree by tree', () => {
  for (const format of ['text', 'json', 'sarif', 'github', 'junit', 'checkstyle', 'codeclimate']) {
    it(`${format}: the first tree's findings are written before the second tree is read`, async () => {
      // hosts/a: 2,000 findings, several 64 KiB blocks of any format; hosts/b: clean until the
      // first block of output has been written, then broken
      const dir = repo({ a: 'bad\n'.repeat(2000), b: CLEAN });
      const { io, got } = capture(dir, (blocks) => { if (blocks === 1) write(dir, 'b', 'late\n'); });
      const code = await main(['lint', 'hosts/*', '--format', format], io);
      expect(code).toBe(1);
      expect(got.blocks).toBeGreaterThan(2);
      expect(got.stderr).toBe('');
      // hosts/b was read after the first block: its finding (LC001 on line 1) is reported
      expect(got.stdout).toContain('hosts/b/etc/security/limits.conf');
      if (format === 'text') expect(got.stdout).toMatch(/^hosts\/b\/etc\/security\/limits\.conf:1:1 error LC001 /m);
      if (format === 'json') {
        const doc = JSON.parse(got.stdout) as { results: Array<{ file: string; line: number; code: string }>; summary: { errors: number } };
        expect(doc.results.filter((r) => r.file === 'hosts/b/etc/security/limits.conf')).toEqual([expect.objectContaining({ line: 1, code: 'LC001' })]);
        expect(doc.summary.errors).toBe(2001);
      }
      if (format === 'sarif') {
        const log = JSON.parse(got.stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
        const inB = log.runs[0]!.results.filter((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'hosts/b/etc/security/limits.conf');
        expect(inB.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.region.startLine])).toEqual([['LC001', 1]]);
      }
      // the 2,001st error: past GitHub's 10 annotations of a kind it is a log line (src/formatters/github.ts)
      if (format === 'github') expect(got.stdout).toMatch(/^hosts\/b\/etc\/security\/limits\.conf:1:1 error LC001 /m);
    });
  }

  it('a PATH that names nothing: exit 2 and no report on stdout, though the other PATH has findings', async () => {
    const dir = repo({ a: 'bad\n'.repeat(10) });
    for (const format of ['text', 'json']) {
      const { io, got } = capture(dir);
      expect(await main(['lint', 'hosts/a', 'hosts/nope', '--format', format], io)).toBe(2);
      if (format === 'text') {
        expect(got.stdout).toBe('');
        expect(got.stderr).toMatch(/hosts\/nope does not exist/);
      } else {
        // --format json reports the error as its one document, with nothing of the report before it
        expect(JSON.parse(got.stdout)).toEqual({ version: 1, error: expect.objectContaining({ message: 'hosts/nope does not exist' }) });
      }
    }
  });

  it('text --fix --dry-run: each tree\'s diff, then what is left in it; a blank line between trees', async () => {
    const text = 'alice hard nofile 1\nalice hard nofile 2\nbad\n';
    const dir = repo({ a: text, b: text });
    const { io, got } = capture(dir);
    expect(await main(['lint', 'hosts/*', '--fix', '--dry-run', '--profile', 'debian'], io)).toBe(1);
    const file = (h: string) => `hosts/${h}/etc/security/limits.conf`;
    const diff = (h: string) => `--- a/${file(h)}\n+++ b/${file(h)}\n@@ -1,3 +1,2 @@\n-alice hard nofile 1\n alice hard nofile 2\n bad\n`;
    const lines = got.stdout.split('\n');
    const finding = (h: string) => lines.find((l) => l.startsWith(`${file(h)}:2:1 error LC001 `))!;
    expect(finding('a')).toBeDefined();
    expect(finding('b')).toBeDefined();
    expect(got.stdout).toBe(`${diff('a')}${finding('a')}\n\n${diff('b')}${finding('b')}\n\n✖ 2 problems (2 errors, 0 warnings, 0 info) in 2 of 2 files; fixed 2 problems (dry run: nothing written)\n`);
  });
});

describe('expandLintTargets', () => {
  it('checks every PATH first, then reads each tree only when the iteration reaches it', async () => {
    const dir = repo({ a: CLEAN, b: CLEAN });
    await expect(expandLintTargets(['hosts/a', 'hosts/nope'], { cwd: dir, profile: () => 'debian-12' as const })).rejects.toBeInstanceOf(LintPathError);
    const targets = await expandLintTargets(['hosts/*'], { cwd: dir, profile: () => 'debian-12' as const });
    expect(targets.count).toBe(2);
    const it = targets[Symbol.asyncIterator]();
    const a = await it.next();
    expect(a.done).toBe(false);
    write(dir, 'b', 'changed\n'); // after a was read, before b is
    const b = await it.next();
    expect(b.done).toBe(false);
    const text = (t: typeof b) => (t.done ? '' : t.value.target.tree.files[0]!.doc!.text);
    expect(text(a)).toContain('* soft core 0');
    expect(text(b)).toContain('changed');
    expect((await it.next()).done).toBe(true);
    // the array form reads them all, as before
    expect((await loadLintTargets(['hosts/*'], { cwd: dir, profile: () => 'debian-12' as const })).map((t) => t.root)).toEqual([path.join(dir, 'hosts/a'), path.join(dir, 'hosts/b')]);
  });
});
