/**
 * `reccompile compare <run-dir>...`: validation curves of run folders side by side, epoch by epoch,
 * and finished runs per user against the first finished one.
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { compareTable, curve, loadRuns, pairedAgainstFirst } from "../../src/runner/compare.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("compare", argv, { metric: "value", every: "value", json: "boolean" });
  if (args.positional.length === 0) throw new UserError("reccompile compare: expected one or more run folders");
  const metric = stringFlag(args, "metric") ?? "ndcg@10";
  const every = intFlag("compare", args, "every", 1) ?? 1;
  const runs = loadRuns(args.positional);
  if (boolFlag(args, "json")) {
    const out = runs.map((r) => {
      const c = curve(r, metric);
      return {
        label: r.label, dir: r.dir, state: r.state, epochs: c.epochs, best: c.best,
        curve: [...c.points].map(([epoch, p]) => ({ epoch, ...p })), test: r.test,
      };
    });
    const { reference, rows } = pairedAgainstFirst(runs, metric);
    // JSON has no NaN: a p-value that cannot be computed is null.
    const paired = rows.map((p) => ({ ...p, relDelta: Number.isFinite(p.relDelta) ? p.relDelta : null, pT: Number.isFinite(p.pT) ? p.pT : null, pWilcoxon: Number.isFinite(p.pWilcoxon) ? p.pWilcoxon : null }));
    process.stdout.write(`${JSON.stringify({ metric, runs: out, paired: { reference, rows: paired } })}\n`);
    return 0;
  }
  process.stdout.write(`${compareTable(runs, { metric, every }).join("\n")}\n`);
  return 0;
};
