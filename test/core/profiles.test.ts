/**
 * The release profiles: table invariants, os-release detection, and the behaviours each release's
 * pam_limits.c has that the real modules here cannot show (1.1.8, 1.3.1, 1.6.0, 1.7.1 and the
 * distribution rows). Each case cites the Linux-PAM commit or package it follows; the real
 * modules (Debian 11/12/13, plain 1.4.0/1.5.2/1.7.0) are compared in test/conformance.
 */
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/accounts.js';
import type { ConfigTree } from '../../src/core/model.js';
import { treeOf } from './tree-of.js';
import { parseOsRelease, profileForOsRelease } from '../../src/core/profiles.js';
import { resolveLimits } from '../../src/core/resolve.js';
import {
  canonicalProfile, itemForProfile, PROFILE_ALIASES, PROFILE_NAMES, PROFILES, type ProfileName, profileInfo, RLIM_INFINITY,
} from '../../src/core/schema.js';

const alice: Identity = { name: 'alice', uid: 1000, gid: 1000, groups: [{ name: 'alice', gid: 1000 }] };
const root: Identity = { name: 'root', uid: 0, gid: 0, groups: [{ name: 'root', gid: 0 }] };
const resolve = (profile: ProfileName, id: Identity, text: string) => resolveLimits(treeOf(profile, text), id, { pid1Limits: null, nrOpen: 1048576n });

describe('the profile table', () => {
  it('has one row per name, the old names as aliases, and an error naming the known ones otherwise', () => {
    expect(PROFILES.map((p) => p.name)).toEqual(PROFILE_NAMES);
    expect(canonicalProfile('debian')).toBe('debian-12');
    expect(canonicalProfile('upstream')).toBe('linux-pam-1.5.2');
    expect(canonicalProfile('upstream-1.7')).toBe('linux-pam-1.7.2');
    expect(profileInfo('debian-12').aliases).toEqual(['debian']);
    expect(() => profileInfo('rhel-6' as ProfileName)).toThrow(/unknown profile 'rhel-6'.*rhel-7/);
    for (const alias of Object.keys(PROFILE_ALIASES)) expect(PROFILE_NAMES).not.toContain(alias);
  });

  it('every distribution row can be detected, and unsure cells name real columns', () => {
    for (const p of PROFILES) {
      if (!p.name.startsWith('linux-pam-')) expect(p.os.length, p.name).toBeGreaterThan(0);
      for (const cell of p.unsure) expect(cell === 'pamVersion' || cell in p.traits, `${p.name}: ${cell}`).toBe(true);
    }
  });

  it('line reading follows the version: fgets up to 1.5.x (1.1.8 … 1.5.3 parse alike), 1.6.0 (eec4358a), getline from 1.6.1 (9228077d)', () => {
    const reading = (n: ProfileName) => profileInfo(n).reading;
    expect((['linux-pam-1.1', 'linux-pam-1.3', 'linux-pam-1.4', 'linux-pam-1.5.2', 'linux-pam-1.5.3', 'rhel-7', 'rhel-9', 'ubuntu-24.04'] as const).map(reading)).toEqual(Array(8).fill('fgets'));
    expect(reading('linux-pam-1.6.0')).toBe('getline-1.6.0');
    expect((['linux-pam-1.6.1', 'linux-pam-1.7.0', 'rhel-10', 'debian-13', 'fedora', 'alpine'] as const).map(reading)).toEqual(Array(6).fill('getline'));
  });

  it('items by release: nonewprivs from 1.5.0 (dd9cf929), rttime from 1.7.1 (d09b8939), chroot only with Debian\'s patch', () => {
    expect(itemForProfile('nonewprivs', 'rhel-8')).toBeUndefined(); // pam-1.3.1
    expect(itemForProfile('nonewprivs', 'debian-11')).toBeUndefined(); // 1.4.0
    expect(itemForProfile('nonewprivs', 'rhel-9')?.name).toBe('nonewprivs'); // 1.5.1
    expect(itemForProfile('rttime', 'debian-13')).toBeUndefined(); // 1.7.0
    expect(itemForProfile('rttime', 'linux-pam-1.7.1')?.name).toBe('rttime');
    expect(itemForProfile('chroot', 'ubuntu-22.04')?.name).toBe('chroot');
    expect(itemForProfile('chroot', 'fedora')).toBeUndefined();
  });
});

