/**
 * Which release profile a system runs, from its os-release (os-release(5)): pure functions over
 * the file's text. The patterns are the `os` column of the profile table (schema.ts PROFILE_ROWS);
 * docs/profiles.md describes the rules.
 */
import { FALLBACK_PROFILE, type OsPattern, type Profile, PROFILE_ALIASES, PROFILE_NAMES, type ProfileName, PROFILES, profileInfo, versionAtLeast } from './schema.js';
import { didYouMean } from './suggest.js';

/** The os-release fields detection reads (values unquoted; absent fields are absent). */
export interface OsReleaseFields {
  readonly ID?: string;
  readonly ID_LIKE?: string;
  readonly VERSION_ID?: string;
  readonly VERSION_CODENAME?: string;
  readonly UBUNTU_CODENAME?: string;
  /** LMDE and other Debian derivatives name their Debian release here */
  readonly DEBIAN_CODENAME?: string;
  readonly PRETTY_NAME?: string;
}

const KEPT = ['ID', 'ID_LIKE', 'VERSION_ID', 'VERSION_CODENAME', 'UBUNTU_CODENAME', 'DEBIAN_CODENAME', 'PRETTY_NAME'] as const;

/**
 * Parses os-release text: `KEY=value` lines, values unquoted the way os-release(5) allows
 * (double quotes with `\"`, `\\`, `` \` ``, `\$` escapes; single quotes; or bare). Comments, blank
 * and malformed lines are skipped; the last assignment of a key wins. Only the fields detection
 * uses are kept. Never throws.
 */
export function parseOsRelease(text: string): OsReleaseFields {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m || !(KEPT as readonly string[]).includes(m[1]!)) continue;
    out[m[1]!] = unquote(m[2]!);
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

/** What detection decided, and why. */
export interface ProfileDetection {
  readonly profile: Profile;
  /** one sentence for `files` and messages: the fields and the rule behind the choice */
  readonly reason: string;
  /** true when a pattern of the profile named this exact release; false for a nearest release or the fallback */
  readonly exact: boolean;
  /** the os-release fields read (empty when there was no usable os-release) */
  readonly osRelease: OsReleaseFields;
  /** set when the choice is a guess the user should confirm with --profile */
  readonly warning: string | null;
}

/** `9` matches `9`, `9.4`; `20.04` matches `20.04` only. */
function versionMatches(pattern: string, versionId: string): boolean {
  return versionId === pattern || versionId.startsWith(`${pattern}.`);
}

function patternMatches(p: OsPattern, fields: OsReleaseFields, viaLike: string | null): boolean {
  const versionId = fields.VERSION_ID ?? '';
  // A derivative's own VERSION_ID says nothing about its parent's (Linux Mint 21 is Ubuntu 22.04),
  // except for RHEL rebuilds, which keep RHEL's numbering: then the codename decides.
  const codename = p.id === 'ubuntu' ? fields.UBUNTU_CODENAME ?? (viaLike ? undefined : fields.VERSION_CODENAME)
    : p.id === 'debian' ? fields.DEBIAN_CODENAME ?? fields.VERSION_CODENAME : fields.VERSION_CODENAME;
  if (p.version === undefined && p.codename === undefined) return true;
  if (p.codename !== undefined && codename !== undefined && codename.toLowerCase() === p.codename) return true;
  if (p.version === undefined || versionId === '') return false;
  if (viaLike && p.codename !== undefined) return false;
  if (!versionMatches(p.version, versionId)) return false;
  return p.below === undefined || !versionAtLeast(withMinor(versionId), p.below);
}

/** `8` → `8.0` (a RHEL VERSION_ID without its minor release is read as the earliest). */
function withMinor(v: string): string {
  return v.includes('.') ? v : `${v}.0`;
}

/** The profiles with a pattern for `id`, ordered by the pattern's version (numerically). */
function familyOf(id: string): Array<{ profile: Profile; version: string }> {
  const out: Array<{ profile: Profile; version: string }> = [];
  for (const p of PROFILES) {
    for (const pat of p.os) if (pat.id === id && pat.version !== undefined && pat.below === undefined) out.push({ profile: p.name, version: pat.version });
  }
  return out.sort((a, b) => (versionAtLeast(a.version, b.version) ? (a.version === b.version ? 0 : 1) : -1));
}

