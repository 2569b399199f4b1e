/**
 * `limitsctl lint PATH…` and symlinks (src/io/lint-targets.ts; docs/lint.md, "Each target once" and
 * "A tree's own links"), through the built CLI on real temp trees with real symlinks:
 * - a tree (or file) named twice, also through a symlink, is linted, counted and fixed once, under
 *   the first name given;
 * - a tree whose `etc` is an absolute link meant for inside it (`etc -> /usr/etc`, chroot-style)
 *   is a tree for a glob, by name and through that link, whatever this machine has there;
 * - a link that leads out of the tree is never followed, and is said (LC306), not passed over.
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

describe.skipIf(!built)('lint --fix of a directory outside a tree', () => {
  it('counts every fix it wrote, as its dry run does (each file is its own commit)', () => {
    const dir = repo({ 'sd/limits.conf': '* soft core 0\n* soft core 0\n* Soft nproc 5\n', 'sd/limits.d/x.conf': '* soft core 0\n* soft core 0\n' });
    const dry = lint(['--fix', '--dry-run', 'sd'], dir);
    expect(dry.stdout).toMatch(/fixed 3 problems \(dry run: nothing written\)$/m);
    const real = lint(['--fix', 'sd'], dir);
    // was "fixed 1 problem": only the last file's commit was counted
    expect(real.stdout).toMatch(/fixed 3 problems$/m);
    expect(readFileSync(path.join(dir, 'sd/limits.conf'), 'utf8')).toBe('* soft core 0\n* soft nproc 5\n');
    expect(readFileSync(path.join(dir, 'sd/limits.d/x.conf'), 'utf8')).toBe('* soft core 0\n');
    // a file with two names in the directory (a drop-in linking to another): both names' fixes,
    // as the dry run and a tree count them, though the file is written once
    const twice = repo({ 'X/limits.conf': '* soft core 0\n* soft core 0\n* Soft nproc 5\n', 'X/limits.d/a.conf': '* Soft as 1\n' });
    symlinkSync('a.conf', path.join(twice, 'X/limits.d/link.conf'));
    const dry2 = lint(['--fix', '--dry-run', 'X'], twice).stdout.match(/fixed (\d+) problems?/)?.[1];
    const real2 = lint(['--fix', 'X'], twice).stdout.match(/fixed (\d+) problems?/)?.[1];
    expect(dry2).toBeDefined();
    expect(real2).toBe(dry2);
  });
});

describe.skipIf(!built)('lint: a PATH that is not there', () => {
  it('a limits.d file that does not exist is "does not exist" (exit 2); a missing limits.conf or a dangling drop-in link is the tree\'s to report', () => {
    const dir = repo({ 'T/etc/security/limits.conf': '* soft nofile 4096\n', 'T/etc/security/limits.d/a.conf': BAD('a') });
    // was "no problems in 0 files", exit 0: a typo in a CI job's PATH passed
    const typo = lint(['T/etc/security/limits.d/typo.conf'], dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/T\/etc\/security\/limits\.d\/typo\.conf does not exist/);
    expect(typo.stdout).toBe('');
    symlinkSync('gone.conf', path.join(dir, 'T/etc/security/limits.d/x.conf'));
    const dangling = json(['T/etc/security/limits.d/x.conf'], dir);
    expect(dangling.results.map((r) => `${r.file}:${r.code}`)).toEqual(['T/etc/security/limits.d/x.conf:LC303']);
    rmSync(path.join(dir, 'T/etc/security/limits.conf'));
    const main = json(['T/etc/security/limits.conf'], dir);
    expect(main.results.map((r) => `${r.file}:${r.code}`)).toEqual(['T/etc/security/limits.conf:LC303']);
    // a dangling drop-in link behind a chroot-style etc link: the tree's too, looked for in the
    // tree (C/usr/etc), never on this machine's /usr/etc
    const c = repo({ 'C/usr/etc/security/limits.conf': '* soft nofile 10\n' });
    symlinkSync('/usr/etc', path.join(c, 'C/etc'));
    mkdirSync(path.join(c, 'C/usr/etc/security/limits.d'));
    symlinkSync('gone.conf', path.join(c, 'C/usr/etc/security/limits.d/rel.conf'));
    const behind = json(['C/etc/security/limits.d/rel.conf'], c);
    expect(behind.results.map((r) => `${r.file}:${r.code}`)).toEqual(['C/etc/security/limits.d/rel.conf:LC303']);
    expect(lint(['C/etc/security/limits.d/typo.conf'], c).code).toBe(2);
  });
});

describe.skipIf(!built)("lint: a tree's own links, followed as a chroot would", () => {
  // /usr/etc as in an image whose /etc links to it; and a path no machine has, so that the result
  // never depends on what this machine has at the link's target
  for (const target of ['/usr/etc', '/limitsctl-test-image/etc']) {
    const inside = target.slice(1);
    const image = () => {
      const dir = repo({
        'hosts/web1/etc/security/limits.conf': BAD('web1'),
        [`hosts/x/${inside}/security/limits.conf`]: BAD('x'),
        [`hosts/x/${inside}/security/limits.d/90-app.conf`]: BAD('app'),
        // an image's etc holds these too (missing behind the link, they are missing, as in a
        // tree without the link: the next test)
        [`hosts/x/${inside}/passwd`]: 'root:x:0:0:root:/root:/bin/sh\nx:x:1000:1000::/home/x:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n',
        [`hosts/x/${inside}/group`]: 'root:x:0:\nx:x:1000:\napp:x:1001:\n',
        [`hosts/x/${inside}/os-release`]: 'ID=debian\nVERSION_ID="12"\n',
      });
      symlinkSync(target, path.join(dir, 'hosts/x/etc'));
      return dir;
    };
    const X = ['hosts/x/etc/security/limits.conf:2:LC003', 'hosts/x/etc/security/limits.d/90-app.conf:2:LC003'];
    const found = (j: JsonReport) => j.results.map((r) => `${r.file}:${r.line}:${r.code}`);

    it(`hosts/x/etc -> ${target}: lint 'hosts/*' lints it as --root hosts/x does`, () => {
      const dir = image();
      const root = json(['--root', 'hosts/x'], dir);
      expect(found(root)).toEqual(X);
      const g = json(['hosts/*'], dir);
      expect(g.code).toBe(1);
      expect(g.profiles.map((p) => p.root)).toEqual(['hosts/web1', 'hosts/x']);
      expect(found(g)).toEqual(['hosts/web1/etc/security/limits.conf:2:LC003', ...X]);
      expect(g.files).toEqual(['hosts/web1/etc/security/limits.conf', ...root.files]);
      // by name: the tree hosts/x, not the directory its link happens to lead to (hosts/x/usr)
      const named = json(['hosts/x'], dir);
      expect(named.profiles.map((p) => p.root)).toEqual(['hosts/x']);
      expect(found(named)).toEqual(X);
    });

    it(`hosts/x/etc -> ${target}: a PATH named through the link means the tree hosts/x`, () => {
      const dir = image();
      const sec = json(['hosts/x/etc/security'], dir);
      expect(sec.code).toBe(1);
      expect(sec.profiles.map((p) => p.root)).toEqual(['hosts/x']);
      expect(found(sec)).toEqual(X);
      const dropins = json(['hosts/x/etc/security/limits.d'], dir);
      expect(found(dropins)).toEqual([X[1]]);
      expect(found(json(['hosts/x/etc/security/limits.d/90-app.conf'], dir))).toEqual([X[1]]);
      // one tree, named three ways: once
      expect(found(json(['hosts/x', 'hosts/x/etc/security', 'hosts/x/etc/security/limits.conf'], dir))).toEqual(X);
      // what is not there through the link is still "does not exist"
      const none = lint(['hosts/x/etc/security/nope.d'], dir);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/hosts\/x\/etc\/security\/nope\.d does not exist/);
    });
  }

  it('a file missing behind a directory link (etc -> /usr/etc, no usr/etc/passwd) is missing, not a dangling symlink; a link to nothing is', () => {
    for (const target of ['/usr/etc', '/limitsctl-test-image/etc']) {
      const dir = repo({ [`T/${target.slice(1)}/security/limits.conf`]: BAD('t') });
      symlinkSync(target, path.join(dir, 'T/etc'));
      // no usr/etc/passwd, group, os-release: as in a tree without the link, nothing to say (was
      // LC306 "etc/passwd is a symlink whose target usr/etc/passwd does not exist")
      const plain = json(['--root', 'T'], dir);
      expect(plain.results.map((r) => `${r.file}:${r.line}:${r.code}`), target).toEqual(['T/etc/security/limits.conf:2:LC003']);
      const files = cli(['files', '--root', 'T'], { cwd: dir });
      expect(files.stdout, target).not.toMatch(/dangling/);
      // a link whose own target is missing still is a dangling symlink, behind the link too
      symlinkSync('../gone.conf', path.join(dir, `T/${target.slice(1)}/security/limits.d`));
      symlinkSync('nowhere-passwd', path.join(dir, `T/${target.slice(1)}/passwd`));
      const dangling = json(['--root', 'T'], dir);
      expect(dangling.results.filter((r) => r.code === 'LC306').map((r) => `${r.file}: ${r.message.split(';')[0]}`), target)
        .toEqual([`T/etc/passwd: etc/passwd is a symlink whose target ${target.slice(1)}/nowhere-passwd does not exist`]);
    }
  });

  it('a link that leads out of the tree is never followed, and is said (LC306), also when its target is missing', () => {
    const dir = repo({ 'hosts/web1/etc/security/limits.conf': BAD('web1'), 'shared/etc/security/limits.conf': BAD('shared') });
    mkdirSync(path.join(dir, 'hosts/y'));
    symlinkSync('../../shared/etc', path.join(dir, 'hosts/y/etc')); // out of hosts/y, to a tree that exists
    mkdirSync(path.join(dir, 'hosts/u'));
    symlinkSync('../../nowhere/etc', path.join(dir, 'hosts/u/etc')); // out of hosts/u, to nothing
    const g = json(['hosts/*'], dir);
    expect(g.code).toBe(1);
    expect(g.profiles.map((p) => p.root)).toEqual(['hosts/u', 'hosts/web1', 'hosts/y']);
    // only web1's own line is read; shared's file is never linted through hosts/y
    expect(g.results.filter((r) => r.code === 'LC003').map((r) => r.file)).toEqual(['hosts/web1/etc/security/limits.conf']);
    for (const [h, to] of [['u', '../../nowhere/etc'], ['y', '../../shared/etc']] as const) {
      const conf = g.results.find((r) => r.file === `hosts/${h}/etc/security/limits.conf`);
      expect(conf?.code).toBe('LC306');
      expect(conf?.message).toContain(`etc is a symlink to ${to}, which leads outside the tree root; limitsctl does not follow it`);
    }
    // named through the link: the tree, its link said (was: "hosts/u/etc/security does not exist")
    const named = json(['hosts/u/etc/security'], dir);
    expect(named.code).toBe(0);
    expect(named.results.map((r) => `${r.file}:${r.code}`)).toContain('hosts/u/etc/security/limits.conf:LC306');
  });

  it('a limits.d named as PATH that links out of its tree is said (LC306), not "no problems in 0 files"', () => {
    const dir = repo({ 'T/etc/security/limits.conf': '* soft nofile 4096\n', 'outside/a.conf': BAD('a') });
    symlinkSync('../../../outside', path.join(dir, 'T/etc/security/limits.d'));
    const r = lint(['T/etc/security/limits.d'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^T\/etc\/security\/limits\.d:1:1 warning LC306 etc\/security\/limits\.d is a symlink to \.\.\/\.\.\/\.\.\/outside, which leads outside the tree root; limitsctl does not follow it/);
    expect(r.stdout).not.toMatch(/LC003/);
  });
});
