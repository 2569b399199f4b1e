/**
 * `lint --stdin [--stdin-filename NAME]`, `lint -`, and streams named on the command line (a FIFO,
 * /dev/stdin, a process substitution, a device): end to end through the built binary (bin/ and
 * dist/; `npm run build` first). Standard input must lint exactly as the file of that name on
 * disk — the same output, byte for byte, in every format, and the same exit code.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINT_FORMATS } from '../../../src/formatters/lint-format-names.js';

const BIN = path.resolve(__dirname, '../../../bin/limitsctl.js');
const built = existsSync(path.resolve(__dirname, '../../../dist/limitsctl.cjs'));
if (!built) console.warn('lint --stdin tests skipped: dist/ is not built (run npm run build)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-lint-stdin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number | null; stdout: Buffer; stderr: string }

function lint(args: string[], cwd: string, input?: Buffer | string): Run {
  const r = spawnSync(process.execPath, [BIN, 'lint', '--profile', 'linux-pam-1.5.2', ...args], {
    cwd, input: input ?? '', env: { ...process.env, NO_COLOR: '1', LIMITSCTL_DOCS_URL: '' }, maxBuffer: 256 * 1024 * 1024, timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** bash -c SCRIPT, where the shell function L runs `node bin/limitsctl.js lint --profile linux-pam-1.5.2` */
