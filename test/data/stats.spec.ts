/** Dataset, split and epoch statistics (`reccompile data`), on hand-sized data worked out on paper. */
import { strict as assert } from "node:assert";
import { leaveOneOut } from "../../src/data/split.js";
import { datasetStats, distribution, gini, splitStats } from "../../src/data/stats.js";
import type { Dataset } from "../../src/data/types.js";
import { epochBatches, epochStats, makeRows } from "../../src/runtime/batches.js";
import { Rng } from "../../src/util/rng.js";

const dataset = (sequences: number[][], numItems: number): Dataset => ({
  name: "t", numItems, sequences: sequences.map((s) => Int32Array.from(s)),
  userIds: sequences.map((_, u) => String(u)), itemIds: ["", ...Array.from({ length: numItems }, (_, i) => String(i + 1))], warnings: [],
});

describe("data statistics", () => {
  it("distribution: nearest-rank median and 90th percentile, mean, extremes", () => {
    assert.deepEqual(distribution([4, 1, 2]), { min: 1, median: 2, mean: 7 / 3, p90: 4, max: 4 });
    assert.deepEqual(distribution(Array.from({ length: 10 }, (_, i) => 10 - i)), { min: 1, median: 5, mean: 5.5, p90: 9, max: 10 });
    assert.deepEqual(distribution([]), { min: 0, median: 0, mean: 0, p90: 0, max: 0 });
  });

  it("gini: 0 for equal counts, (n - 1) / n when one item holds everything", () => {
    assert.equal(gini([5, 5, 5, 5]), 0);
    assert.equal(gini([0, 0, 0, 1]), 0.75);
    assert.ok(Math.abs(gini([2, 3, 2]) - (30 / 21 - 4 / 3)) < 1e-12);
    assert.equal(gini([]), 0);
  });

  it("datasetStats counts sizes, popularity and the items users come back to", () => {
    const s = datasetStats(dataset([[1, 2, 1, 3], [2, 2], [3]], 3));
    assert.equal(s.users, 3);
    assert.equal(s.items, 3);
    assert.equal(s.interactions, 7);
    assert.equal(s.density, 7 / 9);
    assert.deepEqual(s.length, { min: 1, median: 2, mean: 7 / 3, p90: 4, max: 4 });
    assert.deepEqual(s.itemCount, { min: 2, median: 2, mean: 7 / 3, p90: 3, max: 3 });
    assert.equal(s.top1PctShare, 3 / 7); // at least one item: item 2's 3 of 7
    assert.equal(s.repeats, 2);
    assert.equal(s.usersWithRepeats, 2);
    // The same item in two users' histories is not a repeat.
    assert.equal(datasetStats(dataset([[1, 2], [2, 1]], 2)).repeats, 0);
  });

  it("splitStats: training targets, inputs cut to max_len, validation and test targets already seen", () => {
    const split = leaveOneOut(dataset([[1, 2, 3, 4, 5, 2], [3, 1, 4], [2, 1, 2, 2]], 5), 3);
    // user 0 trains on 1 2 3 4 (3 targets), its test input 3 4 5 is cut from 1 2 3 4 5 and its target 2 was seen
    // (its validation target 5 was not); user 1 trains on 3 (no target), its test input 3 1 is its whole
    // history, neither target seen; user 2 trains on 2 1 (1 target) and both its targets, 2, repeat.
    assert.deepEqual(splitStats(split), { trainTargets: 4, valid: 3, test: 3, testInputsCut: 1, validTargetsSeen: 1, testTargetsSeen: 2 });
  });

  it("epochStats: windows, positions and contexts of an 8-item sequence, max_len 3", () => {
    const train = [Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8])]; // 7 targets
    // Disjoint windows end at 7, 4 and 1: contexts 1 2 3 | 1 2 3 | 1; a prefix gives 1 2 3 3 3 3 3.
    const disjoint = epochStats(train, 3, { targets: "all_positions", minContext: 0, batch: 4 });
    assert.equal(disjoint.rows, 3);
    assert.equal(disjoint.trainTargets, 7);
    assert.equal(disjoint.positions, 7);
    assert.equal(disjoint.meanContext, 13 / 7);
    assert.equal(disjoint.prefixMeanContext, 18 / 7);
    assert.equal(disjoint.shortShare, 4 / 7);
    // Overlapping by 1, windows end at 7, 5 and 3: contexts 2 3 | 2 3 | 1 2 3.
    const overlap = epochStats(train, 3, { targets: "all_positions", minContext: 1, batch: 4 });
    assert.equal(overlap.rows, 3);
    assert.equal(overlap.positions, 9);
    assert.equal(overlap.meanContext, 16 / 7);
    assert.equal(overlap.shortShare, 2 / 7);
    // RecBole's prefixes: seven rows, each target with its whole context.
    const last = epochStats(train, 3, { targets: "last", minContext: 0, batch: 4 });
    assert.equal(last.rows, 7);
    assert.equal(last.positions, 18);
    assert.equal(last.meanContext, 18 / 7);
    assert.equal(last.shortShare, 0);
  });

  it("epochStats: min_context max_len - 1 gives every target its prefix's context; steps and padding match the batches", () => {
    const rng = new Rng(7);
    const train = Array.from({ length: 40 }, () => Int32Array.from({ length: 3 + rng.int(60) }, () => 1 + rng.int(50)));
    const full = epochStats(train, 16, { targets: "all_positions", minContext: 15, batch: 64 });
    assert.equal(full.shortShare, 0);
    assert.equal(full.meanContext, full.prefixMeanContext);
    const disjoint = epochStats(train, 16, { targets: "all_positions", minContext: 0, batch: 64 }, 3);
    assert.equal(disjoint.trainTargets, train.reduce((a, s) => a + s.length - 1, 0));
    assert.equal(disjoint.positions, disjoint.trainTargets);
    assert.ok(disjoint.meanContext < disjoint.prefixMeanContext);
    assert.ok(disjoint.paddedPositions >= disjoint.positions);
    // One epoch's batches as the trainer draws them from the seed: their count and padded size.
    const rows = makeRows(train, 16, "all_positions");
    const batches = epochBatches(rows, 64, new Rng(3));
    assert.equal(disjoint.rows, rows.len.length);
    assert.equal(disjoint.steps, batches.length);
    assert.equal(disjoint.paddedPositions, batches.reduce((a, b) => a + b.length * Math.max(...Array.from(b, (r) => rows.len[r]!)), 0));
  });
});
