/**
 * Ablation variants of a checked spec, built on the IR (pure: nothing is read or written here).
 *
 * What is generated, in this order:
 *  - `no-<kind>[-N]`: each optional component removed: every LayerNorm, FFN, dropout layer and
 *    positional embedding (N numbers the components of one kind in spec order, 1-based, and is left out
 *    when there is only one). A layer inside `repeat` is one component (all copies go together).
 *    Where a removal leaves a residual body with nothing but dropout (x + dropout(x) is no sub-block),
 *    the residual goes too, and the description says so.
 *  - `no-residual[-N]`: each residual wrapper unwrapped: its body stays, the skip connection goes.
 *  - `no-dropout-all`: every dropout layer removed and every attention/FFN dropout set to 0, when that
 *    differs from each single removal.
 *  - `plus-positional`: a learned positional embedding (max_len = data.max_len) right after the item
 *    embedding, when the model has none (otherwise each is removed, above).
 *  - `no-seen-aware` / `plus-seen-aware`: the seen-aware output adjustment removed, or added in its
 *    recency form (`output tied(seen: recency)`) when the model has none.
 *  - `layers-<T±1>`: the layer count plus and minus one. The layer count is the `times` of every
 *    outermost `repeat` (one not inside another repeat); minus one from 1 removes the repeat, so
 *    `layers-0` is the model without its repeated stack. A model without `repeat` gets no layer-count
 *    variants (a note says so): which layers form "one layer" is not knowable from a flat list, and
 *    the checker's hint for `ablate { layers }` is the same: wrap the stack in `repeat 1 { … }`.
 *  - `<param>-<value>`: one variant per value of each sweep in `spec.ablate` (one parameter at a time,
 *    not a grid). Values equal to the base's are skipped; a sweep variant equal to an earlier variant
 *    keeps the earlier id. See `applySweep` for what each parameter name changes.
 * Variants carry no `ablate` (nor `tune`) section: they are points of the study, not studies of their own.
 * A variant sets parameters only. Its widths (inDim, outDim, dInner) are the checker's to compute:
 * generate.ts prints the variant and checks it again, which decides whether it is valid, and keeps
 * the re-checked IR.
 */
import { printSpec } from "../ir/print.js";
import type { CheckedSpec, Layer } from "../ir/spec.js";
import { layerText } from "../ir/diff.js";
import { applySweep, mapDeep, setLayerCount, withLayers, withoutStudies } from "../ir/sweep.js";

/** The sweep (src/ir/sweep.ts), as this module has always exported it. */
export { applySweep, SWEEP_PARAMS } from "../ir/sweep.js";

export interface Variant {
  /** Short, file-name safe: `no-ffn`, `no-layernorm-2`, `plus-positional`, `layers-2`, `d_state-8`. */
  readonly id: string;
  /** One sentence: what changed against the base. */
  readonly description: string;
  /** The base with the variant's parameters; its widths are still the base's (see the module comment). */
  readonly spec: CheckedSpec;
}

export interface Variants {
  readonly variants: Variant[];
  /** Why some expected variants were not generated (no repeat, base value in a sweep, duplicates). */
  readonly notes: string[];
}

type Path = readonly number[];

const pathText = (p: Path): string => p.map((i, k) => (k === 0 ? `layers[${i}]` : `body[${i}]`)).join(".");

