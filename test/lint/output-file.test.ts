/**
 * `lint --output-file FILE` (-o): the report goes to FILE, replaced atomically (a temporary file
 * beside it, renamed) only when the run ends with exit 0 or 1; on exit 2 FILE keeps its bytes,
 * mode and mtime (or stays absent) and no temporary file is left. End to end through the built
 * binary (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINT_FORMATS } from '../../src/formatters/lint-format-names.js';

const BIN = path.resolve(__dirname, '../../bin/limitsctl.js');
const built = existsSync(path.resolve(__dirname, '../../dist/limitsctl.cjs'));
if (!built) console.warn('lint --output-file tests skipped: dist/ is not built (run npm run build)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number | null; stdout: Buffer; stderr: string }

function lint(args: string[], cwd: string, input = ''): Run {
  const r = spawnSync(process.execPath, [BIN, 'lint', '--profile', 'linux-pam-1.5.2', ...args], {
    cwd, input, env: { ...process.env, NO_COLOR: '1', LIMITSCTL_DOCS_URL: '' }, maxBuffer: 512 * 1024 * 1024, timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const root = path.join(tmp, 'tree');
write(path.join(root, 'etc/security/limits.conf'), '* hard nofile 512\n* soft nofile 2048\nadmin hard nproc bogus\n');
write(path.join(root, 'etc/security/limits.d/10-warn.conf'), '* soft nofile 4096\n');
const clean = path.join(tmp, 'clean');
write(path.join(clean, 'etc/security/limits.conf'), '@dev hard core 0\n');

/** The names in `dir` besides `keep`: a temporary file left behind shows here. */
function others(dir: string, keep: string[]): string[] {
  return readdirSync(dir).filter((n) => !keep.includes(n));
}

