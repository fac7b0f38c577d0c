import { strict as assert } from "node:assert";
import { checkText, defaultSections } from "../../src/check/index.js";

describe("defaultSections", () => {
  it("is what a spec without data and train sections checks to", () => {
    const r = checkText("t.rec", "model M {\n  embedding items(dim: 8)\n  layernorm\n  output tied\n}\n");
    if (r._tag === "Left") assert.fail(r.left.map((d) => d.message).join("\n"));
    const { data, train } = defaultSections();
    assert.deepEqual(data, r.right.spec.data);
    assert.deepEqual(train, r.right.spec.train);
    assert.equal(data.maxLen, 200);
    assert.deepEqual(train.optimizer, { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  });
});
