/**
 * `--profile auto` on real os-release texts: fixtures/releases holds one tree per release profile
 * with that release's own os-release (sources and sha256 in fixtures/releases/SOURCES.tsv), and
 * derived trees (Rocky, AlmaLinux, Oracle Linux, Linux Mint, openSUSE Leap, Gentoo) whose
 * expected profile and reason are in test/release-trees.ts. detectProfile(root) must pick the
 * profile each tree is named after (or the DERIVED one) and report the os-release fields it used
 * (`osRelease`, keyed by os-release field name, unquoted; a field the file lacks is absent).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FALLBACK_PROFILE, PROFILE_NAMES } from '../../src/core/schema.js';
import { detectProfile } from '../../src/io/system.js';
import { DERIVED, osReleaseFields, RELEASES, releaseTrees } from '../release-trees.js';

const trees = releaseTrees();
/** Release profiles with no tree: no public copy of their os-release text could be found. */
const NO_TREE: Readonly<Record<string, string>> = {
  'fedora-43': 'no public os-release text of Fedora 43 was found (detection by VERSION_ID=43 is pinned in test/core/profiles.test.ts)',
  fedora: 'no public os-release text of Fedora 44 was found (detection by VERSION_ID=44 is pinned in test/core/profiles.test.ts)',
};
const releaseProfiles = PROFILE_NAMES.filter((p) => !p.startsWith('linux-pam-') && !(p in NO_TREE));

describe('the release fixture trees', () => {
  it('there is a tree for every release profile, and every tree is a profile or in the DERIVED table', () => {
    const names = trees.filter((t) => !t.derived).map((t) => t.name);
    expect(names.sort()).toEqual([...releaseProfiles].sort());
    expect(trees.filter((t) => t.derived).map((t) => t.name).sort()).toEqual(Object.keys(DERIVED).sort());
  });

  it('every os-release file is listed in SOURCES.tsv with the sha256 of its bytes (the texts are not edited)', () => {
    const rows = readFileSync(path.join(RELEASES, 'SOURCES.tsv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    for (const r of rows) expect(r, r.join(' | ')).toHaveLength(4);
    for (const t of trees) {
      const etc = path.join(t.root, 'etc/os-release');
      const files = lstatSync(etc).isSymbolicLink() ? ['usr/lib/os-release'] : ['etc/os-release'];
      if (lstatSync(etc).isSymbolicLink()) expect(readlinkSync(etc), t.rel).toBe('../usr/lib/os-release');
      for (const f of files) {
        const row = rows.find((r) => r[0] === t.rel && r[1] === f);
        expect(row, `${t.rel}/${f} in SOURCES.tsv`).toBeDefined();
        const sha = createHash('sha256').update(readFileSync(path.join(t.root, f))).digest('hex');
        expect(sha, `${t.rel}/${f}`).toBe(row![3]);
      }
    }
  });
});

describe('detectProfile(root) on each release tree', () => {
  for (const t of trees) {
    const expected = t.derived ? DERIVED[t.name]!.profile : t.name;
    const label = t.derived ? `${t.rel} -> ${expected} (${DERIVED[t.name]!.why})` : `${t.rel}`;
    it(label, () => {
      const os = osReleaseFields(t.root);
      const d = detectProfile(t.root) as ReturnType<typeof detectProfile> & {
        osRelease?: Record<string, string | undefined>;
      };
      const seen = `profile=${d.profile} reason=${d.reason} warning=${d.warning}`;
      // soft: one run shows every way a tree is misread
      if (expected === 'fallback') {
        expect.soft(d.profile, seen).toBe(FALLBACK_PROFILE);
        expect.soft(d.warning, seen).not.toBeNull();
        expect.soft(d.warning ?? '', seen).toContain(os.ID);
      } else {
        expect.soft(d.profile, seen).toBe(expected);
        if (!t.derived) expect.soft(d.warning, seen).toBeNull();
      }
      // the reason names the os-release ID it went by
      expect.soft(d.reason, seen).toContain(os.ID);
      // the os-release fields behind the choice
      expect(d.osRelease, `${seen}: no osRelease in the result`).toBeDefined();
      for (const k of ['ID', 'ID_LIKE', 'VERSION_ID']) expect.soft(d.osRelease![k], `${seen}: osRelease.${k}`).toBe(os[k]);
    });
  }
});