function bash(script: string, cwd: string, timeout = 120_000): Run {
  const r = spawnSync('bash', ['-c', `L() { "$NODE" "$BIN" lint --profile linux-pam-1.5.2 "$@"; }\n${script}`], {
    cwd, env: { ...process.env, NO_COLOR: '1', LIMITSCTL_DOCS_URL: '', NODE: process.execPath, BIN }, timeout,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function write(file: string, bytes: string | Buffer): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

// a tree: limits.conf sets a hard nofile the drop-ins' soft values are checked against (LC201
// depends on it), and files of each kind: broken, non-ASCII with CRLF and no final newline, clean
const root = path.join(tmp, 'repo');
write(path.join(root, 'etc/security/limits.conf'), '* hard nofile 512\n@ops soft nproc 100\n');
const FILES: Record<string, Buffer> = {
  'etc/security/limits.d/10-broken.conf': Buffer.from('admin hard nproc bogus\n* soft\nadmin SOFT core 0\n'),
  'etc/security/limits.d/20-context.conf': Buffer.from('* soft nofile 2048\n'),
  'etc/security/limits.d/30-bytes.conf': Buffer.from('# Zoë — café\r\n* SOFT nproc 100\r\n* soft nproc 100', 'utf8'),
  'etc/security/limits.d/40-clean.conf': Buffer.from('@dev hard core 0\n'),
  'standalone/broken.conf': Buffer.from('admin hard nproc bogus\n# Zoë\r\n* soft nofile 2048'),
  'standalone/limits.d/x.conf': Buffer.from('* - nofile 10\n* soft nofile 20\n'),
};
for (const [rel, bytes] of Object.entries(FILES)) write(path.join(root, rel), bytes);

describe.skipIf(!built)('lint --stdin lints like the file on disk', () => {
  for (const [rel, bytes] of Object.entries(FILES)) {
    for (const format of LINT_FORMATS) {
      it(`${rel}, --format ${format}: --stdin --stdin-filename and - give the same bytes and exit code as the file`, () => {
        const disk = lint([rel, '--format', format], root);
        expect(disk.stderr).toBe('');
        const viaStdin = lint(['--stdin', '--stdin-filename', rel, '--format', format], root, bytes);
        const viaDash = lint(['-', '--stdin-filename', rel, '--format', format], root, bytes);
        for (const r of [viaStdin, viaDash]) {
          expect(r.stderr).toBe('');
          expect(r.code).toBe(disk.code);
          expect(r.stdout.equals(disk.stdout)).toBe(true);
        }
      });
    }
  }

  it('the broken files have findings (the comparison above is not between two empty reports)', () => {
    expect(lint(['etc/security/limits.d/10-broken.conf'], root).code).toBe(1);
    expect(lint(['standalone/broken.conf'], root).code).toBe(1);
    expect(lint(['etc/security/limits.d/20-context.conf'], root).stdout.toString()).toMatch(/LC201 .*limits\.conf:1/);
  });

  it('an absolute --stdin-filename, and one relative to --root, name the same file as on disk', () => {
    const rel = 'etc/security/limits.d/20-context.conf';
    const disk = lint([path.join(root, rel), '--format', 'json'], tmp);
    expect(lint(['--stdin', '--stdin-filename', path.join(root, rel), '--format', 'json'], tmp, FILES[rel]).stdout.equals(disk.stdout)).toBe(true);
    const viaRoot = lint(['--stdin', '--root', root, '--stdin-filename', rel, '--format', 'json'], tmp, FILES[rel]);
    expect(viaRoot.stderr).toBe('');
    expect(viaRoot.stdout.equals(disk.stdout)).toBe(true);
  });

  it('in its tree, the stdin bytes replace the file on disk (an editor\'s unsaved buffer)', () => {
    const rel = 'etc/security/limits.d/40-clean.conf';
    expect(lint([rel], root).code).toBe(0);
    const r = lint(['--stdin', '--stdin-filename', rel], root, '* soft nofile 4096\n');
    expect(r.code).toBe(0);
    // the finding depends on limits.conf's hard limit: the tree was read around the buffer
    expect(r.stdout.toString()).toMatch(/^etc\/security\/limits\.d\/40-clean\.conf:1:\d+ warning LC201 .*etc\/security\/limits\.conf:1/m);
    expect(readFileSync(path.join(root, rel), 'utf8')).toBe('@dev hard core 0\n');
  });

  it('a file of the tree this run could not read is said on the file linted, named, as the file on disk is', () => {
    // a drop-in linking outside the tree root: not followed, so its lines are left out of the
    // linted file's results too. Before, --stdin (and `lint T/etc/security/limits.conf`) said
    // "no problems" without a word about it (its LC306 was on a file not shown)
    const t = path.join(tmp, 'unread-sibling');
    write(path.join(t, 'etc/security/limits.conf'), '* soft nofile 1024\n');
    write(path.join(tmp, 'outside.conf'), '* hard nofile 512\n');
    mkdirSync(path.join(t, 'etc/security/limits.d'), { recursive: true });
    symlinkSync('../../../../outside.conf', path.join(t, 'etc/security/limits.d/50-shared.conf'));
    const said = /^etc\/security\/limits\.conf:1:1 warning LC306 etc\/security\/limits\.d\/50-shared\.conf, read with this file: .*leads outside the tree root.*\(file-not-evaluated\)$/m;
    const viaStdin = lint(['--stdin', '--stdin-filename', 'etc/security/limits.conf'], t, '* soft nofile 1024\n');
    expect(viaStdin.stdout.toString()).toMatch(said);
    expect(viaStdin.stdout.toString()).toMatch(/1 problem .* in 1 of 1 file/);
    const onDisk = lint(['etc/security/limits.conf'], t);
    expect(onDisk.stdout.toString()).toBe(viaStdin.stdout.toString());
    expect(onDisk.code).toBe(viaStdin.code);
    // the whole tree says it on the drop-in itself, once
    const whole = lint(['.'], t).stdout.toString();
    expect(whole).toMatch(/^etc\/security\/limits\.d\/50-shared\.conf:1:1 warning LC306 /m);
    expect(whole).not.toMatch(/read with this file/);
  });

  it('an empty limits.d named on its own has no file to say another file of the tree on', () => {
    // `lint T/etc/security/limits.d` with no drop-in in it shows no file; an unusable etc/passwd
    // (a link out of the tree) was said on the empty directory's internal marker instead:
    // 'limits.d/\x00none:1:1 … e1/etc/passwd, read with this file', "1 problem … in 1 of 0 files"
    const t = path.join(tmp, 'empty-limits-d');
    write(path.join(t, 'etc/security/limits.conf'), '* soft nofile 1024\n');
    mkdirSync(path.join(t, 'etc/security/limits.d'), { recursive: true });
    symlinkSync('../../../../../../../../etc/passwd', path.join(t, 'etc/passwd'));
    for (const format of ['text', 'json']) {
      const r = lint(['etc/security/limits.d', '--format', format], t);
      expect(r.stdout.toString(), format).not.toMatch(/\\x00|\\u0000|\0|none|read with this file/);
      expect(r.code, format).toBe(0);
    }
    expect(lint(['etc/security/limits.d'], t).stdout.toString()).toMatch(/no problems in 0 files/);
    // a drop-in there is the file it is said on
    write(path.join(t, 'etc/security/limits.d/50-x.conf'), '* hard nofile 2048\n');
    expect(lint(['etc/security/limits.d'], t).stdout.toString()).toMatch(/^etc\/security\/limits\.d\/50-x\.conf:1:1 warning LC306 etc\/passwd, read with this file: /m);
  });

  it('a file pam_limits never reads is not said to be read with another file of the tree', () => {
    // usr/etc/security/limits.conf under a profile with no vendor directory is ignored (LC301):
    // no result of it leaves the unread drop-in out, yet it got "…/50-shared.conf, read with this file"
    const t = path.join(tmp, 'ignored-shown');
    write(path.join(t, 'usr/etc/security/limits.conf'), '* soft nofile 1024\n');
    write(path.join(tmp, 'outside-2.conf'), '* hard nofile 512\n');
    mkdirSync(path.join(t, 'etc/security/limits.d'), { recursive: true });
    symlinkSync('../../../../outside-2.conf', path.join(t, 'etc/security/limits.d/50-shared.conf'));
    const onDisk = lint(['usr/etc/security/limits.conf'], t);
    const viaStdin = lint(['--stdin', '--stdin-filename', 'usr/etc/security/limits.conf'], t, '* soft nofile 1024\n');
    for (const r of [onDisk, viaStdin]) {
      expect(r.stdout.toString()).toMatch(/^usr\/etc\/security\/limits\.conf:1:1 warning LC301 /m);
      expect(r.stdout.toString()).not.toMatch(/read with this file/);
      expect(r.stdout.toString()).toMatch(/1 problem .* in 1 of 1 file/);
    }
  });

  it('a drop-in not on disk yet is linted where pam_limits would read it; the same bytes on their own have no context', () => {
    const inTree = lint(['--stdin', '--stdin-filename', 'etc/security/limits.d/50-new.conf'], root, '* soft nofile 4096\n');
    expect(inTree.stdout.toString()).toMatch(/^etc\/security\/limits\.d\/50-new\.conf:1:\d+ warning LC201 /m);
    expect(existsSync(path.join(root, 'etc/security/limits.d/50-new.conf'))).toBe(false);
    const alone = lint(['--stdin', '--stdin-filename', 'elsewhere/50-new.conf'], root, '* soft nofile 4096\n');
    expect(alone.code).toBe(0);
    expect(alone.stdout.toString()).toMatch(/no problems in 1 file/);
    // read before a later drop-in that sets the same line: LC302 in the tree
    const early = lint(['--stdin', '--stdin-filename', 'etc/security/limits.d/15-new.conf'], root, '* soft nofile 2048\n');
    expect(early.stdout.toString()).toMatch(/^etc\/security\/limits\.d\/15-new\.conf:1:\d+ warning LC302 .*20-context\.conf/m);
  });

  it('a name pam_limits never reads is reported as on disk (not linted as a limits file)', () => {
    const rel = 'etc/security/limits.d/60-notes.txt';
    write(path.join(root, rel), 'admin hard nproc bogus\n');
    try {
      const disk = lint([rel, '--format', 'json'], root);
      const viaStdin = lint(['--stdin', '--stdin-filename', rel, '--format', 'json'], root, 'admin hard nproc bogus\n');
      expect(viaStdin.stdout.equals(disk.stdout)).toBe(true);
      expect(disk.stdout.toString()).not.toMatch(/LC004/);
    } finally {
      rmSync(path.join(root, rel));
    }
  });

  it('without --stdin-filename the file is <stdin>, a file of its own read as limits.conf — not the live /etc/security', () => {
    const r = lint(['-'], tmp, FILES['standalone/broken.conf']);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/^<stdin>:1:\d+ error LC004 /m);
    expect(r.stdout.toString()).not.toMatch(/\/etc\/security/);
    const same = lint(['--stdin', '--format', 'json'], tmp, FILES['standalone/broken.conf']);
    expect(JSON.parse(same.stdout.toString()).files).toEqual(['<stdin>']);
  });

  it('an empty standard input is an empty file', () => {
    const r = lint(['-'], tmp, '');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/no problems in 1 file/);
  });
});

describe.skipIf(!built)('lint --stdin --fix never writes the named file', () => {
  const rel = 'etc/security/limits.d/30-bytes.conf';
  const abs = path.join(root, rel);
  const old = new Date('2020-01-02T03:04:05Z');

  it('prints the whole fixed file on stdout, byte for byte, and the report on stderr', () => {
    utimesSync(abs, old, old);
    const r = lint(['--stdin', '--fix', '--stdin-filename', rel], root, FILES[rel]);
    expect(r.stdout.equals(Buffer.from('# Zoë — café\r\n* soft nproc 100', 'utf8'))).toBe(true);
    expect(r.stderr).toMatch(/LC103 /); // what is left after fixing
    expect(r.code).toBe(0);
    expect(readFileSync(abs).equals(FILES[rel]!)).toBe(true);
    expect(statSync(abs).mtimeMs).toBe(old.getTime());
  });

  it('a file with nothing to fix comes back unchanged', () => {
    const bytes = Buffer.from([0x40, 0x64, 0x65, 0x76, 0x20, 0x68, 0x61, 0x72, 0x64, 0x20, 0x63, 0x6f, 0x72, 0x65, 0x20, 0x30, 0xff, 0x0a]);
    const r = lint(['-', '--fix'], tmp, bytes);
    expect(r.stdout.equals(bytes)).toBe(true);
  });

  it('--fix --dry-run prints the diff and the report, and writes nothing', () => {
    utimesSync(abs, old, old);
    const r = lint(['--stdin', '--fix', '--dry-run', '--stdin-filename', rel], root, FILES[rel]);
    expect(r.stdout.toString()).toMatch(/^-\* SOFT nproc 100\r?$/m);
    expect(readFileSync(abs).equals(FILES[rel]!)).toBe(true);
    expect(statSync(abs).mtimeMs).toBe(old.getTime());
  });
});

describe.skipIf(!built)('usage errors: exit 2, nothing read or written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['- twice', ['-', '-'], /given twice/],
    ['- with --stdin', ['-', '--stdin'], /both mean standard input/],
    ['--stdin with a PATH', ['--stdin', 'etc'], /linted alone/],
    ['- with a PATH', ['-', 'etc'], /linted alone/],
    ['--stdin-filename without --stdin', ['--stdin-filename', 'x.conf', 'etc'], /goes with --stdin/],
    ['--root without --stdin-filename', ['--stdin', '--root', '.'], /--root goes with --stdin only together with --stdin-filename/],
    ['--stdin-filename naming a directory', ['--stdin', '--stdin-filename', 'etc/security'], /is a directory/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = lint(args, root, 'admin hard nproc bogus\n');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout.length).toBe(0);
    });
  }
});

