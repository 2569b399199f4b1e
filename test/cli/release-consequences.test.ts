/**
 * What a release's pam_limits does with a configuration, end to end on the release fixture trees
 * (fixtures/releases, real os-release files): `nofile unlimited` is a lockout on CentOS 7 (Linux-PAM
 * 1.1.8 asks for RLIM_INFINITY, the kernel says EPERM, the session is denied), fs.nr_open on
 * Debian 12, and ignored on Debian 11; items a release does not know are refused; a repository of
 * host trees is linted with each tree's own profile.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';
import { RELEASES } from '../release-trees.js';

const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

/** A copy of a release tree, its limits.conf replaced by `limits` (limits.d kept unless dropped). */
function copyOf(release: string, limits: string, keepDropins = false): string {
  const dir = mkdtempSync(path.join(tmpdir(), `limitsctl-release-${release}-`));
  made.push(dir);
  cpSync(path.join(RELEASES, release), dir, { recursive: true, verbatimSymlinks: true });
  writeFileSync(path.join(dir, 'etc/security/limits.conf'), limits);
  if (!keepDropins) rmSync(path.join(dir, 'etc/security/limits.d'), { recursive: true, force: true });
  return dir;
}

function snapshot(file: string): { text: string; mtimeMs: number; mode: number } {
  const st = statSync(file);
  return { text: readFileSync(file, 'utf8'), mtimeMs: st.mtimeMs, mode: st.mode };
}

describe('nofile unlimited, release by release', () => {
  it('centos-7: effective says PAM_PERM_DENIED and why; get --json too', async () => {
    const root = copyOf('centos-7', '* - nofile unlimited\n');
    const r = await runMain(['effective', '--user', 'admin', '--root', root]);
    expect(r.stdout).toMatch(/profile centos-7: PAM_PERM_DENIED/);
    expect(r.stdout + r.stderr).toMatch(/RLIM_INFINITY.*EPERM.*PAM_PERM_DENIED/s);
    const g = JSON.parse((await runMain(['get', 'nofile', '--user', 'admin', '--json', '--root', root])).stdout) as { profile: string; result: string; profileSource: { how: string; osRelease: Record<string, string> } };
    expect(g).toMatchObject({ profile: 'centos-7', result: 'PAM_PERM_DENIED', profileSource: { how: 'auto', osRelease: { ID: 'centos', VERSION_ID: '7' } } });
  });

  it('debian-12 maps it to fs.nr_open; debian-11 asks for RLIM_INFINITY, which is refused and ignored', async () => {
    const d12 = JSON.parse((await runMain(['get', 'nofile', '--user', 'admin', '--json', '--root', copyOf('debian-12', '* - nofile unlimited\n')])).stdout) as { result: string; hard: unknown };
    expect(d12).toMatchObject({ result: 'PAM_SUCCESS', hard: 1048576 });
    const d11 = JSON.parse((await runMain(['effective', '--user', 'admin', '--json', '--root', copyOf('debian-11', '* - nofile unlimited\n')])).stdout) as { result: string; warnings: string[] };
    expect(d11.result).toBe('PAM_SUCCESS');
    expect(d11.warnings.join('\n')).toMatch(/silently keeps the previous nofile limits/);
  });

  it('set nofile unlimited --all on a CentOS 7 tree exits 2 and writes nothing; the safe spelling is named and works', async () => {
    const root = copyOf('centos-7', '# stock\n');
    const file = path.join(root, 'etc/security/limits.conf');
    const before = snapshot(file);
    const r = await runMain(['set', 'nofile', 'unlimited', '--all', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RLIM_INFINITY.*PAM_PERM_DENIED.*write nofile 1048576 instead/s);
    expect(snapshot(file)).toEqual(before);
    const ok = await runMain(['set', 'nofile', '1048576', '--all', '--root', root]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^\* +- +nofile +1048576$/m);
    // the same request on Debian 12 is what that release does well
    expect((await runMain(['set', 'nofile', 'unlimited', '--all', '--root', copyOf('debian-12', '')])).code).toBe(0);
  });

  it('lint reports it as an error on CentOS 7 (LC207), as information on Debian 12 (LC208)', async () => {
    const c7 = await runMain(['lint', '--json', '--root', copyOf('centos-7', '* - nofile unlimited\n')]);
    expect(c7.code).toBe(1);
    const codes = (out: string) => (JSON.parse(out) as { results: Array<{ code: string; severity: string }> }).results.map((d) => `${d.code}:${d.severity}`);
    expect(codes(c7.stdout)).toContain('LC207:error');
    const d12 = await runMain(['lint', '--json', '--root', copyOf('debian-12', '* - nofile unlimited\n')]);
    expect(codes(d12.stdout)).toContain('LC208:info');
    expect(codes(d12.stdout).filter((c) => c.startsWith('LC207'))).toEqual([]);
  });
});

describe('items a release does not know', () => {
  it('set refuses nonewprivs on RHEL 8 and rttime on Debian 13, naming the release; writes nothing', async () => {
    const rhel8 = copyOf('rhel-8', '');
    const file = path.join(rhel8, 'etc/security/limits.conf');
    const before = snapshot(file);
    const r = await runMain(['set', 'nonewprivs', '1', '--user', 'admin', '--root', rhel8]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'nonewprivs' is not an item RHEL 8\.6\+'s pam_limits .* knows \(nonewprivs arrived in Linux-PAM 1\.5\.0\)/);
    expect(snapshot(file)).toEqual(before);
    const d13 = await runMain(['set', 'rttime', '100', '--user', 'admin', '--root', copyOf('debian-13', '')]);
    expect(d13.code).toBe(2);
    expect(d13.stderr).toMatch(/rttime arrived in Linux-PAM 1\.7\.1/);
  });
});

describe('a repository of host trees', () => {
  it('each tree is linted with its own profile', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'limitsctl-release-repo-'));
    made.push(repo);
    for (const [host, release] of [['web1', 'centos-7'], ['web2', 'debian-12'], ['web3', 'rhel-9']] as const) {
      cpSync(path.join(RELEASES, release), path.join(repo, 'hosts', host), { recursive: true, verbatimSymlinks: true });
      writeFileSync(path.join(repo, 'hosts', host, 'etc/security/limits.conf'), '* - nofile unlimited\n');
    }
    const r = await runMain(['lint', '--json', 'hosts/*'], { cwd: repo });
    const results = (JSON.parse(r.stdout) as { results: Array<{ file: string; code: string }> }).results;
    const codesOf = (host: string) => results.filter((d) => d.file.includes(`${host}/`)).map((d) => d.code);
    expect(codesOf('web2').length, r.stdout).toBeGreaterThan(0); // LC206/LC208: the host's findings are there
    expect(codesOf('web1')).toContain('LC207');
    expect(codesOf('web2')).not.toContain('LC207');
    expect(codesOf('web3')).not.toContain('LC207'); // pam-1.5.1-9.el9 backports the nr_open mapping
  });
});
