/**
 * The text format shows a file name's control characters escaped (`\x01`, as the JSON, SARIF and
 * GitHub formats escape them in their strings), never raw on the terminal. End to end through the
 * built binary (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(__dirname, '../../bin/limitsctl.js');
const built = existsSync(path.resolve(__dirname, '../../dist/limitsctl.cjs'));
if (!built) console.warn('text control-name test skipped: dist/ is not built (run npm run build)');

const tmp = mkdtempSync(path.join(tmpdir(), 'limitsctl-ctlname-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!built)('text format: control characters in file names', () => {
  it('a name holding \\x01 and ESC is printed escaped', () => {
    const name = 'a\u0001b\u001b[31m.conf';
    writeFileSync(path.join(tmp, name), 'admin hard nproc bogus\n');
    const r = spawnSync(process.execPath, [BIN, 'lint', '--profile', 'linux-pam-1.5.2', '--no-color', name], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('a\\x01b\\x1b[31m.conf:1:');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0001\u001b]/);
  });

  it('a message naming such a file (another file, quoted in it) is printed escaped too, with colour or without', () => {
    const root = path.join(tmp, 'tree');
    mkdirSync(path.join(root, 'etc/security/limits.d'), { recursive: true });
    writeFileSync(path.join(root, 'etc/security/limits.conf'), 'bob soft nofile 10\n');
    writeFileSync(path.join(root, 'etc/security/limits.d/a\u001b]0;t\u0007.conf'), 'bob soft nofile 20\n');
    for (const colour of ['--no-color', '--color']) {
      const r = spawnSync(process.execPath, [BIN, 'lint', '--profile', 'debian', colour, '--root', root], { cwd: tmp, encoding: 'utf8' });
      expect(r.stdout, r.stderr).toContain('limits.d/a\\x1b]0;t\\x07.conf:1)');
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).not.toMatch(/\u0007|\u001b(?!\[[0-9;]*m)/);
    }
  });
});
