/**
 * The built-in synthetic dataset ("synthetic"): generated in memory from a seed, no files.
 *
 * Structure (so that a sequence model clearly beats popularity, and popularity is not trivial):
 *  - item popularity is Zipf-skewed (weight 1/rank^1.0 over a random ranking of the items);
 *  - items belong to `clusters` taste clusters; each user has one taste (long-range dependence:
 *    the whole history tells which cluster the user likes);
 *  - every item has 4 likely successors (mostly in its own cluster, chosen by popularity), with
 *    probabilities 0.45/0.30/0.15/0.10: a sparse transition chain;
 *  - each next item: with probability pFollow a successor of the last item, else with pTaste an
 *    item of the user's cluster by popularity, else any item by popularity (noise).
 * Sequence lengths are log-normal around meanLen (sigma 0.5), at least 5.
 */
import { Rng } from "../util/rng.js";
import type { Dataset } from "./types.js";

export interface SyntheticOptions {
  readonly seed?: number;
  readonly users?: number;
  readonly items?: number;
  readonly meanLen?: number;
}

export const SYNTHETIC_DEFAULTS = { seed: 2020, users: 1000, items: 500, meanLen: 40 } as const;

const SUCCESSORS = 4;
const SUCCESSOR_P = [0.45, 0.3, 0.15, 0.1];
const P_FOLLOW = 0.55;
const P_TASTE = 0.25; // the remaining 0.20 is global-popularity noise
const MIN_LEN = 5;

/** Draws from a cumulative weight table (last entry = total) by binary search; returns the index. */
const draw = (rng: Rng, cum: Float64Array): number => {
  const x = rng.uniform() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

const cumulative = (weights: ArrayLike<number>): Float64Array => {
  const c = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) c[i] = s += weights[i]!;
  return c;
};

export const syntheticDataset = (opts: SyntheticOptions = {}): Dataset => {
  const seed = opts.seed ?? SYNTHETIC_DEFAULTS.seed;
  const numUsers = opts.users ?? SYNTHETIC_DEFAULTS.users;
  const numItems = opts.items ?? SYNTHETIC_DEFAULTS.items;
  const meanLen = opts.meanLen ?? SYNTHETIC_DEFAULTS.meanLen;
  if (!Number.isInteger(numUsers) || numUsers < 1) throw new Error(`synthetic: users must be a positive integer, got ${numUsers}`);
  if (!Number.isInteger(numItems) || numItems < SUCCESSORS + 1) throw new Error(`synthetic: items must be an integer >= ${SUCCESSORS + 1}, got ${numItems}`);
  if (!(meanLen >= MIN_LEN)) throw new Error(`synthetic: meanLen must be >= ${MIN_LEN}, got ${meanLen}`);
  const rng = new Rng(seed);
  const clusters = Math.max(2, Math.round(numItems / 50));

  // Items are 0-based here, 1-based in the output.
  const rankOf = Int32Array.from({ length: numItems }, (_, i) => i);
  rng.shuffle(rankOf);
  const pop = Float64Array.from(rankOf, (r) => 1 / (r + 1));
  const popCum = cumulative(pop);
  const cluster = Int32Array.from({ length: numItems }, () => rng.int(clusters));
  const members: number[][] = Array.from({ length: clusters }, () => []);
  for (let i = 0; i < numItems; i++) members[cluster[i]!]!.push(i);
  const clusterCum = members.map((m) => cumulative(m.map((i) => pop[i]!)));
  const fromCluster = (c: number): number => {
    const m = members[c]!;
    return m.length === 0 ? draw(rng, popCum) : m[draw(rng, clusterCum[c]!)]!;
  };

  const succ = new Int32Array(numItems * SUCCESSORS);
  for (let i = 0; i < numItems; i++) {
    for (let s = 0; s < SUCCESSORS; s++) {
      let j: number;
      let tries = 0;
      do {
        j = rng.uniform() < 0.7 ? fromCluster(cluster[i]!) : draw(rng, popCum);
        let dup = j === i;
        for (let t = 0; t < s && !dup; t++) if (succ[i * SUCCESSORS + t] === j) dup = true;
        if (!dup) break;
      } while (++tries < 100);
      succ[i * SUCCESSORS + s] = j;
    }
  }
  const succCum = cumulative(SUCCESSOR_P);

  const sequences: Int32Array[] = [];
  const userIds: string[] = [];
  for (let u = 0; u < numUsers; u++) {
    const taste = rng.int(clusters);
    const len = Math.max(MIN_LEN, Math.round(meanLen * Math.exp(0.5 * rng.normal() - 0.125)));
    const seq = new Int32Array(len);
    let last = fromCluster(taste);
    seq[0] = last + 1;
    for (let k = 1; k < len; k++) {
      const r = rng.uniform();
      if (r < P_FOLLOW) last = succ[last * SUCCESSORS + draw(rng, succCum)]!;
      else if (r < P_FOLLOW + P_TASTE) last = fromCluster(taste);
      else last = draw(rng, popCum);
      seq[k] = last + 1;
    }
    sequences.push(seq);
    userIds.push(String(u + 1));
  }
  const itemIds = [""];
  for (let i = 1; i <= numItems; i++) itemIds.push(String(i));
  return { name: "synthetic", numItems, sequences, userIds, itemIds, warnings: [] };
};
