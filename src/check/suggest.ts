/** "Did you mean" by edit distance (Levenshtein, with a transposition costing one). */
export const editDistance = (a: string, b: string): number => {
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64;
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
};

/** The closest candidate within a third of the name's length (at least 1, at most 3 edits), or undefined. */
export const closest = (name: string, candidates: Iterable<string>): string | undefined => {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestD || (dist === bestD && best !== undefined && c < best)) { best = c; bestD = dist; }
  }
  return bestD <= limit ? best : undefined;
};

/** A hint: "did you mean 'x'?", else the list of valid names (when short). */
export const didYouMean = (name: string, candidates: readonly string[]): string | undefined => {
  const c = closest(name, candidates);
  if (c !== undefined) return `did you mean '${c}'?`;
  if (candidates.length > 0 && candidates.length <= 12) return `expected one of: ${[...candidates].sort().join(", ")}`;
  return undefined;
};
