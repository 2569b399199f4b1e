/**
 * One seed for every randomised test. A run takes `LIMITSCTL_SEED=<n>` when it is set (to rerun a
 * failure), else a fresh seed; {@link testSeed} prints it at once as
 * `[seed] <label>: <n> (rerun with LIMITSCTL_SEED=<n>)`, and tests put {@link seedNote} in their
 * assertion messages so a failure names it too. Random numbers come from {@link rng} (mulberry32),
 * never from Math.random.
 */

/** The environment variable that fixes the seed of every randomised test. */
export const SEED_ENV = 'LIMITSCTL_SEED';

/**
 * The seed of a randomised test: `LIMITSCTL_SEED` (or an older per-test variable named by
 * `legacyEnv`) when set, otherwise a random 31-bit number. Printed once per call.
 * @throws Error when the variable is set but is not a non-negative integer
 */
export function testSeed(label: string, legacyEnv?: string): number {
  const raw = process.env[SEED_ENV] ?? (legacyEnv ? process.env[legacyEnv] : undefined);
  let seed: number;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw)) throw new Error(`${SEED_ENV}=${raw}: want a non-negative integer`);
    seed = Number(raw) % 2 ** 31;
  } else {
    seed = Math.floor(Math.random() * 2 ** 31); // the one unseeded draw: it picks the seed
  }
  console.log(`[seed] ${label}: ${seed} (rerun with ${SEED_ENV}=${seed})`);
  return seed;
}

/** "seed N (LIMITSCTL_SEED=N)", for assertion messages. */
export function seedNote(seed: number): string {
  return `seed ${seed} (${SEED_ENV}=${seed})`;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A generator of random JSON-like values drawn from `r`: numbers, strings with escapes, non-ASCII
 * and a surrogate pair, booleans, null, `undefined` (which JSON.stringify drops or writes as null),
 * arrays and objects nested up to four levels, keys that need escaping.
 */
export function randomJsonValues(r: () => number): { int: (n: number) => number; value: (depth: number) => unknown } {
  const int = (n: number) => Math.floor(r() * n);
  const leaf = (): unknown => [() => int(1000) - 500, () => r(), () => 'a\nb"\\é\u0001\ud83d\ude00', () => '', () => true, () => null, () => undefined][int(7)]!();
  const value = (depth: number): unknown => {
    if (depth > 3 || r() < 0.3) return leaf();
    if (r() < 0.5) return Array.from({ length: int(4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = int(4); i > 0; i--) o[`k${int(10)}\n"`] = value(depth + 1);
    return o;
  };
  return { int, value };
}
