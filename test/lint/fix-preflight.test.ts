/**
 * `lint --fix` over several targets checks every target before it writes any (commands/lint.ts,
 * the pre-flight before the report): a refusal in a later tree or file (a file with other hard
 * links, EHARDLINK; --output-file naming a file of a later tree) is exit 2 with every tree as it
 * was — not one byte, mode or mtime changed. Before, the trees ahead of it were fixed and written,
 * and then the run ended in exit 2. The hint of lint's refusal names no --force (lint has none).
 */
import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { describeError } from '../../src/cli/main.js';
import { hardLinkRefusal } from '../../src/io/write.js';
import { runMain } from '../cli/helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-fix-preflight-'));
/** directories made immutable by a test (chattr +i), made mutable again before the clean-up */
const immutable: string[] = [];
afterAll(() => {
  for (const d of immutable) spawnSync('chattr', ['-i', d]);
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * chattr +i `dir`; where that cannot be done here (not root, no chattr, a file system without the
 * flag) the test is skipped with the reason (ctx.skip throws).
 */
function makeImmutable(dir: string, ctx: TestContext): void {
  const r = spawnSync('chattr', ['+i', dir], { encoding: 'utf8' });
  const why = r.error ? `chattr cannot run here (${r.error.message})`
    : r.status !== 0 ? `chattr +i failed here (${r.stderr.trim()}): needs root and a file system with the immutable flag` : null;
  if (why !== null) {
    console.warn(`skipped: ${why}`);
    ctx.skip(why);
  }
  immutable.push(dir);
}

const FIXABLE = 'alice SOFT nofile 5\n';
const FIXED = 'alice soft nofile 5\n';

/** A tree under `root` whose limits.conf holds `conf`; returns the limits.conf path. */
function tree(root: string, conf: string): string {
  const sec = path.join(root, 'etc/security');
  mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
  writeFileSync(path.join(sec, 'limits.conf'), conf);
  return path.join(sec, 'limits.conf');
}

/** Content, mode and mtime of each file (nanoseconds), to compare before and after a run. */
function snapshot(files: readonly string[]): string[] {
  return files.map((f) => {
    const st = statSync(f, { bigint: true });
    return `${f} ${readFileSync(f, 'latin1')} ${st.mode} ${st.mtimeNs}`;
  });
}

describe('lint --fix over several targets', () => {
  it('a later tree whose file has other hard links: exit 2 and no tree written', async () => {
    const repo = path.join(tmp, 'repo-hl');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    linkSync(b, path.join(repo, 'b-other-name'));
    const before = snapshot([a, b]);
    const dirBefore = statSync(path.dirname(a), { bigint: true }).mtimeNs;
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('refusing to replace');
    expect(r.stderr).toContain(b);
    expect(r.stderr).not.toContain('--force to');
    // lint has no --force, nor the library's option: the message offers neither, the hint says what to do
    expect(r.stderr).not.toMatch(/hardLinks|replace this name only \(/);
    expect(r.stderr).toMatch(/edit it through a symlink instead of a hard link\n/);
    expect(snapshot([a, b])).toEqual(before);
    // no lock, no temporary file was made in the first tree
    expect(statSync(path.dirname(a), { bigint: true }).mtimeNs).toBe(dirBefore);
  });

  it('the same trees without the hard link are both fixed (the pre-flight refuses nothing else)', async () => {
    const repo = path.join(tmp, 'repo-ok');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fixed 2 problems');
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual([FIXED, FIXED]);
  });

  it('a later tree whose etc/security is immutable (its lock cannot be taken): exit 2, no tree written', async (ctx) => {
    const repo = path.join(tmp, 'repo-immutable');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    makeImmutable(path.dirname(b), ctx);
    const before = snapshot([a, b]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot take the lock ${path.join(path.dirname(b), '.limitsctl.lock')}: operation not permitted`);
    expect(snapshot([a, b])).toEqual(before);
    // one tree alone meets the same refusal from the writer itself, in the same words
    const alone = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/b'], { cwd: repo });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(r.stderr);
  });

  it('a later tree whose limits.conf is immutable: exit 2 in the writer\'s words, no tree written', async (ctx) => {
    const repo = path.join(tmp, 'repo-immutable-file');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    makeImmutable(b, ctx);
    const before = snapshot([a, b]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot replace ${b}: operation not permitted`);
    expect(snapshot([a, b])).toEqual(before);
    const alone = await runMain(['lint', '--profile', 'debian-12', '--fix', 'hosts/b'], { cwd: repo });
    expect(alone.stderr).toBe(r.stderr);
  });

  it('files outside a tree: the second one hard-linked refuses the run, the first stays as it was', async () => {
    const dir = path.join(tmp, 'loose');
    mkdirSync(dir);
    const one = path.join(dir, 'one.conf');
    const two = path.join(dir, 'two.conf');
    writeFileSync(one, FIXABLE);
    writeFileSync(two, FIXABLE);
    linkSync(two, path.join(dir, 'two-again'));
    const before = snapshot([one, two]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', one, two]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refusing to replace ${two}`);
    expect(snapshot([one, two])).toEqual(before);
    // a dry run predicts the same refusal, as it does for a file of a tree
    const dry = await runMain(['lint', '--profile', 'debian-12', '--fix', '--dry-run', two]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(`refusing to replace ${two}`);
    expect(snapshot([one, two])).toEqual(before);
  });

  it('files outside a tree, the second in an immutable directory: exit 2, the first stays as it was; a dry run still shows both', async (ctx) => {
    const x = path.join(tmp, 'loose-x');
    const y = path.join(tmp, 'loose-y');
    mkdirSync(x);
    mkdirSync(y);
    const one = path.join(x, 'one.conf');
    const two = path.join(y, 'two.conf');
    writeFileSync(one, FIXABLE);
    writeFileSync(two, FIXABLE);
    makeImmutable(y, ctx);
    const before = snapshot([one, two]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', one, two]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot replace ${two}: operation not permitted — ${y} may be immutable`);
    expect(snapshot([one, two])).toEqual(before);
    // a dry run writes nothing, so an unwritable directory is no reason to refuse it
    const dry = await runMain(['lint', '--profile', 'debian-12', '--fix', '--dry-run', one, two]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('fixed 2 problems (dry run: nothing written)');
  });

  it('--output-file leading to a linted file through a linked directory or a glob: exit 2, nothing written', async () => {
    const dir = path.join(tmp, 'report-links');
    mkdirSync(path.join(dir, 'real'), { recursive: true });
    const f1 = path.join(dir, 'real/f1.conf');
    const f2 = path.join(dir, 'real/f2.conf');
    writeFileSync(f1, FIXABLE);
    writeFileSync(f2, FIXABLE);
    symlinkSync('real', path.join(dir, 'R'));
    symlinkSync('real/f2.conf', path.join(dir, 'rep.txt'));
    const before = snapshot([f1, f2]);
    for (const args of [['--fix', 'R/f1.conf', 'R/f2.conf'], ['R/f2.conf'], ['--fix', 'R/*.conf'], ['R/*.conf']]) {
      const r = await runMain(['lint', '--profile', 'debian-12', '--output-file', 'rep.txt', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/--output-file rep\.txt (would replace a file being linted|is a file being linted)/);
      expect(snapshot([f1, f2]), args.join(' ')).toEqual(before);
    }
  });

  it('--output-file leading into an etc/security layout through a link: refused before anything is read', async () => {
    const repo = path.join(tmp, 'report-layout');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    symlinkSync(path.join(path.dirname(b), 'limits.d/99-report.conf'), path.join(repo, 'rep.txt'));
    const before = snapshot([a, b]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', '--output-file', 'rep.txt', 'hosts/*'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('put a report where pam_limits reads its configuration');
    expect(readdirSync(path.join(path.dirname(b), 'limits.d'))).toEqual([]);
    expect(snapshot([a, b])).toEqual(before);
  });

  it('--output-file leading to a file a later tree reads outside etc/security: exit 2 before any tree is written', async () => {
    const repo = path.join(tmp, 'repo-out');
    const a = tree(path.join(repo, 'hosts/a'), FIXABLE);
    const b = tree(path.join(repo, 'hosts/b'), FIXABLE);
    // the second tree's limits.d/app.conf is an absolute link, so lint reads <tree>/opt/app.conf:
    // no etc/security in the report's path (the check of the command line lets it through), but
    // a file being linted all the same
    const app = path.join(repo, 'hosts/b/opt/app.conf');
    mkdirSync(path.dirname(app));
    writeFileSync(app, FIXABLE);
    symlinkSync('/opt/app.conf', path.join(path.dirname(b), 'limits.d/app.conf'));
    symlinkSync(app, path.join(repo, 'report.txt'));
    const before = snapshot([a, b, app]);
    const r = await runMain(['lint', '--profile', 'debian-12', '--fix', '--output-file', 'report.txt', 'hosts/a', 'hosts/b'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--output-file report.txt is a file being linted');
    expect(snapshot([a, b, app])).toEqual(before);
    expect(readdirSync(path.dirname(app))).toEqual(['app.conf']);
  });
});

describe('--output-file and the directories pam_limits reads', () => {
  it('a report file in the directory a tree\'s limits.d links to is refused: pam_limits would read it', async () => {
    const root = path.join(tmp, 'linked-limits-d');
    const conf = tree(root, FIXABLE);
    rmSync(path.join(path.dirname(conf), 'limits.d'), { recursive: true });
    mkdirSync(path.join(root, 'cfg'));
    symlinkSync('../../cfg', path.join(path.dirname(conf), 'limits.d'));
    for (const fix of [[], ['--fix']]) {
      const r = await runMain(['lint', '--profile', 'debian-12', ...fix, '--root', root, '--output-file', path.join(root, 'cfg/new.conf')]);
      expect(r.code, fix.join('')).toBe(2);
      expect(r.stderr).toContain('would put a report where pam_limits reads its configuration');
      expect(readdirSync(path.join(root, 'cfg'))).toEqual([]);
      expect(readFileSync(conf, 'utf8')).toBe(FIXABLE);
    }
  });

  it('a report file that standard input is redirected from is refused, as /dev/stdin is', async () => {
    const dir = path.join(tmp, 'stdin-report');
    mkdirSync(dir);
    const x = path.join(dir, 'x.conf');
    writeFileSync(x, FIXABLE);
    const fd = openSync(x, 'r');
    const r = spawnSync(process.execPath, [path.resolve('bin/limitsctl.js'), 'lint', '-', '-o', x], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('would replace a file being linted');
    expect(readFileSync(x, 'utf8')).toBe(FIXABLE);
  });
});

describe('the warning about a release without a profile', () => {
  it('shows a tree\'s name with its control characters escaped', async () => {
    const repo = path.join(tmp, 'repo-release-name');
    const name = 'e\u001b]0;PWNED\u0007';
    tree(path.join(repo, name), FIXABLE);
    writeFileSync(path.join(repo, name, 'etc/os-release'), 'ID=debian\nVERSION_ID=99\n');
    const r = await runMain(['lint', name], { cwd: repo });
    expect(r.stderr).toContain('e\\x1b]0;PWNED\\x07');
    expect(r.stderr).not.toContain('\u001b');
  });

  it('is said once per tree, however often --fix reads the tree', async () => {
    const repo = path.join(tmp, 'repo-release');
    for (const h of ['a', 'b']) {
      tree(path.join(repo, `hosts/${h}`), FIXABLE);
      writeFileSync(path.join(repo, `hosts/${h}/etc/os-release`), 'ID=debian\nVERSION_ID=99\n');
    }
    const r = await runMain(['lint', '--fix', 'hosts/*'], { cwd: repo });
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('hosts/a');
    expect(warnings[1]).toContain('hosts/b');
  });
});

describe('the hint of a refused hard-linked file', () => {
  const e = () => hardLinkRefusal('/t/etc/security/limits.conf', '/t/etc/security/limits.conf', 2n);
  it('names --force for the commands that have it', () => {
    for (const c of ['set', 'unset', 'apply']) expect(describeError(e(), c).hint, c).toMatch(/^Pass --force/);
  });
  it('names set/unset --force, not an option of its own, for lint', () => {
    const h = describeError(e(), 'lint').hint ?? '';
    expect(h).not.toMatch(/^Pass --force/);
    expect(h).toContain('limitsctl set or unset --force');
  });
});
