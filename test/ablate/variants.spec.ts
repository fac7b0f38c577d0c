import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { checkFile, checkText } from "../../src/check/index.js";
import { printSpec } from "../../src/ir/print.js";
import type { CheckedSpec, Layer } from "../../src/ir/spec.js";
import { formatSource } from "../../src/lang/format.js";
import { diffSpecs, equalModuloSpans } from "../../src/ir/diff.js";
import { ablationVariantsWithNotes, applySweep } from "../../src/ablate/variants.js";
import { buildAblation, defaultOutDir, isValid, writeVariants } from "../../src/ablate/generate.js";

const load = (file: string): CheckedSpec => {
  const r = checkFile(file);
  if (r._tag === "Left") throw new Error(r.left.map((d) => d.message).join("\n"));
  return r.right.spec;
};

const loadText = (text: string, file = "t.rec"): CheckedSpec => {
  const r = checkText(file, text);
  if (r._tag === "Left") throw new Error(r.left.map((d) => d.message).join("\n"));
  return r.right.spec;
};

const noAblate = (s: CheckedSpec): CheckedSpec => ({ ...s, ablate: [] });

const FFN = "ffn(inner: 256, activation: gelu, dropout: 0.2)";
const REPEAT_BODY = `mamba(d_state: 32, d_conv: 4, expand: 2, dt_rank: 4)  dropout(0.2)  layernorm(eps: 1e-12)  residual { ${FFN}  dropout(0.2) }  layernorm(eps: 1e-12)`;

/** The exact IR change each Mamba4Rec variant makes (against the base without its ablate section). */
const MAMBA4REC: Readonly<Record<string, readonly string[]>> = {
  "no-layernorm-1": ["- layers[1] layernorm(eps: 1e-12)"],
  "no-layernorm-2": ["- layers[2].body[2] layernorm(eps: 1e-12)"],
  "no-layernorm-3": ["- layers[2].body[4] layernorm(eps: 1e-12)"],
  "no-ffn": [`- layers[2].body[3] residual { ${FFN}  dropout(0.2) }`],
  "no-dropout-1": ["- layers[0] dropout(0.2)"],
  "no-dropout-2": ["- layers[2].body[1] dropout(0.2)"],
  "no-dropout-3": ["- layers[2].body[3].body[1] dropout(0.2)"],
  "no-residual": ["- layers[2].body[3] residual skip (body kept)"],
  "no-dropout-all": [
    "- layers[0] dropout(0.2)",
    "- layers[2].body[1] dropout(0.2)",
    "~ layers[2].body[3].body[0].dropout 0.2 -> 0",
    "- layers[2].body[3].body[1] dropout(0.2)",
  ],
  "plus-positional": ["+ layers[0] positional(max_len: 200)"],
  "plus-seen-aware": ["~ seen none -> recency"],
  "layers-2": ["~ layers[2].times 1 -> 2"],
  "layers-0": [`- layers[2] repeat 1 { ${REPEAT_BODY} }`],
  "d_state-8": ["~ layers[2].body[0].dState 32 -> 8"],
  "d_state-16": ["~ layers[2].body[0].dState 32 -> 16"],
  "d_state-64": ["~ layers[2].body[0].dState 32 -> 64"],
  "layers-3": ["~ layers[2].times 1 -> 3"],
};

describe("ablate: variants of specs/mamba4rec.rec", () => {
  const base = load("specs/mamba4rec.rec");
  const { variants, notes } = ablationVariantsWithNotes(base);

  it("generates exactly the expected variants, in order", () => {
    assert.deepEqual(variants.map((v) => v.id), Object.keys(MAMBA4REC));
    assert.deepEqual(notes, ["sweep layers: 2 gives the same spec as 'layers-2'; kept once"]);
  });

  for (const [id, expected] of Object.entries(MAMBA4REC)) {
    it(`${id} differs from the base exactly as stated`, () => {
      const v = variants.find((x) => x.id === id)!;
      assert.deepEqual(diffSpecs(noAblate(base), v.spec), expected);
      assert.deepEqual(v.spec.ablate, []);
      assert.doesNotMatch(v.description, /\bthe at\b|undefined|NaN/);
      assert.equal(v.spec.data, base.data);
      assert.equal(v.spec.train, base.train);
    });
  }

  it("every variant round-trips: printSpec -> formatter -> checkText gives the same IR", () => {
    const a = buildAblation(base, "specs/mamba4rec.rec", "/nonexistent/out");
    assert.deepEqual(a.rejected.map((r) => `${r.id}: ${r.reason}`), []);
    assert.equal(a.variants.length, variants.length);
    for (const v of a.variants) {
      const built = variants.find((x) => x.id === v.id)!;
      assert.ok(equalModuloSpans(v.spec, built.spec), v.id);
      // The text is the formatter's canonical form and names its base.
      const f = formatSource(v.file, v.text);
      assert.ok(f.ok && f.text === v.text, `${v.id} is not formatted`);
      assert.match(v.text, /^\/\/ Ablation of specs\/mamba4rec\.rec: /);
      // Printing the re-checked IR again gives the same IR (canonical).
      const again = checkText("again.rec", printSpec(v.spec));
      assert.ok(again._tag === "Right" && equalModuloSpans(again.right.spec, v.spec), v.id);
      assert.equal(v.file, `/nonexistent/out/mamba4rec--${v.id}.rec`);
    }
  });

  it("names the default folder specs/ablations/<base>", () => {
    assert.equal(defaultOutDir("specs/mamba4rec.rec"), join("specs", "ablations", "mamba4rec"));
  });

  it("the committed specs/ablations/mamba4rec/ is what `reccompile ablate specs/mamba4rec.rec` writes", () => {
    const a = buildAblation(base, "specs/mamba4rec.rec");
    const dir = defaultOutDir("specs/mamba4rec.rec");
    const hint = "regenerate with: node dist/cli/reccompile.js ablate specs/mamba4rec.rec";
    assert.deepEqual(readdirSync(dir).sort(), a.variants.map((v) => basename(v.file)).sort(), hint);
    for (const v of a.variants) assert.equal(readFileSync(v.file, "utf8"), v.text, `${v.file} is stale; ${hint}`);
  });
});

