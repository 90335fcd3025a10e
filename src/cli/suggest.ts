/**
 * "Did you mean" for a mistyped command, flag or tool name: the closest candidate by edit distance
 * (Damerau–Levenshtein with adjacent transpositions, so `ecoh` → `echo`), when it is close enough to be a typo.
 */

/** The edit distance between `a` and `b` (insertions, deletions, substitutions and adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input` (case-insensitive), or `undefined` when none is within a third of the input's
 * length (at least 1, at most 3 edits), or a prefix relation for inputs of 3+ characters (`stat` → `status`).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const wanted = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const distance = wanted.length >= 3 && c.startsWith(wanted) ? 1 : editDistance(wanted, c);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean X?)` for a close candidate, else the empty string. */
export function didYouMean(input: string, candidates: readonly string[], show = (s: string) => s): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : ` (did you mean ${show(match)}?)`;
}
