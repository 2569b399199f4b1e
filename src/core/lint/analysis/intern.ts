/**
 * Interning of (parent, token) pairs of whole numbers as 1, 2, 3…: the tries of the per-item
 * analysis (item.ts: account signatures, class keys) name each path by the number of its last
 * node. A Map keyed by parent × tokens + token held a heap number per key once the product passed
 * 2^31, and a Map of its own per item analysis was grown from empty for every item of every tree:
 * on a repository of 1,000 small trees, that was about a sixth of what lint allocated. A table here
 * is two columns of 32-bit integers, open addressing, and is kept for the next analysis
 * ({@link takeIntern}, {@link giveIntern}) — emptied by a new generation number, not by clearing.
 *
 * Pure (module state is a pool of emptied tables only).
 */

/** The table's starting size (entries); it doubles when half full. */
const START_BITS = 10;

/** Interns (parent, token) pairs (each a whole number from 0 to 2^31 - 1) as 1, 2, 3…. */
export class PairIntern {
  /** how many pairs are interned (the last number given) */
  size = 0;
  private bits = START_BITS;
  private parents = new Int32Array(1 << START_BITS);
  private tokens = new Int32Array(1 << START_BITS);
  private ids = new Int32Array(1 << START_BITS);
  /** an entry is in the table when its generation is this one */
  private gens = new Int32Array(1 << START_BITS);
  private gen = 1;

  /** The number of (parent, token): the one given before, or size + 1 for a new pair. */
  id(parent: number, token: number): number {
    const shift = 32 - this.bits;
    const mask = (1 << this.bits) - 1;
    const gens = this.gens;
    const g = this.gen;
    let i = Math.imul(parent ^ Math.imul(token, 0x85ebca6b), 0x9e3779b1) >>> shift;
    while (gens[i] === g) {
      if (this.parents[i] === parent && this.tokens[i] === token) return this.ids[i]!;
      i = (i + 1) & mask;
    }
    const id = ++this.size;
    gens[i] = g;
    this.parents[i] = parent;
    this.tokens[i] = token;
    this.ids[i] = id;
    if (this.size * 2 > mask) this.grow();
    return id;
  }

  /** log2 of the table's size (entries) */
  get capacityBits(): number { return this.bits; }

  /** Forgets every pair (numbering starts again at 1); keeps the arrays. */
  reset(): void {
    this.size = 0;
    if (++this.gen === 0x7fffffff) {
      this.gens.fill(0);
      this.gen = 1;
    }
  }

  private grow(): void {
    const { parents, tokens, ids, gens, gen } = this;
    this.bits++;
    const size = 1 << this.bits;
    const shift = 32 - this.bits;
    const mask = size - 1;
    this.parents = new Int32Array(size);
    this.tokens = new Int32Array(size);
    this.ids = new Int32Array(size);
    this.gens = new Int32Array(size);
    this.gen = 1;
    for (let j = 0; j < gens.length; j++) {
      if (gens[j] !== gen) continue;
      const p = parents[j]!;
      const t = tokens[j]!;
      let i = Math.imul(p ^ Math.imul(t, 0x85ebca6b), 0x9e3779b1) >>> shift;
      while (this.gens[i] === 1) i = (i + 1) & mask;
      this.gens[i] = 1;
      this.parents[i] = p;
      this.tokens[i] = t;
      this.ids[i] = ids[j]!;
    }
  }
}

/** How many emptied tables are kept for the next analyses. */
const POOL_MAX = 4;
/** A table larger than this (2^18 entries, 4 MiB) is not kept: one huge tree's is not held after it. */
const KEEP_BITS_MAX = 18;
const pool: PairIntern[] = [];

/** An empty table: one kept from an earlier analysis, or a new one. */
export function takeIntern(): PairIntern {
  return pool.pop() ?? new PairIntern();
}

/** Hands a table back once its numbers are no longer asked for (it is emptied). */
export function giveIntern(t: PairIntern): void {
  t.reset();
  if (pool.length < POOL_MAX && t.capacityBits <= KEEP_BITS_MAX) pool.push(t);
}
