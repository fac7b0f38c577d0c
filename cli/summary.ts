/** The table printed at the end of a run. */
import type { RunResult } from "../src/app/run_model.js";
import { seenLines } from "../src/app/seen_in_top.js";

export const printSummary = (out: { write(s: string): unknown }, r: RunResult, runDir: string): void => {
  const keys = [...new Set([...Object.keys(r.valid), ...Object.keys(r.test)])];
  const w = Math.max(6, ...keys.map((k) => k.length));
  const lines = [
    `${r.model} on ${r.dataset} (${r.users} users, ${r.items} items): ${r.epochs} epochs${r.best_epoch === null ? "" : `, best ${r.best_epoch}`}, ${r.seconds.toFixed(1)} s, ${r.tokens_per_s} targets/s, peak ${r.peak_rss_mb} MB`,
    `${"metric".padEnd(w)}  ${"valid".padStart(7)}  ${"test".padStart(7)}`,
    ...keys.map((k) => `${k.padEnd(w)}  ${(r.valid[k] ?? NaN).toFixed(4).padStart(7)}  ${(r.test[k] ?? NaN).toFixed(4).padStart(7)}`),
    ...seenLines([["valid", r.seen_in_top?.valid], ["test", r.seen_in_top?.test]]),
    `run folder: ${runDir}`,
  ];
  out.write(`${lines.join("\n")}\n`);
};