function words(fields: OsReleaseFields): { id: string; like: string[] } {
  const id = (fields.ID ?? '').toLowerCase();
  const like = (fields.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return { id, like };
}

function describe(fields: OsReleaseFields): string {
  const parts = (['ID', 'ID_LIKE', 'VERSION_ID', 'VERSION_CODENAME', 'UBUNTU_CODENAME'] as const)
    .filter((k) => fields[k] !== undefined && fields[k] !== '')
    .map((k) => `${k}=${/\s/.test(fields[k]!) ? `"${fields[k]}"` : fields[k]}`);
  return parts.length ? parts.join(' ') : 'no ID';
}

/**
 * The profile for a system with these os-release fields:
 * 1. a pattern whose `id` is ID (version, minor range or codename as the pattern says);
 * 2. else, when ID names a family in the table but not this release (RHEL without VERSION_ID,
 *    Ubuntu 22.10), the family's latest release not above VERSION_ID (its newest without one, its
 *    oldest when all are above), with a warning;
 * 3. else a pattern whose `id` is a word of ID_LIKE, in ID_LIKE's order (a derivative: Rocky,
 *    AlmaLinux and Oracle Linux by VERSION_ID, Ubuntu derivatives by UBUNTU_CODENAME, Debian
 *    derivatives by VERSION_CODENAME), then the nearest release of an ID_LIKE family, with a warning;
 * 4. else FALLBACK_PROFILE, with a warning.
 * Pure; never throws.
 */
export function profileForOsRelease(fields: OsReleaseFields): ProfileDetection {
  const { id, like } = words(fields);
  const seen = describe(fields);
  const found = (profile: Profile, how: string): ProfileDetection => ({
    profile, exact: true, osRelease: fields, warning: null,
    reason: `os-release ${seen}: ${how}${profileInfo(profile).title} (${profileInfo(profile).package})`,
  });
  if (id) {
    for (const p of PROFILES) {
      const pat = p.os.find((x) => x.id === id && patternMatches(x, fields, null));
      if (!pat) continue;
      if (pat.below !== undefined && !(fields.VERSION_ID ?? '').includes('.')) {
        // CentOS Linux 8 and CentOS Stream 8 say only "8": the minor release decides the traits
        const hit = found(p.name, '');
        return {
          ...hit, exact: false,
          reason: `${hit.reason}; VERSION_ID ${fields.VERSION_ID} has no minor release, so the stricter ${pat.version}.0–${pat.below} traits are assumed`,
          warning: `VERSION_ID ${fields.VERSION_ID} has no minor release: read as ${p.name} (${p.title}, the stricter); give --profile for a later minor release (CentOS Stream ${pat.version} ships the newer pam)`,
        };
      }
      return found(p.name, '');
    }
  }
  // a release of a family the table knows, but not this release: the nearest of that family (an
  // ID_LIKE word must not win: RHEL without VERSION_ID is not Fedora)
  const nearestFamily = id && familyOf(id).length > 0 ? [id] : [];
  if (nearestFamily.length === 0) {
    for (const word of like) {
      for (const p of PROFILES) {
        if (p.os.some((pat) => pat.id === word && patternMatches(pat, fields, word))) return found(p.name, `a derivative of `);
      }
    }
  }
  for (const family of nearestFamily.length ? nearestFamily : [id, ...like].filter(Boolean)) {
    const members = familyOf(family);
    if (members.length === 0) continue;
    const v = family === id ? fields.VERSION_ID ?? '' : '';
    const below = /^\d+(\.\d+)*$/.test(v) ? members.filter((m) => versionAtLeast(v, m.version)) : [];
    const pick = below.length ? below[below.length - 1]! : v === '' ? members[members.length - 1]! : members[0]!;
    const info = profileInfo(pick.profile);
    // an ID_LIKE family: the derivative's own VERSION_ID says nothing about the parent's release
    const which = family === id
      ? `${family} ${fields.VERSION_ID ?? fields.VERSION_CODENAME ?? '(no version)'} is not a release limitsctl has a profile for`
      : `${id || 'this system'} ${fields.VERSION_ID ?? ''}`.trimEnd() + ` is like ${family}, but names no ${family} release limitsctl knows (its codename or version)`;
    return {
      profile: pick.profile, exact: false, osRelease: fields,
      reason: `os-release ${seen}: ${family === id ? `this ${family} release is not in the profile table` : `a derivative of ${family} whose ${family} release is unknown`}; using ${v === '' ? 'the newest' : 'the nearest'}, ${info.title} (${info.package})`,
      warning: `${which}: read as ${pick.profile} — give --profile to choose another`,
    };
  }
  const fb = profileInfo(FALLBACK_PROFILE);
  return {
    profile: FALLBACK_PROFILE, exact: false, osRelease: fields,
    reason: `os-release ${seen}: no release in the profile table matches; assuming ${fb.title}`,
    warning: `os-release ${seen} names no release limitsctl has a profile for: read as ${FALLBACK_PROFILE} — give --profile to choose`,
  };
}

/**
 * The profile a mistyped name most likely means, or null: a case or dash slip (`RHEL-7`,
 * `rhel7`), a release by its os-release numbers (`rhel-9.4` → rhel-9, `centos-8` → rhel-8.5,
 * `fedora-44` → fedora, through profileForOsRelease), a plain build by version (`linux-pam-1.5.1`
 * → linux-pam-1.4, the latest not above it), a prefix, else the nearest name by edit distance.
 * Never suggests a release with other traits just because its name is close. Pure.
 */
export function suggestProfile(name: string): ProfileName | null {
  const lower = name.toLowerCase().trim();
  if (lower.length > 64) return null; // no profile name is near that long; keeps a hostile value linear
  const names: readonly ProfileName[] = [...PROFILE_NAMES, ...(Object.keys(PROFILE_ALIASES) as ProfileName[])];
  const undashed = (s: string) => s.replace(/[-_. ]/g, '');
  const direct = names.find((n) => n === lower) ?? names.find((n) => undashed(n) === undashed(lower));
  if (direct) return direct;
  const pam = /^(?:linux-?pam|pam)-?(\d+(?:\.\d+){0,2})$/.exec(lower);
  if (pam) {
    const plain = PROFILES.filter((p) => p.name.startsWith('linux-pam-'));
    const below = plain.filter((p) => versionAtLeast(pam[1]!, p.pamVersion));
    return (below.length ? below[below.length - 1]! : plain[0]!).name;
  }
  const rel = /^([a-z][a-z-]*?)-?(\d+(?:\.\d+)*)$/.exec(lower);
  if (rel) {
    const d = profileForOsRelease({ ID: rel[1]!, VERSION_ID: rel[2]! });
    if (d.exact || d.profile !== FALLBACK_PROFILE) return d.profile;
  }
  return names.find((n) => lower.length >= 3 && n.startsWith(lower)) ?? (didYouMean(lower, names) as ProfileName | null);
}
