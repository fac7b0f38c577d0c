/** `sweepValues`: what a swept parameter is in a spec (the base's row of a tuning leaderboard). */
import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { join } from "node:path";
import { checkFile } from "../../src/check/index.js";
import type { CheckedSpec } from "../../src/ir/spec.js";
import { applySweep, SWEEP_PARAMS, sweepValues } from "../../src/ir/sweep.js";
import { packageRoot } from "../../src/util/paths.js";

const load = (name: string): CheckedSpec => {
  const r = checkFile(join(packageRoot(), "specs", name));
  assert.ok(isRight(r), name);
  return r.right.spec;
};

describe("sweepValues", () => {
  it("reads Mamba4Rec's values as the spec writes them", () => {
    const s = load("mamba4rec.rec");
    const read = Object.fromEntries(SWEEP_PARAMS.map((p) => [p, sweepValues(s, p)]));
    assert.deepEqual(read, {
      layers: [1], d_state: [32], d_conv: [4], expand: [2], dt_rank: [4], heads: [], dropout: [0.2], rate: [0.2], eps: [1e-12],
      hidden: [], inner: [256], max_len: [200], dim: [64], lr: [0.001], batch: [2048], epochs: [300], label_smoothing: [0], weight_decay: [0],
    });
  });

  it("reads back every value applySweep sets, on every shipped spec that has the parameter", () => {
    for (const name of ["mamba4rec.rec", "sasrec.rec", "gru4rec.rec", "narm.rec", "bert4rec.rec", "caser.rec"]) {
      const s = load(name);
      for (const p of SWEEP_PARAMS) {
        if (sweepValues(s, p).length === 0) continue;
        const v = p === "layers" ? 3 : p === "lr" || p === "weight_decay" || p === "label_smoothing" || p === "dropout" || p === "rate" || p === "eps" ? 0.125 : 24;
        const t = applySweep(s, p, v);
        assert.ok(t !== undefined, `${name} ${p}`);
        assert.deepEqual(sweepValues(t, p), [v], `${name} ${p}`);
      }
    }
  });

  it("lists distinct values in layer order, and counts only outermost repeats as layers", () => {
    const s = load("sasrec.rec");
    assert.deepEqual(sweepValues(s, "layers"), [2]);
    assert.deepEqual(sweepValues(s, "heads"), [2]);
    assert.deepEqual(sweepValues(s, "d_state"), [], "no Mamba layer");
  });
});
