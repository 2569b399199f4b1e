/** A ConfigTree from texts: the first is limits.conf, the rest limits.d/1.conf, 2.conf… (read as `profile`). */
import type { ConfigTree } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { canonicalProfile, type ProfileName } from '../../src/core/schema.js';

export function treeOf(profile: ProfileName, ...files: string[]): ConfigTree {
  const p = canonicalProfile(profile);
  return {
    profile: p,
    ignored: [],
    failure: null,
    files: files.map((text, i) => ({
      path: i === 0 ? 'etc/security/limits.conf' : `etc/security/limits.d/${i}.conf`,
      role: i === 0 ? 'main' : 'dropin',
      status: 'ok',
      doc: parseLimits(Buffer.from(text), { profile: p, file: `f${i}` }),
    })),
  };
}
