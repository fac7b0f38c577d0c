/**
 * The ranking metrics of one case, from the target's rank (1 = best), as DESIGN.md defines them:
 * HR@K = [rank <= K]; NDCG@K = 1/log2(rank+1) if rank <= K else 0; MRR@K = 1/rank if rank <= K
 * else 0; Recall@K = HR@K (one target per case). Averages are over all evaluated cases.
 */
import type { Metric } from "../ir/spec.js";
import { metricKey } from "../ir/spec.js";
import { pairedTTest, wilcoxonSignedRank } from "./significance.js";
import type { MetricValues } from "./types.js";

export const metricValue = (m: Metric, rank: number): number => {
  if (!(rank >= 1)) throw new Error(`rank must be >= 1, got ${rank}`);
  if (rank > m.k) return 0;
  switch (m.name) {
    case "hr":
    case "recall":
      return 1;
    case "ndcg":
      return 1 / Math.log2(rank + 1);
    case "mrr":
      return 1 / rank;
  }
};

/** Per-case values of one metric (for paired significance tests between two runs). */
export const perCase = (m: Metric, ranks: Int32Array): Float64Array => {
  const out = new Float64Array(ranks.length);
  for (let k = 0; k < ranks.length; k++) out[k] = metricValue(m, ranks[k]!);
  return out;
};

/** One metric of two runs over the same cases (ranks in the same case order), with paired tests. */
export interface RankComparison {
  readonly n: number;
  /** Means of the metric over the cases. */
  readonly a: number;
  readonly b: number;
  /** Two-sided p-values of a paired t-test and of a Wilcoxon signed-rank test on the per-case values. */
  readonly pT: number;
  readonly pWilcoxon: number;
}

/** Compares `a` against `b` on metric `m`; the two must rank the same cases, in the same order. */
export const compareRanks = (m: Metric, a: ArrayLike<number>, b: ArrayLike<number>): RankComparison => {
  const va = perCase(m, Int32Array.from(a));
  const vb = perCase(m, Int32Array.from(b));
  const mean = (v: Float64Array): number => (v.length === 0 ? NaN : v.reduce((s, x) => s + x, 0) / v.length);
  return { n: va.length, a: mean(va), b: mean(vb), pT: pairedTTest(va, vb).p, pWilcoxon: wilcoxonSignedRank(va, vb).p };
};

/** A metric of a run against a base run: both values, the change, and paired tests over the cases. */
export interface PairedChange {
  readonly value: number;
  readonly base: number;
  readonly delta: number;
  /** delta / base; NaN when the base is 0. */
  readonly relDelta: number;
  /** Two-sided p-values of a paired t-test and a Wilcoxon signed-rank test (NaN without per-case ranks). */
  readonly pT: number;
  readonly pWilcoxon: number;
  /** Cases the tests ran over (0 without them). */
  readonly n: number;
}

/** The change from `base` to `value`, with the tests of `tests` (a `compareRanks` result) when there are ranks. */
export const pairedChange = (value: number, base: number, tests: Pick<RankComparison, "pT" | "pWilcoxon" | "n"> | null): PairedChange => {
  const delta = value - base;
  return { value, base, delta, relDelta: base === 0 ? NaN : delta / base, pT: tests?.pT ?? NaN, pWilcoxon: tests?.pWilcoxon ?? NaN, n: tests?.n ?? 0 };
};

/** Means of each metric over the ranks; an empty list gives 0 for every metric. */
export const summarize = (metrics: readonly Metric[], ranks: Int32Array): MetricValues => {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    let sum = 0;
    for (let k = 0; k < ranks.length; k++) sum += metricValue(m, ranks[k]!);
    out[metricKey(m)] = ranks.length === 0 ? 0 : sum / ranks.length;
  }
  return out;
};

/** "hr@10" -> { name: "hr", k: 10 }; null when not a metric. */
export const parseMetric = (s: string): Metric | null => {
  const m = /^(hr|ndcg|mrr|recall)@([1-9]\d*)$/.exec(s.trim().toLowerCase());
  return m === null ? null : { name: m[1] as Metric["name"], k: Number(m[2]) };
};
