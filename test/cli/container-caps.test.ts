/**
 * A container snapshot without CAP_SYS_RESOURCE (proc/1/status with Docker's default capability
 * set): pam_limits cannot raise a hard limit above the one the container starts with — setrlimit
 * fails with EPERM, upstream pam_limits denies the session (sudo: "pam_open_session: Permission
 * denied"), Debian's ignores it (issue 13, item 6).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

const DOCKER_CAPS = 'Name:\tbash\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n';
const FULL_CAPS = 'Name:\tsystemd\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n';
const LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max processes             4096                 4096                 processes ',
  'Max open files            1048576              1048576              files     ',
].join('\n');

const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

function container(osRelease: string, caps: string, limits: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-caps-'));
  made.push(root);
  for (const d of ['etc/security', 'proc/1']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'etc/os-release'), osRelease);
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(path.join(root, 'etc/security/limits.conf'), limits);
  writeFileSync(path.join(root, 'proc/1/status'), caps);
  writeFileSync(path.join(root, 'proc/1/limits'), `${LIMITS}\n`);
  return root;
}

const RHEL9 = 'ID="rhel"\nVERSION_ID="9.4"\n';
const DEB12 = 'ID=debian\nVERSION_ID="12"\n';

describe('a container without CAP_SYS_RESOURCE', () => {
  it('rhel-9: root - nproc unlimited denies the session; the same tree with the capability does not', async () => {
    const r = await runMain(['get', 'nproc', '--user', 'root', '--json', '--root', container(RHEL9, DOCKER_CAPS, 'root - nproc unlimited\n')]);
    const j = JSON.parse(r.stdout) as { result: string; warnings: string[] };
    expect(j.result).toBe('PAM_PERM_DENIED');
    expect(j.warnings.join('\n')).toMatch(/lacks CAP_SYS_RESOURCE/);
    const ok = JSON.parse((await runMain(['get', 'nproc', '--user', 'root', '--json', '--root', container(RHEL9, FULL_CAPS, 'root - nproc unlimited\n')])).stdout) as { result: string };
    expect(ok.result).toBe('PAM_SUCCESS');
  });

  it('debian-12: the error is ignored, and said', async () => {
    const j = JSON.parse((await runMain(['effective', '--user', 'root', '--json', '--root', container(DEB12, DOCKER_CAPS, 'root - nproc unlimited\n')])).stdout) as { result: string; warnings: string[] };
    expect(j.result).toBe('PAM_SUCCESS');
    expect(j.warnings.join('\n')).toMatch(/lacks CAP_SYS_RESOURCE: the kernel refuses it \(EPERM\) and Debian's pam_limits keeps the previous nproc limits/);
  });

  it('set refuses the raise (exit 2, nothing written) and accepts a value within the starting hard limit', async () => {
    const root = container(RHEL9, DOCKER_CAPS, '# limits\n');
    const file = path.join(root, 'etc/security/limits.conf');
    const before = { text: readFileSync(file, 'utf8'), mtime: statSync(file).mtimeMs };
    const r = await runMain(['set', 'nproc', 'unlimited', '--user', 'root', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lacks CAP_SYS_RESOURCE/);
    expect({ text: readFileSync(file, 'utf8'), mtime: statSync(file).mtimeMs }).toEqual(before);
    const ok = await runMain(['set', 'nproc', '2048', '--user', 'root', '--root', root]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
