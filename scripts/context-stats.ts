/**
 * `npx tsx scripts/context-stats.ts [DATA] [--max-len 200]`: how much history the training targets
 * see under `all_positions` for several `min_context` values, against RecBole's prefixes (every
 * target sees min(its history, max_len) items), and the tokens an epoch processes; then the padded
 * positions (rows x longest row) of a 2,048-target batch under `all_positions` and `last`, over three
 * epochs' batches, against the trainer's micro-batch limit. Used in docs/tuning.md and trainer.ts.
 * (`reccompile data PATH --spec FILE` prints the first figures for one spec's settings.)
 */
import { applyFilters, leaveOneOut, loadDataset } from "../src/data/index.js";
import { epochBatches, epochStats, makeRows } from "../src/runtime/batches.js";
import { MICRO_BATCH_POSITIONS } from "../src/runtime/trainer.js";
import { Rng } from "../src/util/rng.js";

const file = process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : "../shared/data/ml-1m/ml-1m.txt";
const i = process.argv.indexOf("--max-len");
const maxLen = i >= 0 ? Number(process.argv[i + 1]) : 200;
const split = leaveOneOut(applyFilters(loadDataset(file), { kCore: 5, minSeqLen: 3 }), maxLen);

const sweep = [0, 100, 150, maxLen - 1].map((minContext) => epochStats(split.train, maxLen, { targets: "all_positions", minContext, batch: 2048 }));
console.log(`${file}: ${sweep[0]!.trainTargets} training targets; RecBole prefixes: mean context ${sweep[0]!.prefixMeanContext.toFixed(1)} items`);
for (const e of sweep) {
  console.log(`min_context ${String(e.minContext).padStart(3)}: mean context ${e.meanContext.toFixed(1)}, ` +
    `${(100 * e.shortShare).toFixed(1)}% of targets see less than RecBole's, tokens per epoch x${(e.positions / e.trainTargets).toFixed(2)}`);
}
for (const mode of ["all_positions", "last"] as const) {
  const rows = makeRows(split.train, maxLen, mode);
  const rng = new Rng(2020);
  let sum = 0, max = 0, n = 0, over = 0;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const b of epochBatches(rows, 2048, rng)) {
      let longest = 0;
      for (const r of b) longest = Math.max(longest, rows.len[r]!);
      const positions = longest * b.length;
      sum += positions;
      max = Math.max(max, positions);
      n++;
      if (positions > MICRO_BATCH_POSITIONS) over++;
    }
  }
  console.log(`${mode}: padded positions per 2,048-target batch, mean ${Math.round(sum / n)}, max ${max}; ` +
    `${over} of ${n} batches over the micro-batch limit (${MICRO_BATCH_POSITIONS})`);
}
