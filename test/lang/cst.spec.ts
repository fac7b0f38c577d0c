import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { generateCstTypes } from "./cst_types.js";

describe("CST types", () => {
  it("src/lang/cst.ts matches the grammar (refresh with npm run refresh-golden)", () => {
    assert.equal(readFileSync("src/lang/cst.ts", "utf8"), generateCstTypes());
  });
});
