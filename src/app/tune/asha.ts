/**
 * Successive halving, rung by rung (pure). Every trial trains for the first rung's epochs; at each
 * rung the top 1/reduction of the trials that reached it (by the best validation value so far,
 * higher is better) continue to the next rung's epochs, and the rest are stopped. Rung by rung, not
 * asynchronously, so that the same trials always give the same promotions, whatever order the runs
 * finish in.
 */
import type { TuneAlgorithm } from "../../ir/spec.js";

export type Asha = Extract<TuneAlgorithm, { kind: "asha" }>;

/** The rungs' epochs: minEpochs * reduction^k while below maxEpochs, then maxEpochs (1, 3, 9 for 1, 9, 3; 1, 3, 9, 10 for 1, 10, 3). */
export const rungEpochs = (a: Asha): number[] => {
  const out: number[] = [];
  for (let e = a.minEpochs; e < a.maxEpochs; e *= a.reduction) out.push(e);
  return [...out, a.maxEpochs];
};

/** How many of `n` trials at a rung continue: the top 1/reduction, rounded down, and at least one. */
export const promotedCount = (n: number, reduction: number): number => (n === 0 ? 0 : Math.max(1, Math.floor(n / reduction)));

/** A trial's standing at a rung: its best validation value so far (NaN when its run failed). */
export interface RungEntry {
  readonly id: string;
  readonly value: number;
}

/**
 * The trials that continue from a rung, in the rung's order: the `promotedCount` best by value,
 * ties going to the earlier trial; a trial without a value (NaN) never continues.
 */
export const promote = (entries: readonly RungEntry[], reduction: number): string[] => {
  const ranked = entries.map((e, i) => ({ ...e, i })).filter((e) => !Number.isNaN(e.value)).sort((a, b) => b.value - a.value || a.i - b.i);
  const keep = new Set(ranked.slice(0, promotedCount(entries.length, reduction)).map((e) => e.id));
  return entries.filter((e) => keep.has(e.id)).map((e) => e.id);
};

/** Trials at each rung when every promotion keeps promotedCount of them (9, 3, 1 for 9 trials and reduction 3). */
export const rungSizes = (trials: number, a: Asha): number[] =>
  rungEpochs(a).reduce<number[]>((sizes, _, k) => [...sizes, k === 0 ? trials : promotedCount(sizes[k - 1]!, a.reduction)], []);

/** Epochs the whole schedule trains, summed over trials: each rung's trials train from the previous rung's epochs to its own. */
export const plannedEpochs = (trials: number, a: Asha): number => {
  const epochs = rungEpochs(a);
  return rungSizes(trials, a).reduce((sum, n, k) => sum + n * (epochs[k]! - (k === 0 ? 0 : epochs[k - 1]!)), 0);
};
