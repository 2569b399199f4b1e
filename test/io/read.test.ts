/**
 * Hostile files where pam_limits (or limitsctl) reads one: FIFOs, devices, links out of the tree,
 * root-only files read as non-root. Each from its minimal input; the CLI cases spawn dist/ with a
 * generous timeout so a hang fails the test instead of the run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAccountDb } from '../../src/io/accounts.js';
import { loadLintTargets } from '../../src/io/lint-targets.js';
import { openInRoot, resolveInRoot } from '../../src/io/paths.js';
import { listDirInRoot, MAX_LIMITS_FILE_BYTES, readFileInRoot } from '../../src/io/read.js';
import { detectProfile } from '../../src/io/system.js';
import { loadTree } from '../../src/io/tree.js';

const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/limitsctl.js');
const isRoot = process.geteuid?.() === 0;

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-read-'));
  chmodSync(root, 0o755); // traversable by the unprivileged uid of the non-root tests
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

/** a character device like /dev/zero (1:5); null when this uid may not make one */
function mkzero(p: string): boolean {
  return spawnSync('mknod', [p, 'c', '1', '5']).status === 0;
}

function cli(args: string[], opts: { asUid?: number } = {}) {
  const cmd = opts.asUid === undefined ? process.execPath : 'setpriv';
  const argv = opts.asUid === undefined ? [BIN, ...args] : [`--reuid=${opts.asUid}`, `--regid=${opts.asUid}`, '--clear-groups', process.execPath, BIN, ...args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}` };
}

const BASE = {
  'etc/security/limits.conf': 'admin soft nproc 5\n',
  'etc/passwd': 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n',
  'etc/os-release': 'ID=debian\n',
};

describe('readFileInRoot', () => {
  it('refuses a FIFO at once with a typed reason (never blocks)', () => {
    const root = tree({});
    mkfifo(path.join(root, 'x.conf'));
    const r = readFileInRoot(root, 'x.conf');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.failure).toMatchObject({ kind: 'not-regular', fileKind: 'FIFO' });
    expect(!r.ok && r.failure.message).toMatch(/not a regular file but a FIFO.*pam_limits would block here/);
  });

  it.skipIf(!isRoot)('refuses a character device (a /dev/zero) without reading it', () => {
    const root = tree({});
    if (!mkzero(path.join(root, 'zero.conf'))) return; // mknod refused (no CAP_MKNOD here)
    const before = process.memoryUsage().rss;
    const r = readFileInRoot(root, 'zero.conf');
    expect(!r.ok && r.failure).toMatchObject({ kind: 'not-regular', fileKind: 'character device' });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('reads /dev/null through a link on the live root as empty, as pam_limits does', () => {
    const r = readFileInRoot('/', 'dev/null');
    expect(r.ok && r.bytes.length).toBe(0);
  });

  it('refuses a file above the cap', () => {
    const root = tree({ 'big.conf': 'x'.repeat(2048) });
    const r = readFileInRoot(root, 'big.conf', { maxBytes: 1024 });
    expect(!r.ok && r.failure).toMatchObject({ kind: 'too-large', size: 2048, maxBytes: 1024 });
    expect(MAX_LIMITS_FILE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('reads an absolute link chroot-style and refuses one that climbs out', () => {
    const root = tree({ 'usr/lib/os-release': 'ID=rhel\n', 'etc/.keep': '' });
    symlinkSync('/usr/lib/os-release', path.join(root, 'etc/os-release'));
    const r = readFileInRoot(root, 'etc/os-release');
    expect(r.ok && r.bytes.toString()).toBe('ID=rhel\n');
    expect(r.ok && r.resolved.rel).toBe('usr/lib/os-release');
    symlinkSync('../../../../../../../../etc/hostname', path.join(root, 'etc/passwd'));
    const out = readFileInRoot(root, 'etc/passwd');
    expect(!out.ok && out.failure.kind).toBe('outside-root');
    expect(!out.ok && out.failure.message).toMatch(/etc\/passwd is a symlink to \.\.\/.*etc\/hostname, which leads outside the tree root/);
  });

  it("a link to the tree's own host path is read so whichever way the root is named (through a link to it, or its physical path)", () => {
    const real = tree({ 'sec-real/limits.conf': '* soft nproc 77\n' });
    mkdirSync(path.join(real, 'etc'));
    const alias = path.join(mkdtempSync(path.join(os.tmpdir(), 'limitsctl-alias-')), 'L');
    dirs.push(path.dirname(alias));
    symlinkSync(real, alias);
    const link = path.join(real, 'etc/security');
    // spelled with the physical path, the root named through the alias; then the other way round
    for (const [target, root] of [[path.join(real, 'sec-real'), alias], [path.join(alias, 'sec-real'), real]] as const) {
      rmSync(link, { force: true });
      symlinkSync(target, link);
      const r = resolveInRoot(root, 'etc/security/limits.conf');
      expect(r, `${target} from --root ${root}`).toMatchObject({ rel: 'sec-real/limits.conf', viaSymlink: true, missing: false });
      const read = readFileInRoot(root, 'etc/security/limits.conf');
      expect(read.ok && read.bytes.toString()).toBe('* soft nproc 77\n');
    }
    // a chroot-style target is still read inside the root
    rmSync(link);
    symlinkSync('/sec-real', link);
    expect(resolveInRoot(alias, 'etc/security/limits.conf')).toMatchObject({ rel: 'sec-real/limits.conf', missing: false });
    // what follows the root in such a target is resolved inside the tree, whichever way it is
    // named: its `..` bounded by the root, its links read chroot-style — one answer per link
    rmSync(link);
    symlinkSync(path.join(real, 'sec-real'), link);
    mkdirSync(path.join(real, 'd'));
    // leaves the root (and on the host comes back to it: read the host's way, it would be followed)
    symlinkSync(`../../${path.basename(real)}`, path.join(real, 'd/a'));
    const via = (base: string, rest: string) => path.join(base, rest);
    for (const base of [real, alias]) {
      symlinkSync(via(base, 'etc/security/../../sec-real/limits.conf'), path.join(real, 'dotdot'));
      symlinkSync(via(base, 'd/a/sec-real/limits.conf'), path.join(real, 'escapes'));
      for (const root of [real, alias]) {
        expect(resolveInRoot(root, 'dotdot'), `${base} from ${root}`).toMatchObject({ rel: 'sec-real/limits.conf', missing: false });
        const r = readFileInRoot(root, 'escapes');
        expect(!r.ok && r.failure.kind, `${base} from ${root}`).toBe('outside-root');
      }
      rmSync(path.join(real, 'dotdot'));
      rmSync(path.join(real, 'escapes'));
    }
  });

  it('a missing directory followed by .. does not exist (no lexical shortcut)', () => {
    const root = tree({ 'etc/security/limits.d/evil.conf': 'x\n' });
    symlinkSync('nonexistent/../limits.d/evil.conf', path.join(root, 'etc/security/limits.conf'));
    expect(() => resolveInRoot(root, 'etc/security/limits.conf')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const r = readFileInRoot(root, 'etc/security/limits.conf');
    expect(!r.ok && r.failure).toMatchObject({ kind: 'missing', dangling: true });
  });

  it('does not follow a directory swapped for a symlink after resolving (openInRoot)', () => {
    const root = tree({ 'etc/security/limits.conf': 'inside\n' });
    const outside = tree({ 'security/limits.conf': 'OUTSIDE\n' });
    const resolved = resolveInRoot(root, 'etc/security/limits.conf');
    // the swap: etc becomes a link to a directory outside the root
    renameSync(path.join(root, 'etc'), path.join(root, 'etc.old'));
    symlinkSync(outside, path.join(root, 'etc'));
    expect(() => openInRoot(root, resolved.rel)).toThrow(expect.objectContaining({ code: 'ECHANGED' }));
  });

  it('lists a directory without following a link out of the root', () => {
    const root = tree({ 'etc/security/limits.conf': '' });
    symlinkSync('../../../../../../../../etc', path.join(root, 'etc/security/limits.d'));
    const l = listDirInRoot(root, 'etc/security/limits.d');
    expect(!l.ok && l.failure.kind).toBe('outside-root');
  });
});

describe('a read compared with bytes read before (an edit\'s load under its lock)', () => {
  const PIECE = 256 * 1024; // readFd's comparison buffer
  const sizes = [1, 100, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 17];
  const content = (n: number, salt = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + salt) % 251));
  // (small buffers share Node's pool: one memory is the same ArrayBuffer at the same offset)
  const sameMemory = (a: Uint8Array, b: Uint8Array) => a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
  for (const n of sizes) {
    it(`gives back the same bytes (no copy) when the file still holds them, and the file's when not (${n} bytes)`, () => {
      const old = content(n);
      const root = tree({ 'etc/security/limits.conf': old as unknown as string });
      const same = readFileInRoot(root, 'etc/security/limits.conf', { same: old });
      expect(same.ok && sameMemory(same.bytes, old)).toBe(true);
      // one byte changed: first, middle (past a piece), last
      for (const at of [0, Math.floor(n / 2), n - 1]) {
        const now = Buffer.from(old);
        now[at] = (now[at]! + 1) % 256;
        writeFileSync(path.join(root, 'etc/security/limits.conf'), now);
        const r = readFileInRoot(root, 'etc/security/limits.conf', { same: old });
        expect(r.ok && !sameMemory(r.bytes, old) && r.bytes.equals(now)).toBe(true);
      }
      // another length: read as without it
      for (const now of [content(n + 1), content(Math.max(0, n - 1), 3)]) {
        writeFileSync(path.join(root, 'etc/security/limits.conf'), now);
        const r = readFileInRoot(root, 'etc/security/limits.conf', { same: old });
        expect(r.ok && r.bytes.equals(now)).toBe(true);
      }
    });
  }

  it('loadTree with a previous load keeps its bytes for files that read the same (limits.conf and limits.d)', async () => {
    const { documentBytes } = await import('../../src/core/edit/lines.js');
    const root = tree({ 'etc/security/limits.conf': '* soft nofile 1024\n', 'etc/security/limits.d/a.conf': 'a hard nproc 5\n', 'etc/security/limits.d/b.conf': 'b hard nproc 6\n' });
    const first = loadTree(root, { profile: 'debian', keepBytes: true });
    writeFileSync(path.join(root, 'etc/security/limits.d/b.conf'), 'b hard nproc 7\n');
    const second = loadTree(root, { profile: 'debian', keepBytes: true }, first);
    const bytes = (t: typeof first) => t.files.map((f) => documentBytes(f.doc!)!);
    const [m1, a1, b1] = bytes(first);
    const [m2, a2, b2] = bytes(second);
    expect(sameMemory(m2!, m1!)).toBe(true);
    expect(sameMemory(a2!, a1!)).toBe(true);
    expect(sameMemory(b2!, b1!)).toBe(false);
    expect(second.files.map((f) => f.doc!.text)).toEqual(['* soft nofile 1024\n', 'a hard nproc 5\n', 'b hard nproc 7\n']);
  });
});

