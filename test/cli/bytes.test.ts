/**
 * Bytes are bytes and hostile ini files, through the built CLI: refusals exit 2 with one clear
 * message, no stack trace, and the tree unchanged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const ORIGINAL = 'admin - nproc 5 legacy-note # c\n';
function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'limitsctl-bytes-cli-'));
  dirs.push(root);
  mkdirSync(join(root, 'etc/security'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), Buffer.from('root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/h:/bin/sh\njosé:x:1001:1001::/h:/bin/sh\n', 'utf8'));
  writeFileSync(join(root, 'etc/group'), Buffer.from('root:x:0:\nadmin:x:1000:\njosé:x:1001:\n', 'utf8'));
  writeFileSync(join(root, 'etc/security/limits.conf'), ORIGINAL);
  return root;
}
const conf = (root: string) => readFileSync(join(root, 'etc/security/limits.conf'), 'latin1');
const noTrace = (s: string) => expect(s).not.toMatch(/\n\s+at |internal error/);

describe('the command line', () => {
  it.each([
    ['an ESC in --comment', ['--user', 'admin', '--comment', 'x\x1b[2Jy'], /ESC \(\\x1b\)/],
    ['an ESC in --domain', ['--domain', 'ad\x1bmin'], /ESC \(\\x1b\)/],
    ['a newline in --comment', ['--user', 'admin', '--comment', 'a\nroot - nproc 1'], /newline|one line/],
  ])('%s: exit 2, nothing written', (_, target, msg) => {
    const root = makeTree();
    const r = cli(['set', 'nproc', '6', ...target, '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/\x1b/);
    noTrace(r.stderr);
    expect(conf(root)).toBe(ORIGINAL);
  });

  it("get --user josé finds the UTF-8 name in etc/passwd and josé's UTF-8 line", () => {
    const root = makeTree();
    writeFileSync(join(root, 'etc/security/limits.conf'), Buffer.from('josé - nproc 77\n', 'utf8'));
    const r = cli(['get', 'nproc', '--user', 'josé', '--root', root, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ user: 'josé', soft: 77, hard: 77, softFrom: { domain: 'josé' } });
  });

  it('set keeps the extra field of the edited line', () => {
    const root = makeTree();
    const r = cli(['set', 'nproc', '6', '--user', 'admin', '--root', root]);
    expect(r.code).toBe(0);
    expect(conf(root)).toBe('admin - nproc 6 legacy-note # c\n');
  });
});

describe('ini files', () => {
  it('.limitsctl.ini with ignore[] = [z-a]: exit 2 naming the file and the key', () => {
    const root = makeTree();
    const cfg = join(root, 'settings.ini');
    for (const pattern of ['[z-a]', '{a,b']) {
      writeFileSync(cfg, `ignore[] = ${pattern}\n`);
      const r = cli(['lint', '--root', root, '--config', cfg]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(cfg);
      expect(r.stderr).toContain(`ignore[] = ${pattern}`);
      noTrace(r.stderr);
    }
  });

  it.each([
    ['[__proto__]\nnproc = 6\n', /__proto__/],
    ['[admin]\nnproc = 6\n[ admin ]\nnofile = 7\n', /repeats the section \[admin\]/],
    ['[ad#min]\nnproc = 6\n', /'#' starts a comment/],
  ])('apply refuses %j with exit 2 and writes nothing', (policy, msg) => {
    const root = makeTree();
    const file = join(root, 'policy.ini');
    writeFileSync(file, policy);
    const r = cli(['apply', file, '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    noTrace(r.stderr);
    expect(conf(root)).toBe(ORIGINAL);
  });

  it('apply reads a policy with a BOM and a UTF-8 domain', () => {
    const root = makeTree();
    const file = join(root, 'policy.ini');
    writeFileSync(file, '\uFEFF[josé]\nnproc = 9\n');
    const r = cli(['apply', file, '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.from(conf(root), 'latin1').includes(Buffer.from('josé', 'utf8'))).toBe(true);
  });
});