describe('os-release detection', () => {
  const detect = (text: string) => profileForOsRelease(parseOsRelease(text));

  it('reads quoted and bare values, escapes, comments and the last assignment', () => {
    expect(parseOsRelease('# x\nID="rhel"\nID_LIKE=\'fedora\'\nVERSION_ID=9.4\nPRETTY_NAME="A \\"B\\""\nID=centos\n')).toEqual({
      ID: 'centos', ID_LIKE: 'fedora', VERSION_ID: '9.4', PRETTY_NAME: 'A "B"',
    });
  });

  it('RHEL minor releases: 8.0–8.5 have no nr_open mapping, 8.6+ have it (pam-1.3.1-16.el8)', () => {
    expect(detect('ID="rhel"\nVERSION_ID="8.5"\n').profile).toBe('rhel-8.5');
    expect(detect('ID="rhel"\nVERSION_ID="8.6"\n').profile).toBe('rhel-8');
    expect(detect('ID="rhel"\nVERSION_ID="8.10"\n').profile).toBe('rhel-8');
    // CentOS 8 says only "8": read as the earlier, stricter minor, and said to be a guess
    const c8 = detect('ID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="8"\n');
    expect(c8).toMatchObject({ profile: 'rhel-8.5', exact: false });
    expect(c8.warning).toMatch(/no minor release/);
  });

  it('Fedora by VERSION_ID (pam 1.6.1 in 41, 1.7.0 in 42, 1.7.1 in 43, 1.7.2 in 44); a later one takes the newest, with a warning', () => {
    expect(['41', '42', '43', '44'].map((v) => detect(`ID=fedora\nVERSION_ID=${v}\n`).profile)).toEqual(['fedora-41', 'fedora-42', 'fedora-43', 'fedora']);
    expect(itemForProfile('rttime', 'fedora-42')).toBeUndefined();
    expect(detect('ID=fedora\nVERSION_ID=45\n')).toMatchObject({ profile: 'fedora', exact: false });
  });

  it('a derivative naming no release of its family: the newest, and the warning does not claim the parent lacks a release', () => {
    const d = detect('ID=foo\nID_LIKE=debian\nVERSION_ID=12\n');
    expect(d).toMatchObject({ profile: 'debian-13', exact: false });
    expect(d.warning).toMatch(/foo 12 is like debian, but names no debian release/);
    expect(detect('ID=foo\nID_LIKE=debian\nVERSION_CODENAME=bookworm\n')).toMatchObject({ profile: 'debian-12', exact: true });
  });

  it('Debian testing by codename; an unknown release of a known family takes the nearest with a warning', () => {
    expect(detect('ID=debian\nVERSION_CODENAME=trixie\n').profile).toBe('debian-13');
    const kinetic = detect('ID=ubuntu\nVERSION_ID="22.10"\nVERSION_CODENAME=kinetic\nUBUNTU_CODENAME=kinetic\n');
    expect(kinetic).toMatchObject({ profile: 'ubuntu-22.04', exact: false });
    expect(kinetic.warning).toMatch(/ubuntu 22\.10 is not a release/);
    const kali = detect('ID=kali\nID_LIKE=debian\nVERSION_ID="2024.1"\nVERSION_CODENAME=kali-rolling\n');
    expect(kali).toMatchObject({ profile: 'debian-13', exact: false });
  });

  it('no known ID: linux-pam-1.5.2 with a warning, never a silent Debian', () => {
    const d = detect('ID=gentoo\nVERSION_ID=2.18\n');
    expect(d).toMatchObject({ profile: 'linux-pam-1.5.2', exact: false });
    expect(d.warning).toMatch(/--profile/);
  });
});