describe('every read under --root goes through the one rule', () => {
  it('a FIFO drop-in is a fatal special file in the tree, read at once', () => {
    const root = tree(BASE);
    mkdirSync(path.join(root, 'etc/security/limits.d'));
    mkfifo(path.join(root, 'etc/security/limits.d/x.conf'));
    const t = loadTree(root);
    expect(t.files[1]).toMatchObject({ status: 'special' });
    expect(t.failure?.reason).toMatch(/FIFO: pam_limits would block here/);
  });

  it("os-release -> /usr/lib/os-release reads the tree's file, never the host's", () => {
    const root = tree({ 'usr/lib/os-release': 'ID=ubuntu\n', 'etc/.keep': '' });
    symlinkSync('/usr/lib/os-release', path.join(root, 'etc/os-release'));
    // no VERSION_ID: the newest Ubuntu in the table, as a guess that says so
    expect(detectProfile(root)).toMatchObject({ profile: 'ubuntu-24.04', exact: false });
    const rhel = tree({ 'usr/lib/os-release': 'ID="rhel"\nID_LIKE="fedora"\n', 'etc/.keep': '' });
    symlinkSync('/usr/lib/os-release', path.join(rhel, 'etc/os-release'));
    expect(detectProfile(rhel)).toMatchObject({ profile: 'rhel-10', exact: false, reason: expect.stringContaining('ID=rhel') });
  });

  it("etc/passwd -> ../../../../etc/shadow is refused, the host's file never read", () => {
    const root = tree({ 'etc/security/limits.conf': '' });
    symlinkSync('../../../../../../../../etc/shadow', path.join(root, 'etc/passwd'));
    expect(() => loadAccountDb(root)).toThrow(/etc\/passwd is a symlink to .*etc\/shadow, which leads outside the tree root/);
  });

  it("lint 'hosts/*' does not follow hosts/x -> /: a finding naming the link, never the host's /etc", async () => {
    const repo = tree({ 'hosts/web1/etc/security/limits.conf': '* soft core 0\n' });
    symlinkSync('/', path.join(repo, 'hosts/x'));
    const targets = await loadLintTargets(['hosts/*'], { cwd: repo, profile: () => 'linux-pam-1.5.2' });
    const roots = targets.map((t) => t.root);
    expect(roots).not.toContain('/');
    expect(roots).toContain(path.join(repo, 'hosts/web1'));
    const skipped = targets.find((t) => t.target.tree.unusable?.length);
    expect(skipped?.target.tree.unusable?.[0]?.detail).toMatch(/hosts\/x is a symlink to \/, which leads outside hosts/);
    expect(targets.flatMap((t) => t.target.tree.files.map((f) => f.path)).some((p) => p.startsWith('/etc'))).toBe(false);
  });
});

