import { strict as assert } from "node:assert";
import type { CallLayer, ModelDef } from "../../src/lang/ast.js";
import { parseText } from "../../src/lang/parse.js";
import { decodeArgs, type Sink } from "../../src/check/decode.js";
import { camelCase, LAYERS, SECTIONS, type Args } from "../../src/check/params.js";

/** The first layer call of `model M { embedding items(dim: 8) <layer> }`. */
const callOf = (layer: string): CallLayer => {
  const { ast } = parseText("t.rec", `model M {\n  embedding items(dim: 8)\n  ${layer}\n}\n`);
  const model = ast!.items.find((i): i is ModelDef => i.kind === "ModelDef")!;
  return model.body.find((l): l is CallLayer => l.kind === "CallLayer")!;
};

const decodeLayer = (layer: string, width: number): { args: Args<typeof LAYERS.mamba.params> | undefined; sink: Sink } => {
  const call = callOf(layer);
  const sink: Sink = { diags: [] };
  const args = decodeArgs(call.args, LAYERS.mamba.params, LAYERS.mamba.positional, "'mamba'", call.span, { sink, scope: null, defaults: { width, dataMaxLen: 50 } });
  return { args, sink };
};

describe("decodeArgs: typed arguments", () => {
  it("gives a layer's arguments under camelCase names, with the context's defaults", () => {
    const { args, sink } = decodeLayer("mamba(d_conv: 2, dt_init: mamba)", 100);
    assert.deepEqual(sink.diags, []);
    assert.deepEqual(args, { dState: 16, dConv: 2, expand: 2, dtRank: Math.ceil(100 / 16), dtInit: "mamba" });
  });

  it("is undefined, with the diagnostic, when an argument does not fit", () => {
    const { args, sink } = decodeLayer("mamba(d_state: 0)", 64);
    assert.equal(args, undefined);
    assert.deepEqual(sink.diags.map((d) => d.message), ["'d_state' of 'mamba' must be >= 1, got 0"]);
  });

  it("camelCase at run time agrees with the table's names", () => {
    assert.equal(camelCase("d_state"), "dState");
    assert.equal(camelCase("min_lr_ratio"), "minLrRatio");
    assert.equal(camelCase("beta1"), "beta1");
    const names = [...Object.values(LAYERS).flatMap((l) => Object.keys(l.params)), ...Object.values(SECTIONS).flatMap((t) => Object.keys(t))];
    for (const n of names) assert.match(camelCase(n), /^[a-z][A-Za-z0-9]*$/, n);
  });
});
