import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkFile } from "../../src/check/index.js";
import { explain } from "../../src/ir/explain.js";

const explained = (f: string, items: number) => {
  const r = checkFile(f);
  assert.ok(isRight(r));
  return explain(r.right.spec, items);
};

describe("explain", () => {
  it("Mamba4Rec on ML-1M (3,416 items): 290,944 parameters", () => {
    const e = explained("specs/mamba4rec.rec", 3416);
    assert.equal(e.totalParams, 290_944);
    assert.equal(e.layers.find((l) => l.layer.trim() === "mamba")!.params, 38_784);
    assert.equal(e.layers.find((l) => l.layer.trim() === "ffn")!.params, 33_088);
    assert.equal(e.layers.filter((l) => l.layer.trim() === "layernorm").length, 3);
  });
  it("SASRec: embedding, positions, two transformer layers", () => {
    assert.equal(explained("specs/sasrec.rec", 3416).totalParams, 3417 * 64 + 200 * 64 + 128 + 2 * (4 * (64 * 64 + 64) + 128 + 33_088 + 128));
  });
  it("GRU4Rec: PyTorch GRU layout and a biased linear", () => {
    assert.equal(explained("specs/gru4rec.rec", 100).totalParams, 101 * 64 + 3 * (64 * 128 + 128 * 128 + 2 * 128) + 128 * 64 + 64);
  });
  it("popularity has no parameters", () => assert.equal(explained("specs/pop.rec", 100).totalParams, 0));
});
