import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { formatSource } from "../../src/lang/format.js";
import { parseText } from "../../src/lang/parse.js";
import { validCases } from "../check/golden.js";

const noSpans = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === "span" || k === "pathSpan" || k === "file" ? undefined : v)));

const fmt = (file: string, text: string): string => {
  const r = formatSource(file, text);
  assert.ok(r.ok, "format failed");
  return r.text;
};

describe("formatter", () => {
  const files = ["specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec", "specs/blocks.rec", ...validCases(), "test/check/fixtures/lib/shared.rec"];
  for (const f of files) {
    it(`round-trips and is idempotent: ${f}`, () => {
      const text = readFileSync(f, "utf8");
      const once = fmt(f, text);
      assert.deepEqual(noSpans(parseText(f, once).ast), noSpans(parseText(f, text).ast));
      assert.equal(fmt(f, once), once);
      assert.equal(parseText(f, once).comments.length, parseText(f, text).comments.length, "comments lost");
      assert.deepEqual(parseText(f, once).comments.map((c) => c.text), parseText(f, text).comments.map((c) => c.text));
    });
  }
  it("keeps the shipped specs canonical", () => {
    for (const f of files.filter((x) => x.startsWith("specs/"))) assert.equal(fmt(f, readFileSync(f, "utf8")), readFileSync(f, "utf8"), f);
  });
  it("refuses text with syntax errors", () => {
    assert.equal(formatSource("x.rec", "model {").ok, false);
  });
});
