/** The trials of a search: seeded samplers (ranges, log scale, integers), the grid (product, order), applying a point. */
import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkText } from "../../src/check/index.js";
import type { CheckedSpec, Distribution, TuneConfig } from "../../src/ir/spec.js";
import { applyPoint, gridPoints, randomPoints, sample, spaceSize, trialId, trialPoints } from "../../src/ir/tune.js";
import { Rng } from "../../src/util/rng.js";

const SPAN = { file: "", start: { offset: 0, line: 1, col: 1 }, end: { offset: 0, line: 1, col: 1 } };
const space = (...ps: [string, Distribution][]): TuneConfig["space"] => ps.map(([param, distribution]) => ({ param, distribution, span: SPAN }));
const draws = (d: Distribution, n = 2000, seed = 5): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => sample(d, rng));
};

describe("tune: samplers", () => {
  it("uniform stays in [low, high], spreads over it, and keeps 4 significant digits", () => {
    const xs = draws({ kind: "uniform", low: 0.1, high: 0.5 });
    assert.ok(xs.every((x) => x >= 0.1 && x <= 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.3) < 0.01, `mean ${mean}`);
    assert.ok(xs.every((x) => Number(x.toPrecision(4)) === x));
  });

  it("log_uniform is uniform in the logarithm: each decade of [1e-4, 1e-2] gets half the draws", () => {
    const xs = draws({ kind: "log_uniform", low: 1e-4, high: 1e-2 });
    assert.ok(xs.every((x) => x >= 1e-4 && x <= 1e-2));
    const low = xs.filter((x) => x < 1e-3).length / xs.length;
    assert.ok(Math.abs(low - 0.5) < 0.04, `share below 1e-3: ${low}`);
  });

  it("int_uniform draws every integer of [low, high], both ends included, and nothing else", () => {
    const xs = draws({ kind: "int_uniform", low: 2, high: 5 }, 400);
    assert.deepEqual([...new Set(xs)].sort(), [2, 3, 4, 5]);
    assert.ok(xs.every(Number.isInteger));
  });

  it("choice draws only the listed values", () => {
    assert.deepEqual([...new Set(draws({ kind: "choice", values: [8, 16, 64] }, 300))].sort((a, b) => a - b), [8, 16, 64]);
  });

  it("the same seed gives the same points, another seed others; points are distinct", () => {
    const s = space(["lr", { kind: "log_uniform", low: 1e-4, high: 1e-2 }], ["layers", { kind: "int_uniform", low: 1, high: 3 }]);
    assert.deepEqual(randomPoints(s, 6, 1), randomPoints(s, 6, 1));
    assert.notDeepEqual(randomPoints(s, 6, 1), randomPoints(s, 6, 2));
    const small = space(["layers", { kind: "int_uniform", low: 1, high: 3 }]);
    const pts = randomPoints(small, 5, 1);
    assert.equal(pts.length, 3, "a space of 3 points gives 3 distinct trials, not 5");
    assert.deepEqual(pts.map((p) => p[0]!.value).sort(), [1, 2, 3]);
  });
});

describe("tune: grid", () => {
  it("is the cartesian product in spec order, the last parameter varying fastest", () => {
    const s = space(["d_state", { kind: "choice", values: [8, 4] }], ["layers", { kind: "int_uniform", low: 1, high: 3 }]);
    assert.equal(spaceSize(s), 6);
    assert.deepEqual(gridPoints(s).map((p) => p.map((x) => x.value)), [[8, 1], [8, 2], [8, 3], [4, 1], [4, 2], [4, 3]]);
    assert.equal(spaceSize(space(["lr", { kind: "uniform", low: 0, high: 1 }])), Infinity);
    assert.throws(() => gridPoints(space(["lr", { kind: "uniform", low: 0, high: 1 }])), /continuous/);
  });

  it("numbers trials t01.. with enough digits", () => {
    assert.deepEqual([trialId(0, 9), trialId(9, 10), trialId(4, 120)], ["t01", "t10", "t005"]);
  });
});

describe("tune: a point on the spec", () => {
  const text = `model M {
  embedding items(dim: 16)
  repeat 1 {
    mamba(d_state: 8)
    residual { ffn(inner: 48) }
  }
  output tied
}
tune {
  dim: choice([16, 32])
  inner: choice([32, 64])
  d_state: choice([4, 8])
  algorithm: grid
}
`;
  const base = (): CheckedSpec => {
    const r = checkText("m.rec", text);
    assert.ok(isRight(r));
    return r.right.spec;
  };

  it("the spec checks, and its tune section reads back", () => {
    const t = base().tune!;
    assert.equal(t.trials, 8);
    assert.deepEqual(t.algorithm, { kind: "grid" });
    assert.deepEqual(t.metric, { name: "hr", k: 10 }, "without early stopping, the first of eval.metrics");
    assert.equal(trialPoints(t).length, 8);
  });

  it("sets every value, dim first so that a searched inner is kept; the trial has no tune or ablate section", () => {
    const s = applyPoint(base(), [{ param: "inner", value: 64 }, { param: "dim", value: 32 }, { param: "d_state", value: 4 }])!;
    assert.equal(s.tune, null);
    assert.deepEqual(s.ablate, []);
    assert.ok(s.model.kind === "sequence");
    assert.equal(s.model.embeddingDim, 32);
    const rep = s.model.layers[0]!;
    assert.ok(rep.kind === "repeat");
    assert.deepEqual(rep.body[0]!.kind === "mamba" && rep.body[0]!.dState, 4);
    const res = rep.body[1]!;
    assert.ok(res.kind === "residual" && res.body[0]!.kind === "ffn" && res.body[0]!.inner === 64);
  });
});
