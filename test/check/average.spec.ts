import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkText } from "../../src/check/index.js";
import { printSpec } from "../../src/ir/print.js";

const spec = (train: string): string => `model M {
  embedding items(dim: 16)
  output tied
}
train {
${train}
}
`;

const check = (train: string) => {
  const r = checkText("a.rec", spec(train));
  assert.ok(isRight(r), JSON.stringify(r));
  return r.right;
};

describe("weight_average in the checker", () => {
  it("is none by default; ema's decay defaults to 0.999 and start to 0", () => {
    assert.equal(check("  epochs: 5").spec.train.weightAverage, null);
    assert.deepEqual(check("  weight_average: ema").spec.train.weightAverage, { kind: "ema", decay: 0.999, start: 0 });
    assert.deepEqual(check("  weight_average: ema(decay: 0.99, start: 3)").spec.train.weightAverage, { kind: "ema", decay: 0.99, start: 3 });
  });

  it("prints back to the same spec", () => {
    const a = check("  epochs: 20\n  weight_average: ema(decay: 0.99, start: 3)").spec;
    assert.match(printSpec(a), /^ {2}weight_average: ema\(decay: 0\.99, start: 3\)$/m);
    const b = checkText("a.rec", printSpec(a));
    assert.ok(isRight(b));
    assert.equal(printSpec(b.right.spec), printSpec(a));
    assert.match(printSpec(check("  epochs: 5").spec), /^ {2}weight_average: none$/m);
  });

  it("warns (REC3103) when averaging would begin only after the last epoch", () => {
    const w = check("  epochs: 10\n  weight_average: ema(start: 10)").warnings;
    assert.deepEqual(w.map((d) => d.code), ["REC3103"]);
    assert.match(w[0]!.message, /weight_average starts after epoch 10, but training ends by epoch 10/);
    assert.equal(w[0]!.span.start.line, 7, "points at the value");
    assert.deepEqual(check("  epochs: 10\n  weight_average: ema(start: 9)").warnings, []);
  });

  it("rejects a decay outside (0, 1) and a negative or fractional start", () => {
    for (const [arg, want] of [["decay: 1", /REC2012 .*decay.* must be in \(0, 1\)/], ["decay: 0", /REC2012 .*decay.* must be in \(0, 1\)/], ["start: -1", /REC2012 .*start/], ["start: 1.5", /REC201[12] .*start/]] as const) {
      const r = checkText("a.rec", spec(`  weight_average: ema(${arg})`));
      assert.ok(!isRight(r), arg);
      assert.match(r.left.map((d) => `${d.code} ${d.message}`).join("\n"), want);
    }
  });
});
