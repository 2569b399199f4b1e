/**
 * `limitsctl files --root T` names the profile it detected and the os-release fields behind it,
 * for a tree of each release (fixtures/releases: the releases' own os-release texts) and for the
 * derived trees (test/release-trees.ts says what each must map to and why).
 * JSON: the profile's name, and its reason and os-release fields (`osRelease` keyed by field name:
 * ID, ID_LIKE, VERSION_ID, … as the file gives them, unquoted) in `profileSource`.
 */
import { describe, expect, it } from 'vitest';
import { FALLBACK_PROFILE } from '../../src/core/schema.js';
import { DERIVED, osReleaseFields, releaseTrees } from '../release-trees.js';
import { runMain } from './helpers.js';

const words = (v: unknown) => (Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : '');

interface Source {
  name?: string;
  reason: string;
  osRelease: Record<string, unknown>;
  warning?: string | null;
}

describe('files --root <release tree>', () => {
  for (const t of releaseTrees()) {
    const want = t.derived ? DERIVED[t.name]!.profile : t.name;
    const expected = want === 'fallback' ? FALLBACK_PROFILE : want;
    const os = osReleaseFields(t.root);

    it(`${t.rel}: --json names ${expected} and ID=${os.ID} VERSION_ID=${os.VERSION_ID ?? '(none)'}`, async () => {
      const r = await runMain(['files', '--root', t.root, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { profile: string | Source; profileSource?: Source };
      // `profile` is the name with the why in `profileSource`, or one object holding both
      const name = typeof j.profile === 'string' ? j.profile : j.profile.name;
      const src = j.profileSource ?? (j.profile as Source);
      expect(src, r.stdout.slice(0, 600)).toBeTypeOf('object');
      expect(name, r.stdout.slice(0, 600)).toBe(expected);
      expect(src.reason, r.stdout.slice(0, 600)).toContain(os.ID);
      expect(src.osRelease, r.stdout.slice(0, 600)).toBeDefined();
      for (const k of ['ID', 'ID_LIKE', 'VERSION_ID']) expect(words(src.osRelease[k]) || undefined, `osRelease.${k}`).toBe(os[k]);
      if (want === 'fallback') expect(src.warning ?? '').toContain(os.ID);
      else if (!t.derived) expect(src.warning ?? null).toBeNull();
      if (want === 'fallback') expect(r.stderr).toContain(os.ID);
    });

    it(`${t.rel}: text output names ${expected} and the os-release ID${os.VERSION_ID ? ' and VERSION_ID' : ''}`, async () => {
      const r = await runMain(['files', '--root', t.root]);
      expect(r.code, r.stderr).toBe(0);
      // the root's path holds the tree's name: leave it out, so only what the command says counts
      const said = r.stdout.split(t.root).join('<root>');
      const field = (k: string, v: string) => new RegExp(`\\b${k}=["']?${v.replace(/\./g, '\\.')}\\b`);
      expect(said).toContain(expected);
      expect(said).toMatch(field('ID', os.ID!));
      if (os.VERSION_ID) expect(said).toMatch(field('VERSION_ID', os.VERSION_ID));
    });
  }
});
