/** `reccompile explain <file.rec> [--items N] [--json]`: resolved spec, layer shapes, parameters, FLOPs per token. */
import { isLeft } from "fp-ts/lib/Either.js";
import { boolFlag, intFlag, parseArgs } from "../args.js";
import { checkFileDetailed } from "../../src/check/index.js";
import { isError } from "../../src/lang/diagnostic.js";
import { renderDiagnostics } from "../../src/lang/render.js";
import { explain, renderExplained } from "../../src/ir/explain.js";
import { printSpec } from "../../src/ir/print.js";
import { UserError } from "../../src/util/errors.js";

/** ML-1M after 5-core filtering, the paper's main dataset. */
const DEFAULT_ITEMS = 3416;

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("explain", argv, { items: "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError("usage: reccompile explain <file.rec> [--items N] [--json]");
  const file = args.positional[0]!;
  const items = intFlag("explain", args, "items", 1, 1e9) ?? DEFAULT_ITEMS;
  const o = checkFileDetailed(file);
  if (isLeft(o.result)) {
    process.stderr.write(renderDiagnostics(o.result.left, o.sources));
    if (o.library && !o.result.left.some(isError)) process.stderr.write(`${file} only defines blocks: nothing to explain\n`);
    return 1;
  }
  const { spec, warnings } = o.result.right;
  if (warnings.length > 0) process.stderr.write(renderDiagnostics(warnings, o.sources));
  const e = explain(spec, items);
  if (boolFlag(args, "json")) {
    const strip = (k: string, v: unknown): unknown => (k === "origin" || k === "span" ? undefined : v);
    process.stdout.write(`${JSON.stringify({ file: spec.file, model: spec.model.name, items, parameters: e.totalParams, flops_per_token: e.flopsPerToken, flop_convention: e.flopConvention, layers: e.layers, spec: JSON.parse(JSON.stringify(spec, strip)) })}\n`);
  } else process.stdout.write(renderExplained(e, printSpec(spec)));
  return 0;
};