describe.skipIf(!built)('lint --output-file', () => {
  for (const format of LINT_FORMATS) {
    it(`--format ${format}: FILE holds what stdout would, stdout is empty, stderr has one summary line`, () => {
      const out = path.join(tmp, `report.${format}`);
      const plain = lint(['.', '--format', format], root);
      expect(plain.code).toBe(1);
      const r = lint(['.', '--format', format, '--output-file', out], root);
      expect(r.code).toBe(1);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^limitsctl lint: 1 error, 2 warnings, \\d+ info in \\d+ of 2 files; report written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
      expect(readFileSync(out).equals(plain.stdout)).toBe(true);
    });
  }

  it('exit 0 writes FILE too; -o is the short form; a relative FILE is in the working directory', () => {
    const r = lint(['.', '-o', 'ok.txt'], clean);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(clean, 'ok.txt'), 'utf8')).toMatch(/no problems in 1 file/);
    rmSync(path.join(clean, 'ok.txt'));
  });

  it('an existing FILE is replaced, keeping its mode; a new one gets 0666 less the umask', () => {
    const out = write(path.join(tmp, 'kept-mode.json'), 'old');
    chmodSync(out, 0o640);
    expect(lint(['.', '-f', 'json', '-o', out], root).code).toBe(1);
    expect(statSync(out).mode & 0o7777).toBe(0o640);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.errors).toBe(1);
    const fresh = path.join(tmp, 'fresh.json');
    const r = spawnSync('sh', ['-c', `umask 027 && exec "$0" "$@"`, process.execPath, BIN, 'lint', '.', '-f', 'json', '-o', fresh], { cwd: root });
    expect(r.status).toBe(1);
    expect(statSync(fresh).mode & 0o777).toBe(0o640);
  });

  it.skipIf(process.getuid?.() !== 0)('(skipped unless run as root: only root can give a file to another user) run as root, an existing FILE of another user keeps its owner and group (a rename alone would make it root\'s)', () => {
    const out = write(path.join(tmp, 'owned.json'), 'old');
    chmodSync(out, 0o640);
    chownSync(out, 65534, 65534);
    expect(lint(['.', '-f', 'json', '-o', out], root).code).toBe(1);
    const st = statSync(out);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.errors).toBe(1);
  });

  it('--output-file - is standard output', () => {
    const r = lint(['.', '-o', '-'], root);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/LC004/);
    expect(existsSync(path.join(root, '-'))).toBe(false);
  });

  it('with --stdin --fix: the fixed file on stdout, the report in FILE', () => {
    const out = path.join(tmp, 'fix-report.txt');
    const r = lint(['--stdin', '--fix', '-o', out], tmp, '* SOFT nofile 10\n');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('* soft nofile 10\n');
    expect(readFileSync(out, 'utf8')).toMatch(/no problems in 1 file; fixed 1 problem/);
  });

  it('a large report streams into FILE, equal to stdout', () => {
    const big = path.join(tmp, 'big');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`user${i} hard nproc bogus${i}`);
    write(path.join(big, 'etc/security/limits.conf'), `${lines.join('\n')}\n`);
    const out = path.join(tmp, 'big.sarif');
    const plain = lint(['.', '-f', 'sarif'], big);
    const r = lint(['.', '-f', 'sarif', '-o', out], big);
    expect(r.code).toBe(1);
    expect(plain.stdout.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(readFileSync(out).equals(plain.stdout)).toBe(true);
  });

  describe('exit 2 leaves FILE as it was (bytes, mode, mtime) and no temporary file', () => {
    const dir = path.join(tmp, 'kept');
    const out = path.join(dir, 'report.sarif');
    const old = new Date('2021-05-06T07:08:09Z');
    const setUp = () => {
      rmSync(dir, { recursive: true, force: true });
      write(out, 'the previous report\n');
      chmodSync(out, 0o604);
      utimesSync(out, old, old);
    };
    const unchanged = () => {
      expect(readFileSync(out, 'utf8')).toBe('the previous report\n');
      expect(statSync(out).mode & 0o7777).toBe(0o604);
      expect(statSync(out).mtimeMs).toBe(old.getTime());
      expect(others(dir, ['report.sarif'])).toEqual([]);
    };
    const cases: Array<[string, string[], RegExp, string?]> = [
      ['a PATH that does not exist', ['no-such-tree'], /does not exist/],
      ['a usage error', ['.', '--max-warnings', '-5'], /--max-warnings/],
      ['a bad settings file', ['.', '--config', 'no-such.ini'], /no-such\.ini/],
      ['a stream above the cap with --stdin --fix', ['--stdin', '--fix'], /16777216 bytes/, 'x'.repeat(16 * 1024 * 1024 + 1)],
      ['--fix on a stream', ['--fix', '/dev/stdin'], /cannot write its fixes back/, 'x'],
      ['FILE is a file being linted', ['etc/security/limits.conf', '-o', 'etc/security/limits.conf'], /would replace a file being linted/],
    ];
    for (const [name, args, message, input] of cases) {
      it(name, () => {
        setUp();
        const r = lint([...args, ...(args.includes('-o') ? [] : ['-f', 'sarif', '-o', out])], root, input);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stdout.length).toBe(0);
        unchanged();
      });
    }
    it('and a FILE that did not exist is not created', () => {
      setUp();
      const absent = path.join(dir, 'absent.json');
      expect(lint(['no-such-tree', '-o', absent], root).code).toBe(2);
      expect(existsSync(absent)).toBe(false);
      unchanged();
    });
    it('a FILE that is a linted file only through the tree\'s link: refused before the temporary file is made (its directory\'s mtime kept)', () => {
      // limits.d/shared.conf -> <dir>/shared.conf: only reading the tree finds that FILE is linted
      const t = mkdtempSync(path.join(tmp, 'via-link-'));
      const shared = mkdtempSync(path.join(tmp, 'shared-'));
      write(path.join(t, 'etc/security/limits.conf'), '* soft nofile 1024\n');
      write(path.join(shared, 'shared.conf'), '* soft nproc 100\n');
      mkdirSync(path.join(t, 'etc/security/limits.d'), { recursive: true });
      symlinkSync(path.join(shared, 'shared.conf'), path.join(t, 'etc/security/limits.d/shared.conf'));
      utimesSync(shared, old, old);
      const r = lint([t, '-o', path.join(shared, 'shared.conf')], root);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/is a file being linted/);
      expect(readFileSync(path.join(shared, 'shared.conf'), 'utf8')).toBe('* soft nproc 100\n');
      expect(readdirSync(shared)).toEqual(['shared.conf']);
      expect(statSync(shared).mtimeMs).toBe(old.getTime());
    });
    it('the limits file named as FILE keeps its bytes', () => {
      const before = readFileSync(path.join(root, 'etc/security/limits.conf'));
      const r = lint(['.', '-o', 'etc/security/limits.conf'], root);
      expect(r.code).toBe(2);
      expect(readFileSync(path.join(root, 'etc/security/limits.conf')).equals(before)).toBe(true);
    });
  });

  it('FILE in a missing directory, or a directory itself: exit 2 with the reason', () => {
    const missing = lint(['.', '-o', path.join(tmp, 'no/such/dir/report.txt')], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot write the report file .*ENOENT/);
    const isDir = lint(['.', '-o', tmp], root);
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toMatch(/is a directory/);
  });

  it('a dangling symlink as FILE: its target is created and the link kept', () => {
    const dir = mkdtempSync(path.join(tmp, 'dangling-'));
    symlinkSync('reports/lint.json', path.join(dir, 'link.json'));
    mkdirSync(path.join(dir, 'reports'));
    const r = lint(['.', '-f', 'json', '-o', path.join(dir, 'link.json')], root);
    expect(r.code, r.stderr).toBe(1);
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'link.json'))).toBe('reports/lint.json');
    expect(JSON.parse(readFileSync(path.join(dir, 'reports/lint.json'), 'utf8')).summary.errors).toBe(1);
    // and a link to an existing file: the file is replaced, the link kept
    const again = lint(['.', '-o', path.join(dir, 'link.json')], clean);
    expect(again.code, again.stderr).toBe(0);
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'reports/lint.json'), 'utf8')).toMatch(/no problems/);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'reports']);
  });

  // a 0444 FILE: refused for whoever could not write it (as the shell's > would); root, who may
  // write any file, replaces it and the mode stays 0444
  const isRoot = process.getuid?.() === 0;
  const canDropDac = isRoot && spawnSync('setpriv', ['--bounding-set', '-dac_override,-dac_read_search', 'true']).status === 0;
  if (isRoot && !canDropDac) console.warn('lint --output-file read-only FILE refusal skipped: running as root without setpriv to drop CAP_DAC_OVERRIDE');
  it.skipIf(isRoot && !canDropDac)('a read-only FILE the user could not write: exit 2, FILE untouched', () => {
    const out = write(path.join(mkdtempSync(path.join(tmp, 'ro-file-')), 'report.txt'), 'old\n');
    chmodSync(out, 0o444);
    utimesSync(out, 1_000_000, 1_000_000);
    const args = ['lint', '--profile', 'linux-pam-1.5.2', '.', '-o', out];
    const s = isRoot
      ? spawnSync('setpriv', ['--bounding-set', '-dac_override,-dac_read_search', process.execPath, BIN, ...args], { cwd: root, encoding: 'utf8' })
      : spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
    expect(s.status, s.stderr).toBe(2);
    expect(s.stderr).toMatch(/report file .*report\.txt is not writable \(mode 0444\)/);
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(statSync(out).mtimeMs).toBe(1_000_000_000);
    expect(readdirSync(path.dirname(out))).toEqual(['report.txt']);
  });
  it.skipIf(!isRoot)('(skipped unless run as root) as root, a read-only FILE is replaced and keeps its mode 0444', () => {
    const out = write(path.join(mkdtempSync(path.join(tmp, 'ro-root-')), 'report.txt'), 'old\n');
    chmodSync(out, 0o444);
    const r = lint(['.', '-o', out], root);
    expect(r.code, r.stderr).toBe(1);
    expect(readFileSync(out, 'utf8')).toMatch(/error/);
    expect(statSync(out).mode & 0o7777).toBe(0o444);
  });

  const asRoot = process.getuid?.() === 0;
  const canUnshare = asRoot && spawnSync('unshare', ['-m', 'true']).status === 0;
  if (asRoot && !canUnshare) console.warn('lint --output-file read-only directory test skipped: running as root without unshare -m (root writes through any mode)');
  it.skipIf(asRoot && !canUnshare)('FILE in a directory that refuses writes: exit 2, nothing written', () => {
    const ro = path.join(tmp, 'read-only');
    mkdirSync(ro, { recursive: true });
    const out = path.join(ro, 'report.txt');
    let r: { status: number | null; stderr: string };
    if (!asRoot) {
      chmodSync(ro, 0o555);
      const s = lint(['.', '-o', out], root);
      r = { status: s.code, stderr: s.stderr };
      chmodSync(ro, 0o755);
    } else {
      // root writes through any mode: a read-only mount in a private mount namespace
      const s = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o ro none "$1" && exec "$2" "$3" lint --profile linux-pam-1.5.2 . -o "$1/report.txt"', 'sh', ro, process.execPath, BIN], { cwd: root, encoding: 'utf8' });
      r = { status: s.status, stderr: s.stderr };
    }
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report file .*(EACCES|EROFS)/);
    expect(readdirSync(ro)).toEqual([]);
  });
});
