import { strict as assert } from "node:assert";
import { median } from "../../src/util/median.js";

describe("median", () => {
  it("is the middle value, or the mean of the middle two, whatever the order; NaN for none", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([10, 2]), 6, "sorted as numbers, not as strings");
    assert.equal(median(Float64Array.of(5)), 5);
    assert.ok(Number.isNaN(median([])));
  });
});