describe.skipIf(!built)('streams named on the command line are read, once, as files of their own', () => {
  const broken = FILES['standalone/broken.conf']!;
  const src = write(path.join(tmp, 'src.conf'), broken);

  it('/dev/stdin (a pipe) and a process substitution report the broken file', () => {
    const viaPipe = bash(`cat ${JSON.stringify(src)} | L /dev/stdin`, tmp);
    expect(viaPipe.code).toBe(1);
    expect(viaPipe.stdout.toString()).toMatch(/^\/dev\/stdin:1:\d+ error LC004 /m);
    const viaSubst = bash(`L <(cat ${JSON.stringify(src)})`, tmp);
    expect(viaSubst.code).toBe(1);
    expect(viaSubst.stdout.toString()).toMatch(/^\/dev\/fd\/\d+:1:\d+ error LC004 /m);
  });

  it('/dev/stdin when standard input is a socket (what a Node parent\'s spawn gives) is read through fd 0', () => {
    const r = lint(['/dev/stdin'], tmp, broken);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/^\/dev\/stdin:1:\d+ error LC004 /m);
  });

  it('/dev/stdin redirected from a regular file is read too', () => {
    const r = bash(`L /dev/stdin < ${JSON.stringify(src)}`, tmp);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/^\/dev\/stdin:1:\d+ error LC004 /m);
  });

  it('a FIFO (mkfifo) is read to its end and linted like the same bytes from a file', () => {
    const fifo = path.join(tmp, 'lint.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = bash(`cat ${JSON.stringify(src)} > lint.fifo & L lint.fifo --format json; code=$?; wait; exit $code`, tmp);
    expect(r.code).toBe(1);
    const fromFile = lint(['src.conf', '--format', 'json'], tmp);
    expect(r.stdout.toString().replaceAll('lint.fifo', 'src.conf')).toBe(fromFile.stdout.toString());
  });

  it('a stream and a file in one run', () => {
    const r = bash(`L <(printf 'ops hard core bogus\\n') src.conf`, tmp);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/^\/dev\/fd\/\d+:1:\d+ error LC004 /m);
    expect(r.stdout.toString()).toMatch(/^src\.conf:1:\d+ error LC004 /m);
    expect(r.stdout.toString()).toMatch(/in 2 of 2 files/);
  });

  it('--fix cannot write back to a stream: exit 2 before anything; --fix --dry-run shows the diff', () => {
    const r = bash(`L --fix <(cat ${JSON.stringify(src)})`, tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write its fixes back to \/dev\/fd\/\d+/);
    expect(r.stdout.length).toBe(0);
    const dry = bash(`L --fix --dry-run <(printf '* SOFT nofile 10\\n')`, tmp);
    expect(dry.code).toBe(0);
    expect(dry.stdout.toString()).toMatch(/^\+\* soft nofile 10$/m);
  });

  it('--fix with a FIFO no program writes to: exit 2 at once, the FIFO never opened (it would wait for a writer)', () => {
    const fifo = path.join(mkdtempSync(path.join(tmp, 'fifo-fix-')), 'in.conf');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = lint(['--fix', fifo], tmp);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write its fixes back to .*in\.conf/);
  });

  it('a usage fault beside --stdin (a missing --root, a directory as --stdin-filename) is exit 2 before standard input is read', () => {
    // standard input stays open for a minute: reading it first would wait that long
    const open = '< <(exec sleep 60 2>/dev/null)';
    const noRoot = bash(`L --stdin --stdin-filename x.conf --root ${JSON.stringify(path.join(tmp, 'no-such-root'))} ${open}`, tmp, 30_000);
    expect(noRoot.code, noRoot.stderr).toBe(2);
    expect(noRoot.stderr).toMatch(/--root/);
    mkdirSync(path.join(tmp, 'a-dir.conf'), { recursive: true });
    const dir = bash(`L --stdin --stdin-filename a-dir.conf ${open}`, tmp, 30_000);
    expect(dir.code, dir.stderr).toBe(2);
    expect(dir.stderr).toMatch(/is a directory/);
  });

  // a stream above the 16 MiB cap is what a file on disk above it is: not read, LC306 (a warning),
  // the same exit code; reading stops at the cap, so an endless stream ends the same way
  const LC306 = (r: Run) => (JSON.parse(r.stdout.toString('utf8')) as { results: Array<{ file: string; code: string }> }).results.map((d) => `${d.file} ${d.code}`);
  it('a file above the 16 MiB cap lints the same through --stdin as on disk: LC306, exit 0', () => {
    const big = Buffer.alloc(16 * 1024 * 1024 + 100, '#');
    const dir = mkdtempSync(path.join(tmp, 'big-'));
    write(path.join(dir, 'big.conf'), big);
    const disk = lint(['-f', 'json', 'big.conf'], dir);
    const piped = lint(['-f', 'json', '--stdin', '--stdin-filename', 'big.conf'], dir, big);
    expect(disk.code, disk.stderr).toBe(0);
    expect(LC306(disk)).toEqual(['big.conf LC306']);
    expect(piped.code, piped.stderr).toBe(disk.code);
    expect(LC306(piped)).toEqual(LC306(disk));
    expect(piped.stderr).toBe('');
  });

  it('/dev/zero and an endless stdin stop at the 16 MiB cap: LC306, exit 0', () => {
    for (const [r, file] of [[lint(['-f', 'json', '/dev/zero'], tmp), '/dev/zero'], [bash('yes "* soft nofile 1" | L -f json -', tmp), '<stdin>']] as const) {
      expect(r.code, r.stderr).toBe(0);
      expect(LC306(r)).toEqual([`${file} LC306`]);
    }
  });

  it('--stdin --fix above the cap: exit 2, nothing on stdout (the fixed file would be the whole input)', () => {
    const r = bash('yes "* soft nofile 1" | L --fix -', tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gave more than 16777216 bytes, above limitsctl's cap for a limits file/);
    expect(r.stdout.length).toBe(0);
  });

  it.skipIf(!existsSync('/usr/bin/time'))('/dev/zero: memory stays within the cap (max RSS beside a run on a small file)', () => {
    const rss = (what: string) => {
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'lint', what], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
      const kib = Number(r.stderr.trim().split('\n').at(-1));
      // a run killed by the timeout, or GNU time printing nothing, must not read as 0 bytes
      expect(r.status, `${what}: ${r.stderr}`).not.toBeNull();
      expect(kib, `${what}: ${r.stderr}`).toBeGreaterThan(0);
      return kib * 1024;
    };
    const base = rss('src.conf');
    const zero = rss('/dev/zero');
    console.log(`max RSS: small file ${base} bytes, /dev/zero ${zero} bytes`);
    expect(zero - base).toBeLessThan(64 * 1024 * 1024); // the cap is 16 MiB; an unbounded read grows until killed
  });
  if (!existsSync('/usr/bin/time')) console.warn('lint --stdin memory test skipped: /usr/bin/time is not installed (Debian package time)');

  it('a FIFO inside a tree keeps the tree rule (what pam_limits meets): reported, never read', () => {
    const tree = path.join(tmp, 'fifo-tree');
    write(path.join(tree, 'etc/security/limits.conf'), '');
    mkdirSync(path.join(tree, 'etc/security/limits.d'));
    expect(spawnSync('mkfifo', [path.join(tree, 'etc/security/limits.d/x.conf')]).status).toBe(0);
    // nobody writes to the FIFO: reading it would hang
    for (const arg of ['.', 'etc/security/limits.d/x.conf']) {
      const r = lint([arg], tree);
      expect(r.code).toBe(1);
      expect(r.stdout.toString()).toMatch(/etc\/security\/limits\.d\/x\.conf.*FIFO/i);
    }
  });

  const root0 = process.getuid?.() === 0;
  if (root0) console.warn('lint stream EACCES test skipped: root may read any FIFO');
  it.skipIf(root0)('an unreadable stream is exit 2 with the OS reason', () => {
    const fifo = path.join(tmp, 'closed.fifo');
    spawnSync('mkfifo', [fifo]);
    chmodSync(fifo, 0);
    const r = lint([fifo], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/EACCES/);
  });
});
