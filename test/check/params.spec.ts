import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { parameterTableMarkdown } from "../../src/check/params.js";
import { closest } from "../../src/check/suggest.js";
import { codesTableMarkdown } from "../../src/lang/codes.js";

describe("parameter table", () => {
  it("docs/language.md shows the current table (refresh with npm run refresh-golden)", () => {
    const doc = readFileSync("docs/language.md", "utf8");
    assert.ok(doc.includes(parameterTableMarkdown()), "parameter table");
    assert.ok(doc.includes(codesTableMarkdown()), "code table");
  });
  it("suggests close names only", () => {
    assert.equal(closest("layernrom", ["layernorm", "dropout"]), "layernorm");
    assert.equal(closest("zzz", ["layernorm", "dropout"]), undefined);
  });
});
