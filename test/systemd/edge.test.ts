/**
 * Cases found by trying to break `--unit`: an alias's drop-ins (systemd loads the drop-ins of every
 * name of a unit: systemd.unit(5), "Aliases"), a LimitNOFILE= above fs.nr_open (the kernel refuses
 * it: setrlimit(2) EPERM — the containerd case of issue 13), and unit types without Limit*=
 * (systemd.exec(5) applies to service, socket, mount and swap units).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-unit-edge-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('--unit edge cases', () => {
  it("an alias gets the drop-ins of the unit it names (sshd.service -> ssh.service on Debian)", () => {
    const root = tree({
      'usr/lib/systemd/system/real.service': '[Service]\nLimitNOFILE=555\n',
      'etc/systemd/system/real.service.d/z.conf': '[Service]\nLimitNOFILE=999\n',
    });
    symlinkSync('/usr/lib/systemd/system/real.service', path.join(root, 'etc/systemd/system/alias.service'));
    const j = JSON.parse(cli(['get', 'nofile', '--unit', 'alias', '--root', root, '--json']).stdout);
    expect(j).toMatchObject({ soft: 999, hard: 999, softFrom: { file: 'etc/systemd/system/real.service.d/z.conf' } });
  });

  it('LimitNOFILE=infinity above a lowered fs.nr_open: get warns, set refuses (exit 2, nothing written)', () => {
    const root = tree({
      'etc/systemd/system/containerd.service': '[Service]\nLimitNOFILE=infinity\n',
      'etc/sysctl.d/99-tune.conf': 'fs.nr_open = 1000000\n',
    });
    const j = JSON.parse(cli(['get', 'nofile', '--unit', 'containerd', '--root', root, '--json']).stdout);
    expect(j.warnings.join('\n')).toMatch(/above fs\.nr_open 1000000 \(etc\/sysctl\.d\/99-tune\.conf:1\)/);
    const before = readdirSync(path.join(root, 'etc/systemd/system'));
    const r = cli(['set', 'nofile', '2000000', '--unit', 'containerd', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/above fs\.nr_open 1000000/);
    expect(readdirSync(path.join(root, 'etc/systemd/system'))).toEqual(before);
    expect(cli(['set', 'nofile', '1000000', '--unit', 'containerd', '--root', root]).code).toBe(0);
  });

  it('a .target has no Limit*=: exit 2', () => {
    const root = tree({ 'etc/systemd/system/t.target': '[Unit]\nDescription=t\n' });
    const r = cli(['get', 'nofile', '--unit', 't.target', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/service, socket, mount and swap units only/);
  });

  it('a unit file limitsctl does not read (a FIFO, over the 1 MiB cap) is named, not "not found"; nothing blocks', () => {
    const root = tree({ 'etc/systemd/system/h.service': `[Service]\n${'#'.repeat(2_000_000)}\n` });
    const fifo = path.join(root, 'etc/systemd/system/f.service');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const f = cli(['get', 'nofile', '--unit', 'f', '--root', root], { timeout: 20_000 });
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/f\.service could not be read: .*f\.service is not a regular file but a FIFO; limitsctl does not read it\n/);
    const h = cli(['get', 'nofile', '--unit', 'h', '--root', root]);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/h\.service could not be read: .*above limitsctl's 1048576-byte cap/);
  });
});
