import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkText } from "../../src/check/index.js";

const spec = (train: string): string => `model M {
  embedding items(dim: 16)
  output tied
}
train {
${train}
}
eval { metrics: [hr@10, ndcg@10] }
`;

const check = (train: string) => {
  const r = checkText("p.rec", spec(train));
  assert.ok(isRight(r), JSON.stringify(r));
  return r.right;
};

describe("schedule plateau in the checker", () => {
  it("watches the early-stopping metric unless given one", () => {
    const a = check("  schedule: plateau(patience: 3)\n  early_stopping(metric: ndcg@10, patience: 8)");
    assert.deepEqual(a.spec.train.schedule, { kind: "plateau", metric: { name: "ndcg", k: 10 }, patience: 3, factor: 0.1, minLrRatio: 0 });
    assert.deepEqual(a.warnings, []);
    const b = check("  schedule: plateau(metric: hr@10, patience: 3, factor: 0.5, min_lr_ratio: 0.01)");
    assert.deepEqual(b.spec.train.schedule, { kind: "plateau", metric: { name: "hr", k: 10 }, patience: 3, factor: 0.5, minLrRatio: 0.01 });
  });

  it("warns (REC3102) when early stopping on the same metric would end training before a reduction is used", () => {
    const w = check("  schedule: plateau(patience: 10)\n  early_stopping(metric: ndcg@10, patience: 10)").warnings;
    assert.deepEqual(w.map((d) => d.code), ["REC3102"]);
    assert.match(w[0]!.message, /early stopping \(patience 10\) ends training before the plateau schedule's first reduction \(patience 10\)/);
    assert.equal(w[0]!.span.start.line, 7, "points at early_stopping");
    // Another metric may still improve while the watched one stalls: no warning.
    assert.deepEqual(check("  schedule: plateau(metric: hr@10, patience: 10)\n  early_stopping(metric: ndcg@10, patience: 5)").warnings, []);
  });

  it("rejects a factor outside (0, 1)", () => {
    for (const f of ["0", "1", "1.5"]) {
      const r = checkText("p.rec", spec(`  schedule: plateau(metric: ndcg@10, factor: ${f})`));
      assert.ok(!isRight(r));
      assert.match(r.left.map((d) => `${d.code} ${d.message}`).join("\n"), /REC2012 .*factor.* must be in \(0, 1\)/);
    }
  });
});