describe('CLI: hostile files end promptly with a clear result', () => {
  for (const where of ['etc/security/limits.d/x.conf', 'etc/security/limits.conf', 'etc/passwd', 'etc/os-release']) {
    it(`a FIFO at ${where}: lint, get, set --dry-run end and say why`, () => {
      const root = tree({ ...BASE, 'etc/security/limits.d/.keep': '' });
      rmSync(path.join(root, where), { force: true });
      mkfifo(path.join(root, where));
      for (const args of [['lint', '--root', root], ['get', 'nproc', '--user', 'admin', '--root', root], ['set', 'nproc', '7', '--user', 'admin', '--root', root, '--dry-run']]) {
        const r = cli(args);
        expect(r.signal, `${args.join(' ')} hung`).toBeNull();
        expect(r.out).not.toMatch(/internal error|    at /);
        if (args[0] === 'lint' || (where !== 'etc/os-release' && !(args[0] === 'set' && where === 'etc/security/limits.conf'))) expect(r.out, args.join(' ')).toMatch(/FIFO/);
      }
      const lint = cli(['lint', '--root', root]);
      if (where.includes('limits')) {
        expect(lint.code).toBe(1);
        expect(lint.out).toMatch(/LC303 .*FIFO: pam_limits would block here/);
      } else {
        expect(lint.out).toMatch(/LC306 .*FIFO/);
      }
    }, 90_000);
  }

  it('set on a tree whose limits.conf is a FIFO refuses (exit 2) and never replaces the FIFO', () => {
    const root = tree({ ...BASE });
    rmSync(path.join(root, 'etc/security/limits.conf'));
    mkfifo(path.join(root, 'etc/security/limits.conf'));
    const r = cli(['set', 'nproc', '7', '--user', 'admin', '--root', root]);
    expect(r.signal).toBeNull();
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/FIFO/);
    expect(spawnSync('test', ['-p', path.join(root, 'etc/security/limits.conf')]).status).toBe(0);
  }, 30_000);

  it.skipIf(!isRoot)('a character device (/dev/zero) at limits.d/z.conf: lint ends, memory does not grow', () => {
    const root = tree({ ...BASE, 'etc/security/limits.d/.keep': '' });
    if (!mkzero(path.join(root, 'etc/security/limits.d/z.conf'))) return;
    const r = cli(['lint', '--root', root]);
    expect(r.signal).toBeNull();
    expect(r.out).toMatch(/LC303 .*character device/);
  }, 30_000);

  it("passwd linking to the host's /etc/shadow: a clear refusal, the host content never shown", () => {
    const root = tree({ 'etc/security/limits.conf': 'admin soft nproc 5\n' });
    symlinkSync('../../../../../../../../etc/shadow', path.join(root, 'etc/passwd'));
    let hostShadow = '';
    try { hostShadow = readFileSync('/etc/shadow', 'latin1'); } catch { /* not readable here */ }
    const firstName = hostShadow.split('\n')[0]?.split(':')[0] ?? '';
    for (const args of [['get', 'nproc', '--user', 'admin', '--root', root], ['lint', '--root', root]]) {
      const r = cli(args);
      expect(r.out).toMatch(/etc\/passwd is a symlink to .*etc\/shadow, which leads outside the tree root/);
      if (firstName) expect(r.out).not.toContain(`'${firstName}'`);
      expect(r.out).not.toMatch(/\$[156y]\$/); // no password hash
    }
    expect(cli(['get', 'nproc', '--user', 'root', '--root', root]).code).toBe(2);
  }, 60_000);
});

