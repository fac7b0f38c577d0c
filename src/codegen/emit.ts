/**
 * Code generation: a checked spec becomes a readable TypeScript module that builds the model from
 * runtime layers in spec order and hands it to the shared trainer and evaluator.
 *
 * The emitted module is deterministic (same IR, same bytes) and compiles under `tsc --strict`.
 * Every layer line carries a `// <spec>:<line>` marker and the output shape; every layer is built
 * through `rt.at(...)`, which re-throws any error from that layer with the spec location.
 */
import { Project, type CodeBlockWriter, IndentationText, QuoteKind, NewLineKind } from "ts-morph";
import type { CheckedSpec, Layer, SequenceModel } from "../ir/spec.js";

export interface EmitOptions {
  /** How the spec file is named in comments and markers (relative to the project, e.g. "specs/mamba4rec.rec"). */
  readonly specPath: string;
  /** Module specifier of the runtime, relative to where the generated file will live. */
  readonly runtimeImport: string;
}

const marker = (specPath: string, layer: { origin: { span: { start: { line: number } } } }): string =>
  `${specPath}:${layer.origin.span.start.line}`;

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

/** The configuration part of a spec, without source spans (they are markers in the code instead). */
const configOf = (spec: CheckedSpec) => ({ data: spec.data, train: spec.train, eval: spec.eval });

interface LayerCall {
  readonly expr: string;
  readonly comment: string;
}

/** Emits one layer as a runtime factory call; `path` names its parameters ("layers.3.mamba"). */
const layerCall = (layer: Layer, path: string, specPath: string, w: (l: Layer, p: string) => string): LayerCall => {
  const at = marker(specPath, layer);
  const shape = `[batch, len, ${layer.outDim}]`;
  const wrap = (call: string): LayerCall => ({ expr: `rt.at(${JSON.stringify(at)}, () => ${call})`, comment: `${shape}  ${at}` });
  const name = JSON.stringify(path);
  switch (layer.kind) {
    case "dropout":
      return wrap(`rt.dropout(ctx, ${name}, ${literal({ rate: layer.rate })})`);
    case "layernorm":
      return wrap(`rt.layerNorm(ctx, ${name}, ${literal({ dim: layer.inDim, eps: layer.eps })})`);
    case "positional":
      return wrap(`rt.positional(ctx, ${name}, ${literal({ maxLen: layer.maxLen, dim: layer.inDim })})`);
    case "mamba":
      return wrap(`rt.mamba(ctx, ${name}, ${literal({ dim: layer.inDim, dState: layer.dState, dConv: layer.dConv, expand: layer.expand, dtRank: layer.dtRank })})`);
    case "attention":
      return wrap(`rt.attention(ctx, ${name}, ${literal({ dim: layer.inDim, heads: layer.heads, dropout: layer.dropout, causal: layer.causal })})`);
    case "gru":
      return wrap(`rt.gru(ctx, ${name}, ${literal({ inDim: layer.inDim, hidden: layer.hidden })})`);
    case "ffn":
      return wrap(`rt.ffn(ctx, ${name}, ${literal({ dim: layer.inDim, inner: layer.inner, activation: layer.activation, dropout: layer.dropout })})`);
    case "linear":
      return wrap(`rt.linear(ctx, ${name}, ${literal({ inDim: layer.inDim, outDim: layer.outDim, bias: layer.bias })})`);
    case "residual":
      return wrap(`rt.residual(${name}, [${w(layer, path)}])`);
    case "repeat":
      return wrap(`rt.sequential(${name}, rt.times(${layer.times}, (i) => rt.sequential(\`${path}.\${i}\`, [${w(layer, `${path}.\${i}`)}])))`);
  }
};

/** Writes a list of layers, one per line, each with its shape and spec marker. */
const writeLayers = (writer: CodeBlockWriter, layers: readonly Layer[], prefix: string, specPath: string): void => {
  layers.forEach((layer, index) => {
    const path = `${prefix}.${index}.${layer.kind}`;
    const nested = (parent: Layer, parentPath: string): string => {
      const body = parent.kind === "residual" || parent.kind === "repeat" ? parent.body : [];
      const parts = body.map((child, j) => {
        const childPath = `${parentPath}.${j}.${child.kind}`;
        const call = layerCall(child, childPath, specPath, nested);
        return `\n${call.expr}, // ${call.comment}`;
      });
      return `${parts.join("")}\n`;
    };
    const call = layerCall(layer, path, specPath, nested);
    writer.writeLine(`${call.expr}, // ${call.comment}`);
  });
};

const emitSequence = (writer: CodeBlockWriter, spec: CheckedSpec, model: SequenceModel, specPath: string): void => {
  writer.writeLine(`const items = rt.at(${JSON.stringify(marker(specPath, model))}, () => rt.itemEmbedding(ctx, "items", { numItems: ctx.numItems, dim: ${model.embeddingDim} })); // [batch, len, ${model.embeddingDim}]`);
  writer.write("const layers: rt.Module[] = [").newLine();
  writer.indent(() => writeLayers(writer, model.layers, "layers", specPath));
  writer.writeLine("];");
  const output = model.output === "tied" ? "rt.tiedOutput(items)" : `rt.linearOutput(ctx, "output", { numItems: ctx.numItems, dim: ${model.embeddingDim} })`;
  writer.writeLine(`return rt.sequenceNet(${JSON.stringify(spec.model.name)}, items, layers, ${output}); // scores: [batch, len, numItems + 1]`);
};

/** The generated TypeScript for one checked spec. */
export const emitModule = (spec: CheckedSpec, options: EmitOptions): string => {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double, newLineKind: NewLineKind.LineFeed },
  });
  const file = project.createSourceFile("generated.ts", "", { overwrite: true });
  const model = spec.model;
  file.insertStatements(0, [
    `// Generated by reccompile from ${options.specPath}. Do not edit: change the spec and run`,
    `// \`reccompile ${options.specPath}\` to regenerate. Each layer line ends with its output shape and spec line.`,
  ]);
  file.addImportDeclaration({ namespaceImport: "rt", moduleSpecifier: options.runtimeImport });
  file.addVariableStatement({
    isExported: true,
    declarationKind: "const" as never,
    docs: [`The resolved configuration of ${options.specPath}, every default filled in.`],
    declarations: [{ name: "config", type: "rt.RunConfig", initializer: literal(configOf(spec)) }],
  });
  if (model.kind === "popularity") {
    file.addFunction({
      isExported: true,
      name: "build",
      docs: [`${model.name}: scores are item counts in the training split (${marker(options.specPath, model)}).`],
      parameters: [{ name: "ctx", type: "rt.BuildContext" }],
      returnType: "rt.Model",
      statements: (w) => { w.writeLine(`return rt.popularity(ctx, ${JSON.stringify(model.name)});`); },
    });
  } else {
    file.addFunction({
      isExported: true,
      name: "build",
      docs: [`${model.name} as written in ${options.specPath}: item embedding, ${model.layers.length} layers, ${model.output} output.`],
      parameters: [{ name: "ctx", type: "rt.BuildContext" }],
      returnType: "rt.Model",
      statements: (w) => emitSequence(w, spec, model, options.specPath),
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
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return file.getFullText();
};
