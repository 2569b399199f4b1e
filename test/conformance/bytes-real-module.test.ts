/**
 * Bytes are bytes, proved with Debian's real pam_limits.so: `limitsctl set nproc 77 --user josé`
 * on a tree whose etc/passwd holds `josé` in UTF-8 writes the bytes pam_limits compares, so the
 * module gives josé 77; a second run is `unchanged` and leaves the file alone.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { realModuleSkipReason, runRealModule } from './real-module.js';

const skipReason = await realModuleSkipReason();
if (skipReason) console.warn(`josé against the real pam_limits.so skipped: ${skipReason}`);

const NPROC = 6;
/** the UTF-8 bytes of a name as a binary string, as the harness takes user names */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe.skipIf(skipReason !== null)('set --user josé, then the real pam_limits.so', () => {
  it('josé gets nproc 77 and a second run is unchanged', async () => {
    const root = mkdtempSync(join(tmpdir(), 'limitsctl-jose-'));
    dirs.push(root);
    mkdirSync(join(root, 'etc/security'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), Buffer.from('root:x:0:0::/root:/bin/sh\njosé:x:1001:1001::/home/josé:/bin/sh\n', 'utf8'));
    writeFileSync(join(root, 'etc/group'), Buffer.from('root:x:0:\njosé:x:1001:\n', 'utf8'));
    writeFileSync(join(root, 'etc/security/limits.conf'), '# limits\n');

    const first = cli(['set', 'nproc', '77', '--user', 'josé', '--root', root, '--profile', 'debian']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^changed: josé - nproc 77$/m);
    const written = readFileSync(join(root, 'etc/security/limits.conf'));
    expect(written.includes(Buffer.from('josé', 'utf8'))).toBe(true);

    const [session] = await runRealModule(root, [utf8('josé')]);
    expect(session!.pamResultName).toBe('PAM_SUCCESS');
    const call = session!.setrlimit.filter((c) => c.resource === NPROC).at(-1);
    expect(call).toMatchObject({ soft: 77n, hard: 77n });

    const second = cli(['set', 'nproc', '77', '--user', 'josé', '--root', root, '--profile', 'debian']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^unchanged: josé - nproc is already 77$/m);
    expect(readFileSync(join(root, 'etc/security/limits.conf')).equals(written)).toBe(true);

    const get = cli(['get', 'nproc', '--user', 'josé', '--root', root, '--profile', 'debian', '--json']);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ user: 'josé', soft: 77, hard: 77, softFrom: { domain: 'josé' } });
  }, 120_000);
});
