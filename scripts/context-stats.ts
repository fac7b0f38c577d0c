/**
 * `npx tsx scripts/context-stats.ts [DATA] [--max-len 200]`: how much history the training targets
 * see under `all_positions` for several `min_context` values, against RecBole's prefixes (every
 * target sees min(its history, max_len) items), and the tokens an epoch processes; then the padded
 * positions (rows x longest row) of a 2,048-target batch under `all_positions` and `last`, over three
 * epochs' batches, against the trainer's micro-batch limit. Used in docs/tuning.md and trainer.ts.
 */
import { applyFilters, leaveOneOut, loadDataset } from "../src/data/index.js";
import { epochBatches, makeRows } from "../src/runtime/batches.js";
import { MICRO_BATCH_POSITIONS } from "../src/runtime/trainer.js";
import { Rng } from "../src/util/rng.js";

const file = process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : "../shared/data/ml-1m/ml-1m.txt";
const i = process.argv.indexOf("--max-len");
const maxLen = i >= 0 ? Number(process.argv[i + 1]) : 200;
const split = leaveOneOut(applyFilters(loadDataset(file), { kCore: 5, minSeqLen: 3 }), maxLen);

let full = 0;
let targets = 0;
for (const s of split.train) for (let t = 1; t < s.length; t++, targets++) full += Math.min(t, maxLen);
console.log(`${file}: ${targets} training targets; RecBole prefixes: mean context ${(full / targets).toFixed(1)} items`);
for (const minContext of [0, 100, 150, maxLen - 1]) {
  const rows = makeRows(split.train, maxLen, "all_positions", minContext);
  let ctx = 0;
  let tokens = 0;
  let short = 0;
  for (let r = 0; r < rows.len.length; r++) {
    tokens += rows.len[r]!;
    for (let p = rows.from[r]!; p < rows.len[r]!; p++) {
      ctx += p + 1;
      if (p + 1 < Math.min(rows.start[r]! + p + 1, maxLen)) short++;
    }
  }
  console.log(`min_context ${String(minContext).padStart(3)}: mean context ${(ctx / rows.targets).toFixed(1)}, ` +
    `${((100 * short) / rows.targets).toFixed(1)}% of targets see less than RecBole's, tokens per epoch x${(tokens / rows.targets).toFixed(2)}`);
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
