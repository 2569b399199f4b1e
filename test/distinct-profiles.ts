/**
 * One profile per distinct behaviour: profiles whose traits and known items are the same read
 * every tree alike, so tests that sweep "every profile" over large inputs take the first of each
 * (16 of the 30 rows today; a new release with a new combination is picked up by itself).
 */
import { ITEMS, type Profile, PROFILES } from '../src/core/schema.js';

export const DISTINCT_PROFILES: readonly Profile[] = (() => {
  const seen = new Map<string, Profile>();
  for (const p of PROFILES) {
    const key = JSON.stringify([p.traits, ITEMS.filter((i) => i.profiles.includes(p.name)).map((i) => i.name)]);
    if (!seen.has(key)) seen.set(key, p.name);
  }
  return [...seen.values()];
})();