describe('non-root honesty', () => {
  const nobody = 65534;
  const canSwitch = isRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;

  it.skipIf(!canSwitch)('a root-only (0600) drop-in read as uid 65534: a warning, not "pam_limits fails every session"', () => {
    const root = tree({ ...BASE, 'etc/security/limits.d/secret.conf': '* hard nproc 9\n' });
    chmodSync(path.join(root, 'etc/security/limits.d/secret.conf'), 0o600);
    for (const d of ['etc', 'etc/security', 'etc/security/limits.d']) chmodSync(path.join(root, d), 0o755);
    const lint = cli(['lint', '--root', root], { asUid: nobody });
    expect(lint.out).toMatch(/LC306 cannot read as uid 65534 \(EACCES\); pam_limits reads it as root/);
    expect(lint.out).not.toMatch(/LC303|fails every session/);
    expect(lint.code).toBe(0);
    for (const args of [['get', 'nproc', '--user', 'admin', '--root', root], ['effective', '--user', 'admin', '--root', root]]) {
      const r = cli(args, { asUid: nobody });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/secret\.conf: cannot read as uid 65534 \(EACCES\); pam_limits reads it as root/);
      expect(r.out).not.toMatch(/PAM_SERVICE_ERR|no limits applied/);
    }
  }, 60_000);
});

describe('files outside the tree (settings)', () => {
  it('a FIFO given as --config ends at once with a clear message, exit 2', () => {
    const root = tree({ ...BASE });
    mkfifo(path.join(root, 'settings.ini'));
    const r = cli(['lint', '--root', root, '--config', path.join(root, 'settings.ini')]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/settings\.ini: is not a regular file but a FIFO/);
  }, 30_000);
});
