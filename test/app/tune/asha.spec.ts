/** Successive halving's pure parts: the rungs, the promotion rule (a hand-worked example) and the budget. */
import { strict as assert } from "node:assert";
import { plannedEpochs, promote, promotedCount, rungEpochs, rungSizes } from "../../../src/app/tune/asha.js";

const asha = (minEpochs: number, maxEpochs: number, reduction: number) => ({ kind: "asha" as const, minEpochs, maxEpochs, reduction });

describe("tune: successive halving", () => {
  it("rungs at min_epochs * r^k below max_epochs, then max_epochs", () => {
    assert.deepEqual(rungEpochs(asha(1, 9, 3)), [1, 3, 9]);
    assert.deepEqual(rungEpochs(asha(1, 10, 3)), [1, 3, 9, 10]);
    assert.deepEqual(rungEpochs(asha(1, 3, 2)), [1, 2, 3]);
    assert.deepEqual(rungEpochs(asha(2, 5, 4)), [2, 5]);
  });

  it("keeps the top 1/r, rounded down, and at least one", () => {
    assert.deepEqual([9, 8, 3, 2, 1, 0].map((n) => promotedCount(n, 3)), [3, 2, 1, 1, 1, 0]);
  });

  it("9 trials, r = 3, epochs 1..9: 9 -> 3 -> 1, worked by hand", () => {
    // Rung 1 (1 epoch): the best validation values of t01..t09.
    const rung1 = [0.20, 0.35, 0.10, 0.31, 0.35, 0.05, 0.29, 0.33, 0.18].map((value, i) => ({ id: `t0${i + 1}`, value }));
    // Top 3 of 9: t02 and t05 tie at 0.35 (both in), then t08 (0.33); t04 (0.31) is fourth. Listed in trial order.
    assert.deepEqual(promote(rung1, 3), ["t02", "t05", "t08"]);
    // Rung 2 (3 epochs): the three promoted trials trained on; the best so far decides.
    const rung2 = [{ id: "t02", value: 0.40 }, { id: "t05", value: 0.44 }, { id: "t08", value: 0.39 }];
    assert.deepEqual(promote(rung2, 3), ["t05"]);
    // Rung 3 (9 epochs) has one trial: the schedule trained 9*1 + 3*(3-1) + 1*(9-3) = 21 epochs.
    assert.deepEqual(rungSizes(9, asha(1, 9, 3)), [9, 3, 1]);
    assert.equal(plannedEpochs(9, asha(1, 9, 3)), 21);
  });

  it("breaks ties by trial order and never promotes a trial without a value (a failed run)", () => {
    const entries = [{ id: "a", value: NaN }, { id: "b", value: 0.3 }, { id: "c", value: 0.3 }, { id: "d", value: 0.1 }];
    assert.deepEqual(promote(entries, 2), ["b", "c"]);
    assert.deepEqual(promote(entries, 4), ["b"]);
    assert.deepEqual(promote([{ id: "a", value: NaN }], 2), []);
  });
});
