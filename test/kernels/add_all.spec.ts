import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { addAll } from "../../src/kernels/add_all.js";
import { Rng } from "../../src/util/rng.js";

describe("addAll (pairwise sum, the webgpu-safe addN)", () => {
  let previous: string;
  before(async () => {
    previous = tf.getBackend();
    await tf.setBackend("cpu");
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it("equals tf.addN for 1 to 13 tensors, leaves its inputs alone and leaks nothing", async () => {
    const rng = new Rng(4);
    for (let n = 1; n <= 13; n++) {
      const ts = Array.from({ length: n }, () => tf.tensor2d(Float32Array.from({ length: 6 }, () => rng.normal()), [2, 3]));
      const before = tf.memory().numTensors;
      const got = addAll(ts);
      assert.equal(tf.memory().numTensors, before + 1, `n=${n}: one new tensor`);
      const want = tf.addN(ts);
      const [g, w] = [await got.data(), await want.data()];
      for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - w[i]!) < 1e-5, `n=${n} at ${i}: ${g[i]} vs ${w[i]}`);
      assert.ok(ts.every((t) => !t.isDisposed));
      tf.dispose([got, want, ...ts]);
    }
  });

  it("refuses an empty list", () => {
    assert.throws(() => addAll([]), /at least one tensor/);
  });

  it("src/ calls tf.addN nowhere (it breaks on webgpu past 7 inputs); addAll instead", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    const offenders = files("src").filter((f) => /\btf\.addN\s*\(/.test(readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")));
    assert.deepEqual(offenders, []);
  });
});
