/**
 * get / explain / effective text (issue 13, item 7): values carry their unit (KiB items with the
 * size the kernel gets, cpu in minutes with seconds), JSON keeps limits.conf units; a value no line
 * sets is described by the profile's baseline rule — PID 1's limits on Debian 10–12 (nofile soft
 * at most 1024), the calling process's limits on Debian 13 and upstream.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { valueWithUnit } from '../../src/formatters/effective.js';
import { itemInfo } from '../../src/core/schema.js';
import { runMain } from './helpers.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(path.join(root, 'etc/security'), { recursive: true });
writeFileSync(path.join(root, 'etc/security/limits.conf'), 'admin - memlock 16384\nadmin hard cpu 90\nadmin - msgqueue 819200\n');
writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nadmin:x:1000:\n');

const run = (args: string[], profile = 'linux-pam-1.5.2') => runMain([...args, '--user', 'admin', '--root', root, '--profile', profile]);

describe('units in text output', () => {
  it('valueWithUnit: KiB with the size, minutes with seconds, bytes, small values without a second form', () => {
    const u = (item: string, v: bigint | 'unlimited' | null) => valueWithUnit(itemInfo(item)!, v);
    expect(u('memlock', 16384n)).toBe('16384 KiB (16 MiB)');
    expect(u('stack', 8192n)).toBe('8192 KiB (8 MiB)');
    expect(u('fsize', 1500n)).toBe('1500 KiB (1.5 MiB)');
    expect(u('as', 1048576n)).toBe('1048576 KiB (1 GiB)');
    expect(u('core', 0n)).toBe('0 KiB');
    expect(u('cpu', 90n)).toBe('90 minutes (5400 s)');
    expect(u('cpu', 1n)).toBe('1 minute (60 s)');
    expect(u('msgqueue', 819200n)).toBe('819200 bytes (800 KiB)');
    expect(u('nofile', 4096n)).toBe('4096');
    expect(u('memlock', 'unlimited')).toBe('unlimited');
    expect(u('memlock', null)).toBe('inherited');
  });

  it('get: memlock in KiB with MiB, cpu in minutes; --json unchanged (limits.conf units)', async () => {
    const m = await run(['get', 'memlock']);
    expect(m.stdout).toContain('soft 16384 KiB (16 MiB) (');
    expect((await run(['get', 'cpu'])).stdout).toContain('hard 90 minutes (5400 s) (');
    const j = JSON.parse((await run(['get', 'memlock', '--json'])).stdout) as { soft: unknown; hard: unknown };
    expect([j.soft, j.hard]).toEqual([16384, 16384]);
  });

  it('explain and effective show the unit', async () => {
    expect((await run(['explain', 'memlock'])).stdout).toMatch(/result: soft 16384 KiB \(16 MiB\)/);
    const e = (await run(['effective'])).stdout;
    expect(e).toMatch(/^memlock\s+16384 KiB \(16 MiB\)\s+16384 KiB \(16 MiB\)/m);
    expect(e).toMatch(/^msgqueue\s+819200 bytes \(800 KiB\)/m);
    // the warning about an unknown inherited soft value names the hard limit in limits.conf units
    expect(e).toContain('cpu: the inherited soft limit is unknown; pam_limits lowers it to the hard limit 90 minutes if it is higher');
  });
});

describe('where a value no line sets comes from', () => {
  it('Debian 10–12: PID 1\'s limits, nofile soft at most 1024', async () => {
    for (const profile of ['debian-10', 'debian-12']) {
      const r = await run(['get', 'nofile'], profile);
      expect(r.stdout).toContain("soft inherited (not configured: PID 1's limits, nofile soft at most 1024)");
      expect(r.stdout).toContain("hard inherited (not configured: PID 1's limits)");
      expect(r.stdout).not.toMatch(/calling process/);
      expect((await run(['effective'], profile)).stdout).toMatch(/inherited from PID 1's limits \(nofile soft at most 1024\)/);
    }
  });

  it('Debian 13 and upstream: the calling process\'s limits', async () => {
    for (const profile of ['debian-13', 'linux-pam-1.5.2', 'rhel-9']) {
      const r = await run(['explain', 'nofile'], profile);
      expect(r.stdout, profile).toContain("soft inherited (not configured: the calling process's limits)");
      expect(r.stdout).not.toMatch(/PID 1/);
    }
  });
});