describe("ablate: other shapes", () => {
  it("SASRec (blocks inlined, positional present): removes the positional, unwraps each residual, sweeps heads", () => {
    const base = load("specs/sasrec.rec");
    const a = buildAblation(base, "specs/sasrec.rec", "/nonexistent");
    const ids = a.variants.map((v) => v.id);
    for (const id of ["no-positional", "no-residual-1", "no-residual-2", "layers-1", "layers-3", "heads-1", "heads-4"]) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes("plus-positional"));
    assert.ok(!ids.includes("heads-2"), "the base value is skipped");
    assert.deepEqual(a.variants.find((v) => v.id === "no-positional")!.diff, ["- layers[0] positional(max_len: 200)"]);
    assert.deepEqual(a.variants.find((v) => v.id === "heads-4")!.diff, ["~ layers[3].body[0].body[0].heads 2 -> 4"]);
    assert.deepEqual(a.rejected, []);
  });

  it("GRU4Rec (no repeat): no layer-count variants, and a note says why", () => {
    const base = load("specs/gru4rec.rec");
    const r = ablationVariantsWithNotes(base);
    assert.deepEqual(r.variants.map((v) => v.id), ["no-dropout", "plus-positional", "plus-seen-aware"]);
    assert.match(r.notes.join("\n"), /no `repeat`/);
  });

  it("the popularity model has no component variants", () => {
    const r = ablationVariantsWithNotes(load("specs/pop.rec"));
    assert.deepEqual(r.variants, []);
    assert.match(r.notes[0]!, /popularity/);
  });
});

const SMALL = (model: string, ablate: string): string => `model M {
  embedding items(dim: 32)
${model}
  output tied
}
data { max_len: 50 }
ablate { ${ablate} }
`;

const allLayers = (ls: readonly Layer[]): Layer[] => ls.flatMap((l) => (l.kind === "residual" || l.kind === "repeat" ? [l, ...allLayers(l.body)] : [l]));

