/**
 * Benchmark of the shared full-ranking evaluator: 6,040 users over 3,416 items (ML-1M's shape),
 * a random scorer over a precomputed score matrix (so the evaluator is what is measured),
 * median of several runs, with and without exclude_seen.
 *   npx tsx bench/eval.ts [--json] [--runs N] [--users N] [--items N]
 */
import { evaluate } from "../src/eval/evaluate.js";
import type { EvalCase } from "../src/data/types.js";
import type { Scorer } from "../src/eval/types.js";
import type { Metric } from "../src/ir/spec.js";
import { Rng } from "../src/util/rng.js";
import { median } from "../src/util/median.js";

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const k = args.indexOf(name);
  return k >= 0 ? Number(args[k + 1]) : def;
};
const json = args.includes("--json");
const runs = flag("--runs", 5);
const users = flag("--users", 6040);
const numItems = flag("--items", 3416);
const histLen = 165; // ML-1M's average length

const rng = new Rng(1);
const width = numItems + 1;
const matrix = new Float32Array(users * width);
for (let k = 0; k < matrix.length; k++) matrix[k] = rng.uniform();
const cases: EvalCase[] = Array.from({ length: users }, (_, u) => {
  const input = Int32Array.from({ length: histLen }, () => 1 + rng.int(numItems));
  return { user: u, input, target: 1 + rng.int(numItems), history: input };
});
const metrics: Metric[] = [
  { name: "hr", k: 10 },
  { name: "ndcg", k: 10 },
  { name: "mrr", k: 10 },
  { name: "hr", k: 20 },
  { name: "ndcg", k: 20 },
];

/** Returns the next rows of the matrix (a copy, as a model would hand back a fresh array). */
const matrixScorer = (): Scorer => {
  let row = 0;
  return async (inputs) => {
    const out = matrix.slice(row * width, (row + inputs.length) * width);
    row += inputs.length;
    return out;
  };
};

const time = async (excludeSeen: boolean): Promise<{ median: number; runs: number[]; hr10: number }> => {
  const times: number[] = [];
  let hr10 = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = await evaluate(matrixScorer(), cases, { numItems, metrics, excludeSeen });
    times.push((performance.now() - t0) / 1000);
    hr10 = res.metrics["hr@10"]!;
  }
  return { median: median(times), runs: times, hr10 };
};

const plain = await time(false);
const excl = await time(true);
const result = {
  bench: "eval",
  users,
  items: numItems,
  runs,
  median_s: plain.median,
  median_exclude_seen_s: excl.median,
  runs_s: plain.runs,
  runs_exclude_seen_s: excl.runs,
  hr10_random: plain.hr10,
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`full-ranking evaluation: ${users} users x ${numItems} items, ${metrics.length} metrics, median of ${runs}`);
  console.log(`  exclude_seen false: ${plain.median.toFixed(3)} s  (runs ${plain.runs.map((t) => t.toFixed(3)).join(", ")})`);
  console.log(`  exclude_seen true:  ${excl.median.toFixed(3)} s  (runs ${excl.runs.map((t) => t.toFixed(3)).join(", ")})`);
  console.log(`  HR@10 of the random scorer: ${plain.hr10.toFixed(4)} (expected about ${(10 / numItems).toFixed(4)})`);
}
