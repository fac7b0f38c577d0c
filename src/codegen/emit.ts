/**
 * Code generation: a checked spec becomes a readable TypeScript module that builds the model from
 * runtime layers in spec order and hands it to the shared trainer and evaluator.
 *
 * The emitted module is deterministic (same IR, same bytes) and compiles under `tsc --strict`.
 * Every layer line carries a `// <spec>:<line>` marker and the output shape; every layer is built
 * through `rt.at(...)`, which re-throws any error from that layer with the spec location.
 */
import { Project, type CodeBlockWriter, IndentationText, QuoteKind, NewLineKind } from "ts-morph";
import { isAbsolute, sep } from "node:path";
import type { CheckedSpec, Layer, SequenceModel } from "../ir/spec.js";
import type { Span } from "../lang/span.js";
import { layerCall, repeatChildPath, repeatCopyPath, residualChildPath, topPath } from "../runtime/layer_calls.js";
import { posixRelative } from "../util/paths.js";

export interface EmitOptions {
  /** How the spec file is named in comments and markers (relative to the project, e.g. "specs/mamba4rec.rec"). */
  readonly specPath: string;
  /** Module specifier of the runtime, relative to where the generated file will live. */
  readonly runtimeImport: string;
}

/** `file:line` of a layer's source; layers from imported block definitions name their own file. */
const marker = (specPath: string, layer: { origin: { span: Span } }): string => {
  const file = layer.origin.span.file;
  const shown = file === "" ? specPath : isAbsolute(file) ? posixRelative(process.cwd(), file) : file.split(sep).join("/");
  return `${shown}:${layer.origin.span.start.line}`;
};

/**
 * Text for a comment: paths and file names are the user's, so a `*\/`, a line break or a quote in
 * one must not end the comment or the line (it is escaped as in a string literal); ordinary paths
 * come out unchanged.
 */
const commentSafe = (text: string): string =>
  JSON.stringify(text).slice(1, -1).replace(/\*\//g, "*\\/").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** A JS literal for a plain value, keys in the order given (deterministic). */
const literal = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`).join(", ")} }`;
  }
  if (typeof value === "number") {
    if (Number.isInteger(value) || Math.abs(value) >= 1e-4) return String(value);
    return value.toExponential();
  }
  return JSON.stringify(value);
};

/** A multi-line literal: objects with more than `inline` characters break one property per line. */
const pretty = (value: unknown, indent = ""): string => {
  const flat = literal(value);
  if (flat.length + indent.length <= 100 || value === null || typeof value !== "object") return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${pretty(v, inner)},`).join("\n")}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${k}: ${pretty(v, inner)},`).join("\n")}\n${indent}}`;
};

/** The configuration part of a spec, without source spans (they are markers in the code instead). */
const configOf = (spec: CheckedSpec) => ({ data: spec.data, train: spec.train, eval: spec.eval });

/** A string or template literal for a parameter path; repeat copies contain `${r0}`-style indices. */
const pathExpr = (path: string): string => (path.includes("${") ? `\`${path}\`` : JSON.stringify(path));

/**
 * One layer as the runtime factory call that `buildLayers` makes for it (runtime/layer_calls.ts),
 * under the same parameter path, so generated code and `SequenceNet.fromIR` create the same
 * parameters in the same order. Repeat copies index their paths with `${r0}`, `${r1}`, ...
 */
const writeLayer = (w: CodeBlockWriter, layer: Layer, path: string, specPath: string, depth: number): void => {
  const at = marker(specPath, layer);
  const atComment = commentSafe(at);
  const name = pathExpr(path);
  switch (layer.kind) {
    case "residual":
      w.writeLine(`rt.residual(${name}, [ // x + body(x)  ${atComment}`);
      w.indent(() => layer.body.forEach((child, j) => writeLayer(w, child, residualChildPath(path, j, child), specPath, depth)));
      w.writeLine("]),");
      return;
    case "repeat": {
      const r = `r${depth}`;
      const copy = repeatCopyPath(path, `\${${r}}`);
      w.writeLine(`rt.sequential(${name}, rt.times(${layer.times}, (${r}) => rt.sequential(\`${copy}\`, [ // ${layer.times} ${layer.times === 1 ? "copy" : "copies"}  ${atComment}`);
      w.indent(() => layer.body.forEach((child, j) => writeLayer(w, child, repeatChildPath(copy, j, child), specPath, depth + 1)));
      w.writeLine("]))),");
      return;
    }
    default: {
      const call = layerCall(layer);
      w.writeLine(`rt.at(${JSON.stringify(at)}, () => rt.${call.factory}(ctx, ${name}, ${literal(call.options)})), // [batch, len, ${layer.outDim}]`);
    }
  }
};

