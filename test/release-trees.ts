/**
 * The release fixture trees (fixtures/releases, provenance in its SOURCES.tsv) and what profile
 * detection must make of each: a tree named after a profile must be detected as that profile; a
 * derived tree (fixtures/releases/derived/<name>) as the profile in DERIVED, for the reason given.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const RELEASES = path.resolve(__dirname, '../fixtures/releases');

/** What a derived tree must map to; `profile: 'fallback'` = no release profile fits, a warning is due. */
export interface DerivedExpectation {
  readonly profile: string;
  readonly why: string;
}

export const DERIVED: Readonly<Record<string, DerivedExpectation>> = {
  'rocky-9': {
    profile: 'rhel-9',
    why: 'ID=rocky ID_LIKE="rhel centos fedora" VERSION_ID=9.3: a RHEL 9 rebuild (same pam package); ID_LIKE names rhel',
  },
  'almalinux-8': {
    profile: 'rhel-8',
    why: 'ID=almalinux ID_LIKE="rhel centos fedora" VERSION_ID=8.10: a RHEL 8.10 rebuild, 8.6 or later so the nr_open backport of pam-1.3.1-16 is in (not rhel-8.5)',
  },
  'ol-7': {
    profile: 'rhel-7',
    why: 'ID=ol ID_LIKE="fedora" VERSION_ID=7.9: Oracle Linux 7 rebuilds RHEL 7 (pam 1.1.8); ID_LIKE does not name rhel, so ID=ol itself must be known',
  },
  'linuxmint-21': {
    profile: 'ubuntu-22.04',
    why: 'ID=linuxmint ID_LIKE="ubuntu debian" VERSION_ID=21.3 (Mint\'s own number) UBUNTU_CODENAME=jammy: only the Ubuntu codename says it is built on 22.04',
  },
  'opensuse-leap-15': {
    profile: 'sles-15',
    why: 'ID=opensuse-leap ID_LIKE="suse opensuse" VERSION_ID=15.6: Leap 15 is built from SUSE Linux Enterprise 15 sources (same pam package)',
  },
  gentoo: {
    profile: 'fallback',
    why: 'ID=gentoo, no ID_LIKE: no release profile fits; the fallback is used and a warning says so',
  },
};

export interface ReleaseTree {
  /** fixtures/releases/<rel> */
  readonly rel: string;
  readonly root: string;
  /** the profile name the tree is named after, or the derived tree's name */
  readonly name: string;
  readonly derived: boolean;
}

export function releaseTrees(): ReleaseTree[] {
  const dirs = (d: string) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return [
    ...dirs(RELEASES).filter((n) => n !== 'derived').map((name) => ({ rel: name, root: path.join(RELEASES, name), name, derived: false })),
    ...dirs(path.join(RELEASES, 'derived')).map((name) => ({ rel: `derived/${name}`, root: path.join(RELEASES, 'derived', name), name, derived: true })),
  ];
}

/**
 * The os-release fields of a tree, read the way os-release(5) describes (KEY=value, value in
 * double or single quotes or bare; `#` lines are comments), from etc/os-release (followed within
 * the tree when it is the relative link ../usr/lib/os-release), else usr/lib/os-release.
 */
export function osReleaseFields(root: string): Record<string, string> {
  const file = [path.join(root, 'etc/os-release'), path.join(root, 'usr/lib/os-release')].find((f) => existsSync(f));
  if (!file) throw new Error(`${root}: no os-release`);
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) {
      v = v.slice(1, -1);
      if (m[2]![0] === '"') v = v.replace(/\\([$"\\`])/g, '$1');
    }
    out[m[1]!] = v;
  }
  return out;
}