const ORDINAL = (n: number): string => `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;

/** Every layer with its path, pre-order (a compound layer before its body). */
const walk = (layers: readonly Layer[], prefix: Path = [], insideRepeat = false): { path: Path; layer: Layer; insideRepeat: boolean }[] =>
  layers.flatMap((l, i) => {
    const path = [...prefix, i];
    const self = { path, layer: l, insideRepeat };
    return l.kind === "residual" || l.kind === "repeat" ? [self, ...walk(l.body, path, insideRepeat || l.kind === "repeat")] : [self];
  });

/** Two variants are the same study point when they set the same parameters: when they print the same. */
const sameParameters = (a: CheckedSpec, b: CheckedSpec): boolean => printSpec(a) === printSpec(b);

const onlyDropout = (body: readonly Layer[]): boolean => body.every((l) => l.kind === "dropout");

/**
 * Removes the layer at `path`. A residual left with only dropout (or nothing) is removed as well;
 * an empty repeat likewise. Returns the new layers and what else was removed.
 */
const removeAt = (layers: readonly Layer[], path: Path, prefix: Path = []): { layers: Layer[]; alsoRemoved: string | null } => {
  const [head, ...rest] = path;
  if (rest.length === 0) return { layers: layers.filter((_, i) => i !== head), alsoRemoved: null };
  const parent = layers[head!]!;
  if (parent.kind !== "residual" && parent.kind !== "repeat") throw new Error(`ablate: no body at ${pathText(path)}`);
  const inner = removeAt(parent.body, rest, [...prefix, head!]);
  if (inner.alsoRemoved === null && (inner.layers.length === 0 || (parent.kind === "residual" && onlyDropout(inner.layers)))) {
    return { layers: layers.filter((_, i) => i !== head), alsoRemoved: parent.kind === "residual"
      ? `its residual wrapper at ${pathText([...prefix, head!])}, whose body had nothing else but dropout`
      : `the repeat at ${pathText([...prefix, head!])}, left empty` };
  }
  return { layers: layers.map((l, i) => (i === head ? { ...parent, body: inner.layers } : l)), alsoRemoved: inner.alsoRemoved };
};

const replaceAt = (layers: readonly Layer[], path: Path, f: (l: Layer) => Layer[]): Layer[] => {
  const [head, ...rest] = path;
  return layers.flatMap((l, i) => {
    if (i !== head) return [l];
    if (rest.length === 0) return f(l);
    if (l.kind !== "residual" && l.kind !== "repeat") throw new Error(`ablate: no body at ${pathText(path)}`);
    return [{ ...l, body: replaceAt(l.body, rest, f) }];
  });
};

const NAMES: Partial<Record<Layer["kind"], string>> = {
  layernorm: "LayerNorm", ffn: "FFN", dropout: "dropout", positional: "positional embedding", residual: "residual connection",
};

/** The outermost repeats: those not inside another repeat. */
const outermostRepeats = (layers: readonly Layer[]): Path[] =>
  walk(layers).filter((x) => x.layer.kind === "repeat" && !x.insideRepeat).map((x) => x.path);

const sweepValueText = (v: number): string => String(v);

/** All variants of `spec` (see the module comment), with notes on what was not generated. */
export const ablationVariants = (spec: CheckedSpec): Variant[] => ablationVariantsWithNotes(spec).variants;

export const ablationVariantsWithNotes = (spec: CheckedSpec): Variants => {
  const m = spec.model;
  const variants: Variant[] = [];
  const notes: string[] = [];
  const add = (v: Variant, source: string): void => {
    const same = variants.find((x) => x.id === v.id || sameParameters(x.spec, v.spec));
    if (same) { notes.push(`${source} gives the same spec as '${same.id}'; kept once`); return; }
    variants.push(v);
  };
  if (m.kind === "sequence") {
    const all = walk(m.layers);
    // Component removals.
    for (const kind of ["layernorm", "ffn", "dropout", "positional"] as const) {
      const sites = all.filter((x) => x.layer.kind === kind);
      sites.forEach((site, k) => {
        const id = sites.length === 1 ? `no-${kind}` : `no-${kind}-${k + 1}`;
        const r = removeAt(m.layers, site.path);
        const which = sites.length === 1 ? `the ${NAMES[kind]}` : `the ${ORDINAL(k + 1)} of ${sites.length} ${NAMES[kind]}s`;
        add({
          id,
          description: `remove ${which}, ${layerText(site.layer)} at ${pathText(site.path)}${site.insideRepeat ? " (every repeated copy)" : ""}${r.alsoRemoved ? `, and ${r.alsoRemoved}` : ""}`,
          spec: withLayers(spec, m, r.layers),
        }, id);
      });
    }
    const residuals = all.filter((x) => x.layer.kind === "residual");
    residuals.forEach((site, k) => {
      const id = residuals.length === 1 ? "no-residual" : `no-residual-${k + 1}`;
      const body = (site.layer as Extract<Layer, { kind: "residual" }>).body;
      add({
        id,
        description: `drop the skip connection of ${residuals.length === 1 ? "the residual" : `the ${ORDINAL(k + 1)} of ${residuals.length} residuals`} at ${pathText(site.path)}, keeping its body (${body.map(layerText).join(", ")})`,
        spec: withLayers(spec, m, replaceAt(m.layers, site.path, () => [...body])),
      }, id);
    });
    // Every dropout at once.
    const dropoutSites = all.filter((x) => x.layer.kind === "dropout" || ((x.layer.kind === "ffn" || x.layer.kind === "attention") && x.layer.dropout > 0));
    if (dropoutSites.length >= 2) {
      const layers = mapDeep(m.layers, (l) => (l.kind === "dropout" ? null : l.kind === "ffn" || l.kind === "attention" ? { ...l, dropout: 0 } : l));
      add({ id: "no-dropout-all", description: "remove every dropout layer and set every attention and FFN dropout to 0", spec: withLayers(spec, m, layers) }, "no-dropout-all");
    }
    // Positional embedding.
    if (!all.some((x) => x.layer.kind === "positional")) {
      const pos: Layer = { kind: "positional", origin: m.origin, inDim: m.embeddingDim, outDim: m.embeddingDim, maxLen: spec.data.maxLen };
      add({ id: "plus-positional", description: `add a learned positional embedding, positional(max_len: ${spec.data.maxLen}), right after the item embedding`, spec: withLayers(spec, m, [pos, ...m.layers]) }, "plus-positional");
    }
    // The seen-aware output: removed when the model has one, else added (recency buckets, its main form).
    if (m.seen !== "none") {
      add({ id: "no-seen-aware", description: `remove the seen-aware output adjustment (output ${m.output}(seen: ${m.seen}) -> output ${m.output})`, spec: { ...withoutStudies(spec), model: { ...m, seen: "none" } } }, "no-seen-aware");
    } else if (spec.train.targets === "masked") {
      notes.push("no plus-seen-aware: a seen-aware output does not combine with targets: masked (REC3011)");
    } else {
      add({ id: "plus-seen-aware", description: `add a learned recency bias for the items already in the input (output ${m.output} -> output ${m.output}(seen: recency))`, spec: { ...withoutStudies(spec), model: { ...m, seen: "recency" } } }, "plus-seen-aware");
    }
    // Layer count.
    const repeats = outermostRepeats(m.layers).map((p) => all.find((x) => x.path.join() === p.join())!.layer as Extract<Layer, { kind: "repeat" }>);
    if (repeats.length === 0) {
      notes.push("the model has no `repeat`, so there are no layer-count variants (wrap the repeated layers in `repeat 1 { … }`)");
    } else {
      const times = [...new Set(repeats.map((r) => r.times))];
      const one = times.length === 1 ? times[0]! : undefined;
      const what = repeats.length === 1 ? "the repeated stack" : `each of the ${repeats.length} outermost repeats`;
      for (const d of [1, -1]) {
        const id = one !== undefined ? `layers-${one + d}` : `layers-${d > 0 ? "plus" : "minus"}-1`;
        const description = one !== undefined && one + d === 0
          ? `remove ${what} (repeat ${one} { … }): zero layers`
          : `${d > 0 ? "one more" : "one fewer"} copy of ${what}${one !== undefined ? ` (repeat ${one} -> ${one + d})` : ""}`;
        add({ id, description, spec: withLayers(spec, m, setLayerCount(m.layers, (t) => t + d)) }, id);
      }
    }
  } else {
    notes.push(`'${m.name}' is a popularity model: it has no components to remove; only its sweeps apply`);
  }
  // Declared sweeps.
  for (const sweep of spec.ablate) {
    for (const value of sweep.values) {
      const id = `${sweep.param}-${sweepValueText(value)}`;
      const s = applySweep(spec, sweep.param, value);
      if (s === undefined) { notes.push(`sweep '${sweep.param}' is not supported by the ablation generator; skipped`); break; }
      if (sameParameters(s, withoutStudies(spec))) { notes.push(`sweep ${sweep.param}: ${value} is the base's value; skipped`); continue; }
      add({ id, description: `sweep ${sweep.param} = ${sweepValueText(value)}${sweep.param === "layers" ? " (count of the outermost repeat)" : ""}`, spec: s }, `sweep ${sweep.param}: ${value}`);
    }
  }
  return { variants, notes };
};
