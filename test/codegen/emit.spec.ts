/**
 * Code generation: generated/ is up to date with specs/, emission is deterministic, the output
 * compiles under strict tsc, and the generated builder makes exactly the network the IR describes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isRight } from "fp-ts/lib/Either.js";
import * as tf from "@tensorflow/tfjs-core";
import { compileToTypeScript } from "../../src/app/compile.js";
import { checkFile } from "../../src/check/index.js";
import { initBackend } from "../../src/runtime/backend.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { ParamStore } from "../../src/runtime/params.js";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";
import { at, LayerError, type BuildContext } from "../../src/api.js";
import type { Module } from "../../src/runtime/module.js";

const SPECS = readdirSync("specs").filter((f) => f.endsWith(".rec")).map((f) => join("specs", f));
const emitted = SPECS.map((file) => ({ file, out: compileToTypeScript(file, "generated") })).filter((e) => !e.out.library);

describe("codegen", () => {
  before(async () => { await initBackend("cpu"); });

  it("emits every spec in specs/ (library files excepted)", () => {
    assert.ok(emitted.length >= 4);
    for (const e of emitted) assert.ok(e.out.code, `${e.file} did not compile`);
  });

  it("generated/ is up to date (run `reccompile specs/*.rec` to refresh)", () => {
    for (const e of emitted) {
      const name = e.file.replace(/^specs\//, "").replace(/\.rec$/, "");
      const committed = readFileSync(join("generated", `${name}.ts`), "utf8");
      assert.equal(committed, e.out.code, `generated/${name}.ts is stale`);
    }
  });

  it("is deterministic", () => {
    for (const e of emitted) assert.equal(compileToTypeScript(e.file, "generated").code, e.out.code);
  });

  it("marks every layer with its spec line and output shape", () => {
    const mamba = emitted.find((e) => e.file.endsWith("mamba4rec.rec"))!.out.code!;
    const lines = mamba.split("\n").filter((l) => l.includes("rt.mamba("));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /rt\.at\("specs\/mamba4rec\.rec:\d+"/);
    assert.match(lines[0]!, /\/\/ \[batch, len, 64\]$/);
  });

  it("passes a non-default dt_init to rt.mamba, and leaves the default out", () => {
    const custom = compileToTypeScript("test/check/fixtures/valid/mamba_dt_init.rec", "generated").code!;
    assert.match(custom.split("\n").find((l) => l.includes("rt.mamba("))!, /dtInit: "mamba"/);
    for (const e of emitted) assert.doesNotMatch(e.out.code!, /dtInit/, e.file);
  });

  it("compiles under tsc --strict --noEmit", function () {
    this.timeout(120_000);
    const r = spawnSync(process.execPath, [join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.generated.json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  describe("generated builders", () => {
    for (const name of ["mamba4rec", "sasrec", "gru4rec", "narm", "bert4rec", "caser"]) {
      it(`${name}: the same parameters, in the same order, with the same values and hidden states as SequenceNet.fromIR`, async () => {
        const mod = (await import(`../../generated/${name}.js`)) as { build(ctx: BuildContext): unknown };
        const checked = checkFile(`specs/${name}.rec`);
        assert.ok(isRight(checked));
        const spec = checked.right.spec;
        assert.equal(spec.model.kind, "sequence");
        if (spec.model.kind !== "sequence") return;
        const numItems = 23;
        const rng = new Rng(7);
        const numUsers = 4;
        const generated = mod.build({ params: new ParamStore(rng), numItems, numUsers, maxLen: spec.data.maxLen, rng }) as SequenceNet;
        const reference = SequenceNet.fromIR(spec.model, numItems, spec.data.maxLen, new Rng(7), numUsers);
        const a = generated.params.save();
        const b = reference.params.save();
        assert.deepEqual(Object.keys(a), Object.keys(b));
        for (const k of Object.keys(a)) assert.deepEqual(a[k], b[k], k);
        const ids = Int32Array.from({ length: 2 * 5 }, (_, i) => (i % 5 < 4 ? 1 + ((i * 7) % numItems) : 0));
        const fwd = { training: false, rng: new Rng(1), users: Int32Array.of(3, 0) };
        const ha = generated.hidden(ids, 2, 5, fwd);
        const hb = reference.hidden(ids, 2, 5, fwd);
        assert.deepEqual(Array.from(ha.dataSync()), Array.from(hb.dataSync()));
        // Scoring's last-position path through the generated layers (rt.at keeps each layer's applyLast).
        const pos = Int32Array.of(3, 3);
        const la = generated.hiddenLast(ids, 2, 5, fwd, pos);
        const lb = reference.hiddenLastReference(ids, 2, 5, fwd, pos);
        assert.ok(relErr(la.dataSync(), lb.dataSync()) < 1e-5, `${name}: hiddenLast`);
        tf.dispose([ha, hb, la, lb]);
        generated.dispose();
        reference.dispose();
      });
    }
  });

  it("an error inside a layer names the spec line that wrote it", () => {
    const failing: Module = { name: "boom", apply: () => { throw new Error("shapes do not match"); } };
    const wrapped = at("specs/x.rec:7", () => failing);
    assert.throws(() => wrapped.apply(tf.zeros([1, 1, 1]) as tf.Tensor3D, { training: false, rng: new Rng(1) }),
      (e: unknown) => e instanceof LayerError && e.message === "specs/x.rec:7: shapes do not match");
    assert.throws(() => at("specs/x.rec:9", () => { throw new Error("bad width"); }), /^LayerError: specs\/x\.rec:9: bad width$|specs\/x\.rec:9: bad width/);
  });
});
