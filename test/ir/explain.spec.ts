import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkFile } from "../../src/check/index.js";
import { readdirSync } from "node:fs";
import { explain } from "../../src/ir/explain.js";
import { initBackend } from "../../src/runtime/backend.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { Rng } from "../../src/util/rng.js";

const checked = (f: string) => {
  const r = checkFile(f);
  assert.ok(isRight(r));
  return r.right.spec;
};

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
  it("NARM on ML-1M: RecBole 1.2's NARM module by module (342,464)", () => {
    // RecBole's NARM(n_items = 3,417 with padding, embedding 64, hidden 128, one layer):
    const itemEmbedding = 3417 * 64; //                        item_embedding
    const gru = 3 * 128 * 64 + 3 * 128 * 128 + 2 * 3 * 128; //   gru: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0
    const local = 128 * 128 + 128 * 128 + 128; //                a_1, a_2 (no bias), v_t (128 -> 1, no bias)
    const bilinear = 2 * 128 * 64; //                             b: Linear(256, 64, bias=False)
    const e = explained("specs/narm.rec", 3416);
    assert.equal(e.totalParams, itemEmbedding + gru + local + bilinear);
    assert.equal(e.totalParams, 342_464);
    assert.equal(e.layers.find((l) => l.layer.trim() === "attention_pool")!.params, local);
  });
  it("BERT4Rec on ML-1M: RecBole 1.2's BERT4Rec module by module (331,648)", () => {
    // RecBole's BERT4Rec(n_items = 3,417 with padding, hidden 64, inner 256, 2 layers, max_seq_length 200):
    const itemEmbedding = (3417 + 1) * 64; //     item_embedding: n_items + 1 rows, the last the mask token
    const positions = 200 * 64; //                  position_embedding
    const inputNorm = 2 * 64; //                    LayerNorm
    const attention = 4 * (64 * 64 + 64); //        query, key, value, dense (with biases)
    const ffn = 64 * 256 + 256 + 256 * 64 + 64; //  dense_1, dense_2
    const layer = attention + 2 * 64 + ffn + 2 * 64; // with the two LayerNorms of each TransformerLayer
    const e = explained("specs/bert4rec.rec", 3416);
    assert.equal(e.totalParams, itemEmbedding + positions + inputNorm + 2 * layer);
    assert.equal(e.totalParams, 331_648);
  });
  it("Caser on ML-1M (window 5): RecBole 1.2's Caser module by module (667,008)", () => {
    // RecBole's Caser(n_items = 3,417 and n_users = 6,041, both with padding, embedding 64, n_h 16, n_v 8, L = 5):
    const itemEmbedding = 3417 * 64; //                                      item_embedding
    const userEmbedding = 6041 * 64; //                                      user_embedding
    let convH = 0;
    for (let h = 1; h <= 5; h++) convH += 16 * h * 64 + 16; //               conv_h[h-1]: Conv2d(1, 16, (h, 64))
    const convV = 8 * 5 + 8; //                                              conv_v: Conv2d(1, 8, (5, 1))
    const fc1 = (8 * 64 + 16 * 5) * 64 + 64; //                             fc1: Linear(592, 64)
    const fc2 = (64 + 64) * 64 + 64; //                                      fc2: Linear(128, 64)
    const e = explain(checked("specs/caser.rec"), 3416, 6040);
    assert.equal(e.totalParams, itemEmbedding + userEmbedding + convH + convV + fc1 + fc2);
    assert.equal(e.totalParams, 667_008);
  });
  describe("every spec's count equals the numbers the runtime creates for it", () => {
    before(async () => { await initBackend("cpu"); });
    for (const f of readdirSync("specs").filter((n) => n.endsWith(".rec") && n !== "blocks.rec")) {
      it(f, () => {
        const r = checkFile(`specs/${f}`);
        assert.ok(isRight(r));
        const spec = r.right.spec;
        if (spec.model.kind !== "sequence") return;
        const net = SequenceNet.fromIR(spec.model, 50, spec.data.maxLen, new Rng(1), 30);
        assert.equal(net.params.count(), explain(spec, 50, 30).totalParams);
        net.params.variables().forEach((v) => v.dispose());
      });
    }
  });
  it("popularity has no parameters", () => assert.equal(explained("specs/pop.rec", 100).totalParams, 0));
});
