/**
 * A dry run (`--dry-run`/`-n`) and `--check` predict the refusal a real run would make, with the
 * same exit code and message, and a refused run leaves the tree exactly as it was — bytes, modes,
 * mtimes, including etc/security's own mtime (no lock file created and removed). The prediction is
 * the edit transaction's pre-flight (src/io/commit.ts `preflight`): today a target with other hard
 * links (docs/editing.md, "Hard links").
 */
import { appendFileSync, cpSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, DEMO, runMain } from './helpers.js';
import { differences, snapshot } from './snapshot.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

describe('a target with another hard link', () => {
  it('-n, --check and a real run all refuse it the same way (exit 2, same message), and none changes anything', async () => {
    const root = tempDir('limitsctl-hardlink-');
    cpSync(DEMO, root, { recursive: true });
    const conf = path.join(root, 'etc/security/limits.conf');
    // the other name is outside the tree, as in the report (`ln T/etc/security/limits.conf /tmp/x`)
    const other = path.join(tempDir('limitsctl-hardlink-other-'), 'x');
    linkSync(conf, other);
    const content = readFileSync(conf);
    const results: Record<string, { code: number; stderr: string; stdout: string }> = {};
    for (const mode of ['-n', '--dry-run', '--check', 'real']) {
      const before = snapshot(root);
      const args = ['set', 'nproc', '5', '--user', 'admin', '--root', root, ...(mode === 'real' ? [] : [mode])];
      results[mode] = await runMain(args);
      expect(differences(before, snapshot(root)), mode).toEqual([]);
    }
    for (const [mode, r] of Object.entries(results)) {
      expect(r.code, `${mode}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, mode).toMatch(/refusing to replace .*limits\.conf: it has 2 hard links/);
      expect(r.stderr, mode).not.toMatch(/internal error|\n\s+at /);
      expect(r.stdout, mode).not.toMatch(/^\+admin/m); // no diff promised
      expect(r.stderr, mode).toBe(results.real!.stderr);
    }
    expect(readFileSync(conf).equals(content)).toBe(true);
    expect(readFileSync(other).equals(content)).toBe(true);
  });

  it('the message names the CLI flag --force, never the library option (hardLinks \'split\'): set, unset, apply, --json; lint --fix (no --force) names neither', () => {
    const root = tempDir('limitsctl-hardlink-');
    cpSync(DEMO, root, { recursive: true });
    const conf = path.join(root, 'etc/security/limits.conf');
    linkSync(conf, path.join(tempDir('limitsctl-hardlink-other-'), 'x'));
    const policy = path.join(tempDir('limitsctl-hardlink-policy-'), 'p.ini');
    writeFileSync(policy, '[admin]\nnproc = 5\n');
    const said = /^limitsctl: refusing to replace \S*etc\/security\/limits\.conf: it has 2 hard links, so 1 other name\(s\) share its content and would keep the old one — edit it through a symlink instead of a hard link, or replace this name only \(--force\)\nPass --force to replace this name only/;
    for (const args of [['set', 'nproc', '5', '--user', 'admin'], ['unset', 'nproc', '--all', '-n'], ['apply', policy]]) {
      const r = cli([...args, '--root', root]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(said);
      expect(r.stderr, args.join(' ')).not.toMatch(/hardLinks/);
    }
    const json = cli(['set', 'nproc', '5', '--user', 'admin', '--root', root, '--json']);
    const error = (JSON.parse(json.stdout) as { error: { message: string; errno: string } }).error;
    expect(error.errno).toBe('EHARDLINK');
    expect(error.message).toMatch(/, or replace this name only \(--force\)$/);
    appendFileSync(conf, '* SOFT nproc 5\n'); // a fix for lint --fix to make (both names see it: one inode)
    const lint = cli(['lint', '--fix', '--root', root]);
    expect(lint.code, lint.stderr).toBe(2);
    expect(lint.stderr).toMatch(/it has 2 hard links, so 1 other name\(s\) share its content and would keep the old one — edit it through a symlink instead of a hard link\nMake the other names symlinks/);
    expect(lint.stderr).not.toMatch(/hardLinks|\(--force\)/);
  }, 60_000);

  it('with --force the dry run shows the change (the other name keeps the old content) and exits 0', async () => {
    const root = tempDir('limitsctl-hardlink-');
    cpSync(DEMO, root, { recursive: true });
    const conf = path.join(root, 'etc/security/limits.conf');
    linkSync(conf, path.join(root, 'etc/security/limits.conf.hardlink'));
    const before = snapshot(root);
    const r = await runMain(['set', 'nproc', '5', '--user', 'admin', '--root', root, '--force', '-n']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\+admin\s+-\s+nproc\s+5$/m);
    expect(differences(before, snapshot(root))).toEqual([]);
  });
});
