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
