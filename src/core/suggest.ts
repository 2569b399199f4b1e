/** did-you-mean by Damerau-Levenshtein distance (small inputs only). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a distance that still looks like a typo, or null. */
export function didYouMean(input: string, candidates: readonly string[]): string | null {
  if (input === '') return null;
  let best: string | null = null;
  let bestD = Infinity;
  const limit = input.length <= 4 ? 1 : 2;
  const lower = input.toLowerCase();
  for (const c of candidates) {
    // the distance is at least the difference in length: skip what cannot be within the limit
    // (and a megabyte-long input costs no table of its length times each candidate's)
    if (Math.abs(lower.length - c.length) > limit) continue;
    const dist = editDistance(lower, c);
    if (dist < bestD) { bestD = dist; best = c; }
  }
  return bestD <= limit ? best : null;
}

/** Candidates' deletion variants an index keeps at most (memory stays in the tens of MB). */
const MAX_INDEXED_VARIANTS = 2_000_000;
/** Candidates longer than this are not indexed (their variants are many) but compared directly. */
const MAX_INDEXED_LENGTH = 32;
/** Direct comparisons (with unindexed candidates) one suggester makes at most. */
const MAX_DIRECT_COMPARISONS = 2_000_000;
/** Index hits one suggester looks at at most (each distance computed counts 10). */
const MAX_WORK = 20_000_000;

/**
 * editDistance(a, b) when it is at most `limit`, else some number above `limit`: the same
 * Damerau (optimal string alignment) table, a row at a time, stopping once a row exceeds it.
 */
export function distanceWithin(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2 = new Int32Array(b.length + 1);
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // a later cell comes from this row or (a transposition, +1) from the row before, and no
    // step lowers a value: once both rows exceed the limit, the distance does too
    if (rowMin > limit && prevMin > limit) return limit + 1;
    prevMin = rowMin;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length]!;
}

/** `s` with up to `k` characters deleted, each variant once. */
function deletions(s: string, k: number): Set<string> {
  const out = new Set<string>([s]);
  let layer = [s];
  for (let d = 0; d < k; d++) {
    const next: string[] = [];
    for (const v of layer) {
      for (let i = 0; i < v.length; i++) {
        const w = v.slice(0, i) + v.slice(i + 1);
        if (!out.has(w)) { out.add(w); next.push(w); }
      }
    }
    layer = next;
  }
  return out;
}

/**
 * `didYouMean` for many inputs against one candidate list, without comparing every input with
 * every candidate (quadratic for a file of thousands of unknown names against an etc/passwd of
 * thousands of users). Candidates are indexed by their variants with up to two characters
 * deleted: a candidate within edit distance 2 of the input shares such a variant with it, so a
 * lookup compares with those few candidates only, and gives didYouMean's answer (the first
 * candidate at the smallest distance). Candidates longer than 32 characters, or past an index of
 * 2,000,000 variants, are compared directly, up to 2,000,000 comparisons in all; index hits and
 * distances computed share a budget of 20,000,000 steps. Past either bound no more is suggested
 * (a hostile file gets there, not a real one). Answers are remembered per input.
 */
export function suggester(candidates: readonly string[]): (input: string) => string | null {
  // the index is made at the first lookup: most lint runs meet no unknown name, and then the
  // variants of every account name (hundreds of strings per name) would be made for nothing
  let index: Map<string, number[]> | undefined;
  const direct: number[] = [];
  const indexed = (): Map<string, number[]> => {
    const made = new Map<string, number[]>();
    let variants = 0;
    candidates.forEach((c, i) => {
      if (c.length > MAX_INDEXED_LENGTH || variants >= MAX_INDEXED_VARIANTS) { direct.push(i); return; }
      for (const v of deletions(c, 2)) {
        const list = made.get(v);
        if (list) list.push(i); else made.set(v, [i]);
        variants++;
      }
    });
    return made;
  };
  let directLeft = MAX_DIRECT_COMPARISONS;
  let workLeft = MAX_WORK;
  const memo = new Map<string, string | null>();
  return (input: string): string | null => {
    if (input === '') return null;
    const known = memo.get(input);
    if (known !== undefined || memo.has(input)) return known ?? null;
    index ??= indexed();
    const limit = input.length <= 4 ? 1 : 2;
    const lower = input.toLowerCase();
    const found = new Set<number>();
    if (lower.length <= MAX_INDEXED_LENGTH + limit) {
      for (const v of deletions(lower, limit)) {
        const hits = index.get(v);
        if (!hits) continue;
        workLeft -= hits.length;
        if (workLeft <= 0) break;
        for (const i of hits) found.add(i);
      }
    }
    for (const i of direct) {
      if (directLeft <= 0) break;
      directLeft--;
      if (Math.abs(lower.length - candidates[i]!.length) <= limit) found.add(i);
    }
    let best: string | null = null;
    let bestD = Infinity;
    const near = [...found].filter((i) => Math.abs(lower.length - candidates[i]!.length) <= limit).sort((a, b) => a - b);
    for (const i of near) {
      if (workLeft <= 0) break;
      workLeft -= 10;
      const c = candidates[i]!;
      const dist = distanceWithin(lower, c, limit);
      if (dist < bestD) { bestD = dist; best = c; }
    }
    const answer = bestD <= limit ? best : null;
    memo.set(input, answer);
    return answer;
  };
}