describe('consequences per release', () => {
  it('nofile unlimited before 1.5.2 (3234488f) is RLIM_INFINITY: EPERM, and the session is denied upstream (RHEL 7) or the limit kept (Debian 11)', () => {
    const rhel7 = resolve('rhel-7', alice, '* - nofile unlimited\n');
    expect(rhel7.result).toBe('PAM_PERM_DENIED');
    expect(rhel7.rlimits.nofile).toMatchObject({ eperm: true, applied: { soft: RLIM_INFINITY, hard: RLIM_INFINITY } });
    const deb11 = resolve('debian-11', alice, '* - nofile unlimited\n');
    expect(deb11.result).toBe('PAM_SUCCESS');
    expect(deb11.rlimits.nofile.eperm).toBe(true);
    expect(resolve('rhel-8.5', alice, '* - nofile unlimited\n').result).toBe('PAM_PERM_DENIED');
    // the backports and 1.5.2 map it to fs.nr_open
    for (const p of ['rhel-8', 'rhel-9', 'debian-12', 'linux-pam-1.5.2'] as const) {
      const r = resolve(p, alice, '* - nofile unlimited\n');
      expect(r.result, p).toBe('PAM_SUCCESS');
      expect(r.rlimits.nofile.applied, p).toEqual({ soft: 1048576n, hard: 1048576n });
    }
  });

  it('the kernel enforces fs.nr_open even when pam_limits cannot read it', () => {
    const tree = treeOf('linux-pam-1.5.2', '* - nofile 2000000\n');
    expect(resolveLimits(tree, alice, { nrOpen: null }).result).toBe('PAM_PERM_DENIED');
    expect(resolveLimits(tree, alice, { nrOpen: null, kernelNrOpen: 4000000n }).result).toBe('PAM_SUCCESS');
  });

  it('a missing limits.conf is fatal before 1.5.3 (14ea1011)', () => {
    const missing = (profile: ProfileName): ConfigTree => ({
      profile: canonicalProfile(profile), ignored: [], failure: null,
      files: [{ path: 'etc/security/limits.conf', role: 'main', status: 'missing', doc: null, fatal: 'missing' }],
    });
    expect(resolveLimits(missing('debian-12'), alice).result).toBe('PAM_SERVICE_ERR');
    expect(resolveLimits(missing('rhel-9'), alice).result).toBe('PAM_SERVICE_ERR');
    expect(profileInfo('ubuntu-24.04').traits.missingFileFatal).toBe(false);
    expect(profileInfo('rhel-10').traits.missingFileFatal).toBe(false);
  });

  it('Debian 13 keeps the root exemption but starts from the caller, not PID 1 (1.7.0-1, #995236)', () => {
    const pid1 = { nproc: { soft: 7001n, hard: 7002n } };
    const d12 = resolveLimits(treeOf('debian-12', '* hard nproc 50\n'), root, { pid1Limits: pid1 });
    const d13 = resolveLimits(treeOf('debian-13', '* hard nproc 50\n'), root, { pid1Limits: pid1 });
    expect(d12.rlimits.nproc.applied).toEqual({ soft: 7001n, hard: 7002n });
    expect(d13.rlimits.nproc.applied).toBeNull();
    expect(d13.calls.setrlimit).toEqual([]);
  });

  it('1.6.0 keeps the blanks around the value (linux-pam #761): aligned keywords fail, numbers work; 1.6.1 trims', () => {
    const text = '*   soft   nofile   unlimited\n* soft core 5 \nalice - nonewprivs  1\n';
    const r160 = resolve('linux-pam-1.6.0', alice, text);
    const r161 = resolve('linux-pam-1.6.1', alice, text);
    expect(r160.rlimits.nofile.applied).toBeNull(); // "  unlimited": no keyword, no digits: skipped
    expect(r161.rlimits.nofile.applied).toEqual({ soft: 1048576n, hard: null });
    expect(r160.rlimits.core.applied?.soft).toBe(5n * 1024n); // "5 ": strtoull stops at the blank
    expect(r160.nonewprivs.value).toBe(false); // " 1" is not "1": stored as 0
    expect(r161.nonewprivs.value).toBe(true);
    // one separator and no trailing blank reads alike
    expect(resolve('linux-pam-1.6.0', alice, '* soft nofile unlimited\n').rlimits.nofile.applied?.soft).toBe(1048576n);
  });

  it('logind builds (1.7.0, f5db2603) log maxlogins 1 and let the session in; 0 still denies', () => {
    const d13 = resolve('debian-13', alice, 'alice - maxlogins 1\n');
    expect(d13.result).toBe('PAM_SUCCESS');
    expect(d13.logins.check).toBe('none');
    expect(d13.warnings.join('\n')).toMatch(/maxlogins 1 is not enforced/);
    expect(resolve('debian-12', alice, 'alice - maxlogins 1\n').logins.check).toBe('count');
    expect(resolve('debian-13', alice, 'alice - maxlogins 0\n').result).toBe('PAM_PERM_DENIED');
  });
});

describe('suggestions for a mistyped profile', () => {
  it('never point at a release with other traits because the name is close', async () => {
    const { suggestProfile } = await import('../../src/core/profiles.js');
    expect(['RHEL-7', 'rhel7', 'rhel-8.6', 'rhel-8.10', 'rhel-9.4', 'centos-8', 'fedora-44', 'linux-pam-1.5.1', 'ubuntu-2204', 'debain'].map(suggestProfile))
      .toEqual(['rhel-7', 'rhel-7', 'rhel-8', 'rhel-8', 'rhel-9', 'rhel-8.5', 'fedora', 'linux-pam-1.4', 'ubuntu-22.04', 'debian']);
  });
});