describe("ablate: sweeps", () => {
  it("d_state changes every Mamba layer and nothing else", () => {
    const base = loadText(SMALL("  mamba(d_state: 16)\n  repeat 2 { mamba(d_state: 16) }", "d_state: [8]"));
    const v = ablationVariantsWithNotes(base).variants.find((x) => x.id === "d_state-8")!;
    assert.deepEqual(diffSpecs(noAblate(base), v.spec), ["~ layers[0].dState 16 -> 8", "~ layers[1].body[0].dState 16 -> 8"]);
  });

  it("layers sets the count of the outermost repeat only", () => {
    const base = loadText(SMALL("  repeat 2 { repeat 3 { layernorm } }", "layers: [4]"));
    const v = ablationVariantsWithNotes(base).variants.find((x) => x.id === "layers-4")!;
    assert.deepEqual(diffSpecs(noAblate(base), v.spec), ["~ layers[0].times 2 -> 4"]);
  });

  it("dim changes the width, and width-derived defaults follow it; the re-check computes the widths", () => {
    const base = loadText(SMALL("  mamba\n  ffn\n  linear(dim: 32)", "dim: [64]"));
    const v = ablationVariantsWithNotes(base).variants.find((x) => x.id === "dim-64")!;
    const a = buildAblation(base, "t.rec", "/nonexistent");
    assert.deepEqual(a.rejected, []);
    const kept = a.variants.find((x) => x.id === "dim-64")!;
    // The variant sets parameters; its widths are the checker's, and the header's diff shows them.
    assert.deepEqual(diffSpecs(noAblate(base), v.spec), ["~ embeddingDim 32 -> 64", "~ layers[0].dtRank 2 -> 4", "~ layers[1].inner 128 -> 256", "~ layers[2].outDim 32 -> 64"]);
    assert.deepEqual(kept.diff, [
      "~ embeddingDim 32 -> 64",
      "~ layers[0].inDim 32 -> 64", "~ layers[0].outDim 32 -> 64", "~ layers[0].dInner 64 -> 128", "~ layers[0].dtRank 2 -> 4",
      "~ layers[1].inDim 32 -> 64", "~ layers[1].outDim 32 -> 64", "~ layers[1].inner 128 -> 256",
      "~ layers[2].inDim 32 -> 64", "~ layers[2].outDim 32 -> 64",
    ]);
    const checked = kept.spec;
    const m = checked.model.kind === "sequence" ? checked.model : assert.fail();
    assert.equal(m.embeddingDim, 64);
    const [mamba, ffn, linear] = m.layers;
    assert.ok(mamba!.kind === "mamba" && mamba.dInner === 128 && mamba.dtRank === 4 && mamba.inDim === 64);
    assert.ok(ffn!.kind === "ffn" && ffn.inner === 256);
    assert.ok(linear!.kind === "linear" && linear.outDim === 64);
  });

  it("max_len changes data.max_len and every positional embedding", () => {
    const base = loadText(SMALL("  positional\n  layernorm", "max_len: [100]"));
    const v = ablationVariantsWithNotes(base).variants.find((x) => x.id === "max_len-100")!;
    assert.deepEqual(diffSpecs(noAblate(base), v.spec), ["~ layers[0].maxLen 50 -> 100", "~ data.maxLen 50 -> 100"]);
  });

  it("train sweeps change only the train section", () => {
    const base = loadText(SMALL("  layernorm", "lr: [0.01]  batch: [128]"));
    const vs = ablationVariantsWithNotes(base).variants;
    assert.deepEqual(diffSpecs(noAblate(base), vs.find((x) => x.id === "lr-0.01")!.spec), ["~ train.optimizer.lr 0.001 -> 0.01"]);
    assert.deepEqual(diffSpecs(noAblate(base), vs.find((x) => x.id === "batch-128")!.spec), ["~ train.batch 2048 -> 128"]);
  });

  it("every name the checker lets a sweep use is understood", () => {
    const base = loadText(SMALL("  positional\n  dropout(0.1)\n  layernorm\n  repeat 1 { mamba  attention  gru(hidden: 32)  residual { ffn } }\n  linear(dim: 32)", "layers: [2]"));
    for (const p of ["layers", "d_state", "d_conv", "expand", "dt_rank", "heads", "dropout", "rate", "eps", "hidden", "inner", "max_len", "dim", "lr", "batch", "epochs", "label_smoothing", "weight_decay"]) {
      assert.ok(applySweep(base, p, 2) !== undefined, p);
    }
  });

  it("the removal of a layer inside a repeat removes it from every copy, and the description says so", () => {
    const base = loadText(SMALL("  repeat 2 { mamba  layernorm }", "layers: [1]"));
    const v = ablationVariantsWithNotes(base).variants.find((x) => x.id === "no-layernorm")!;
    assert.match(v.description, /every repeated copy/);
    assert.deepEqual(diffSpecs(noAblate(base), v.spec), ["- layers[0].body[1] layernorm(eps: 1e-12)"]);
  });
});

describe("ablate: invalid variants", () => {
  it("are reported with the rendered diagnostics and not written", () => {
    const base = loadText(SMALL("  attention(heads: 2)", "heads: [3, 4]"));
    const dir = mkdtempSync(join(tmpdir(), "ablate-invalid-"));
    try {
      const a = buildAblation(base, "t.rec", dir);
      const bad = a.rejected.find((r) => r.id === "heads-3");
      assert.ok(bad, "heads-3 is rejected");
      assert.match(bad.reason, /t--heads-3\.rec:\d+:\d+: error REC\d{4}: 3 attention heads do not divide the width 32/);
      assert.match(bad.reason, /\^/);
      assert.deepEqual(bad.diff, ["~ layers[0].heads 2 -> 3"]);
      assert.ok(a.variants.every(isValid));
      assert.ok(a.variants.some((v) => v.id === "heads-4"));
      writeVariants(a);
      const files = readdirSync(dir);
      assert.ok(files.includes("t--heads-4.rec"));
      assert.ok(!files.includes("t--heads-3.rec"));
      assert.ok(!existsSync(join(dir, "t--heads-3.rec")));
      assert.equal(files.filter((f) => f.endsWith(".rec")).length, a.variants.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