const emitSequence = (w: CodeBlockWriter, model: SequenceModel, specPath: string): void => {
  w.writeLine(`const items = rt.at(${JSON.stringify(marker(specPath, model))}, () => rt.itemEmbedding(ctx, "item_embedding", { numItems: ctx.numItems, dim: ${model.embeddingDim}${model.maskToken ? ", maskToken: true" : ""} })); // [batch, len, ${model.embeddingDim}]`);
  w.writeLine("const layers: rt.Module[] = [");
  w.indent(() => model.layers.forEach((layer, i) => writeLayer(w, layer, topPath(i, layer), specPath, 0)));
  w.writeLine("];");
  const opts = [...(model.seen === "none" ? [] : [`seen: ${JSON.stringify(model.seen)}`]), ...(model.maskToken ? ["maskToken: true"] : [])];
  const options = opts.length === 0 ? "" : `, { ${opts.join(", ")} }`;
  w.writeLine(`return rt.sequenceNet(ctx, items, layers, ${JSON.stringify(model.output)}${options}); // scores: [batch, len, numItems + 1]`);
};

/** The layers in spec order, repeats and residuals with their bodies: `dropout, 2 x [mamba, residual(ffn, dropout)]`. */
const outline = (layers: readonly Layer[]): string =>
  layers.map((l) => (l.kind === "residual" ? `residual(${outline(l.body)})` : l.kind === "repeat" ? `${l.times} x [${outline(l.body)}]` : l.kind)).join(", ");

/** The generated TypeScript for one checked spec. */
export const emitModule = (spec: CheckedSpec, options: EmitOptions): string => {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double, newLineKind: NewLineKind.LineFeed },
  });
  const shownPath = commentSafe(options.specPath);
  const header = [
    `// Generated by reccompile from ${shownPath}. Do not edit: change the spec and run`,
    `// \`reccompile ${shownPath}\` to regenerate. Each layer line ends with its output shape and spec line.`,
    "",
  ].join("\n");
  const file = project.createSourceFile("generated.ts", header, { overwrite: true });
  const model = spec.model;
  file.addStatements((w) => {
    w.writeLine(`import * as rt from ${JSON.stringify(options.runtimeImport)};`).blankLine();
    w.writeLine(`/** The resolved configuration of ${shownPath}, every default filled in. */`);
    w.writeLine(`export const config: rt.RunConfig = ${pretty(configOf(spec))};`);
  });
  if (model.kind === "popularity") {
    file.addFunction({
      isExported: true,
      name: "build",
      docs: [`${model.name}: scores are item counts in the training split (${commentSafe(marker(options.specPath, model))}).`],
      parameters: [{ name: "ctx", type: "rt.BuildContext" }],
      returnType: "rt.Model",
      statements: (w) => { w.writeLine(`return rt.popularity(ctx, ${JSON.stringify(model.name)});`); },
    });
  } else {
    file.addFunction({
      isExported: true,
      name: "build",
      docs: [`${model.name} as written in ${shownPath}: item embedding; ${outline(model.layers)}; ${model.output} output${model.seen === "none" ? "" : `, seen-aware (${model.seen})`}.`],
      parameters: [{ name: "ctx", type: "rt.BuildContext" }],
      returnType: "rt.Model",
      statements: (w) => emitSequence(w, model, options.specPath),
    });
  }
  file.addFunction({
    isExported: true,
    isAsync: true,
    name: "run",
    docs: ["Trains and evaluates this model with the shared trainer and evaluator."],
    parameters: [{ name: "options", type: "rt.RunOptions" }],
    returnType: "Promise<rt.RunResult>",
    statements: [`return rt.runModel({ name: ${JSON.stringify(model.name)}, spec: ${JSON.stringify(options.specPath)}, config, build }, options);`],
  });
  return file.getFullText();
};
