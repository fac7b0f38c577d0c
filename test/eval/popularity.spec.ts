import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { itemCounts, popularityScorer } from "../../src/eval/popularity.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { leaveOneOut } from "../../src/data/split.js";
import { kCore } from "../../src/data/filter.js";
import { loadDataset } from "../../src/data/load.js";
import type { Dataset } from "../../src/data/types.js";
import { SHARED_DATA } from "../data/helpers.js";

const make = (seqs: number[][], numItems: number): Dataset => ({
  name: "t",
  numItems,
  sequences: seqs.map((s) => Int32Array.from(s)),
  userIds: seqs.map((_, u) => `u${u}`),
  itemIds: ["", ...Array.from({ length: numItems }, (_, i) => `i${i + 1}`)],
  warnings: [],
});

describe("eval/popularity", () => {
  it("scores are item counts in the training split only (valid and test targets not counted)", async () => {
    // train parts: [1, 2, 2], [3]; valid targets 3, 1; test targets 4, 4
    const split = leaveOneOut(make([[1, 2, 2, 3, 4], [3, 1, 4]], 4), 50);
    assert.deepEqual(Array.from(itemCounts(split)), [0, 1, 2, 1, 0]);
    const scores = await popularityScorer(split)([Int32Array.of(1), Int32Array.of(2, 3)]);
    assert.deepEqual(Array.from(scores), [0, 1, 2, 1, 0, 0, 1, 2, 1, 0]);
    const metrics = [{ name: "hr", k: 2 } as const, { name: "mrr", k: 4 } as const];
    // valid: target 3 (count 1, ties with item 1) -> rank 3; target 1 -> rank 3
    const v = await evaluate(popularityScorer(split), split.valid, { numItems: 4, metrics, excludeSeen: false });
    assert.deepEqual(Array.from(v.ranks), [3, 3]);
    // test: target 4 (count 0) -> rank 4 for both
    const t = await evaluate(popularityScorer(split), split.test, { numItems: 4, metrics, excludeSeen: false });
    assert.deepEqual(Array.from(t.ranks), [4, 4]);
    assert.equal(t.metrics["hr@2"], 0);
    assert.equal(t.metrics["mrr@4"], 0.25);
  });
});

describe("ML-1M integration (skipped when ../shared/data/ml-1m is absent)", function () {
  this.timeout(120_000);
  const path = join(SHARED_DATA, "ml-1m/ml-1m.txt");

  it("5-core: 6,040 users, 3,416 items, 999,611 interactions; popularity baseline figures", async function () {
    if (!existsSync(path)) this.skip();
    const t0 = performance.now();
    const raw = loadDataset(path);
    const readMs = performance.now() - t0;
    const ds = kCore(raw, 5);
    assert.equal(ds.sequences.length, 6040);
    assert.equal(ds.numItems, 3416);
    assert.equal(ds.sequences.reduce((a, s) => a + s.length, 0), 999_611);
    assert.deepEqual(ds.warnings, []);
    const split = leaveOneOut(ds, 200);
    const metrics = [{ name: "hr", k: 10 } as const, { name: "ndcg", k: 10 } as const, { name: "mrr", k: 10 } as const];
    const opts = { numItems: ds.numItems, metrics, excludeSeen: false };
    const valid = await evaluate(popularityScorer(split), split.valid, opts);
    const test = await evaluate(popularityScorer(split), split.test, opts);
    const fmt = (m: Record<string, number>): string => Object.entries(m).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(" ");
    console.log(`      read ${readMs.toFixed(0)} ms; popularity valid: ${fmt(valid.metrics)}; test: ${fmt(test.metrics)}`);
    // The figures quoted in docs/data.md.
    const four = (m: Record<string, number>): string[] => ["hr@10", "ndcg@10", "mrr@10"].map((k) => m[k]!.toFixed(4));
    assert.deepEqual(four(valid.metrics), ["0.0185", "0.0096", "0.0069"]);
    assert.deepEqual(four(test.metrics), ["0.0162", "0.0079", "0.0055"]);

    // exclude_seen removes the user's whole history, which for the users with more than 200 earlier
    // items (1,561 at validation, 1,572 at test) is more than the model's input window: no rank is
    // worse than with the window alone, and some are better.
    assert.equal(split.valid.filter((c) => c.history.length > 200).length, 1561);
    assert.equal(split.test.filter((c) => c.history.length > 200).length, 1572);
    const excl = { ...opts, excludeSeen: true };
    const window = (cases: typeof split.valid) => ({ ...excl, seen: (i: number) => cases[i]!.input });
    const validX = await evaluate(popularityScorer(split), split.valid, excl);
    const testX = await evaluate(popularityScorer(split), split.test, excl);
    const validW = await evaluate(popularityScorer(split), split.valid, window(split.valid));
    const testW = await evaluate(popularityScorer(split), split.test, window(split.test));
    console.log(`      exclude_seen, whole history: valid ${fmt(validX.metrics)}; test: ${fmt(testX.metrics)}`);
    console.log(`      exclude_seen, input window only: valid ${fmt(validW.metrics)}; test: ${fmt(testW.metrics)}`);
    for (const [whole, win] of [[validX, validW], [testX, testW]] as const) {
      whole.ranks.forEach((r, u) => assert.ok(r <= win.ranks[u]!, `user ${u}`));
      assert.ok(whole.metrics["hr@10"]! > win.metrics["hr@10"]!);
    }
    assert.deepEqual(four(validX.metrics), ["0.0429", "0.0207", "0.0141"]);
    assert.deepEqual(four(testX.metrics), ["0.0369", "0.0180", "0.0124"]);

    // Seen items in the top 10: popularity ranks the same items for everyone, most of them already
    // seen. No ML-1M target repeats a history item, so with them removed none is left.
    const seen = (r: typeof valid): string => `${(100 * r.seenInTop[0]!.slots).toFixed(1)}% of slots, ${(100 * r.seenInTop[0]!.users).toFixed(1)}% of users`;
    console.log(`      seen items in the top 10: valid ${seen(valid)}; test ${seen(test)}`);
    // The figures quoted in docs/data.md.
    assert.deepEqual([valid, test].map((r) => [r.seenInTop[0]!.slots.toFixed(4), r.seenInTop[0]!.users.toFixed(4)]), [["0.4604", "0.9343"], ["0.4622", "0.9356"]]);
    for (const r of [validX, testX]) assert.deepEqual([r.seenInTop[0]!.slots, r.seenInTop[0]!.users], [0, 0]);
  });
});
