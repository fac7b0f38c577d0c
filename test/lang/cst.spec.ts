import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { generateCstTypes } from "../../src/lang/cstTypes.js";

describe("CST types", () => {
  it("src/lang/cst.ts matches the grammar (refresh with scripts/refresh-golden.ts)", () => {
    assert.equal(readFileSync("src/lang/cst.ts", "utf8"), generateCstTypes());
  });
});
