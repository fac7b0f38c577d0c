/**
 * The tables of docs/results.md's seen-items section: pairs of finished runs (a spec and the same
 * spec with a seen-aware output, or any two runs on the same data), each scored on test under the
 * paper's protocol (seen items kept: the runs' own ranks.json) and with the users' seen items removed
 * (`reccompile eval --seen exclude`, recomputed here), with the paired per-user tests of the second
 * against the first, and how much of the top 10 seen items take.
 *
 *   npx tsx scripts/seen-table.ts --pair LABEL BASE_RUN OTHER_RUN [--pair ...] [--json]
 *
 * Prints Markdown rows (or one JSON object with --json). Reads run folders only; writes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evalRun } from "../src/app/eval.js";
import { compareRanks } from "../src/eval/metrics.js";
import type { Metric } from "../src/ir/spec.js";

const METRICS: readonly Metric[] = [{ name: "hr", k: 10 }, { name: "ndcg", k: 10 }, { name: "mrr", k: 10 }];

interface Scored {
  readonly test: Record<string, number>;
  readonly ranks: Int32Array;
  /** Top-10 seen-items figures on test. */
  readonly seen: { readonly slots: number; readonly users: number } | null;
}

const quiet = { write: (): boolean => true } as unknown as NodeJS.WriteStream;

/** A run's test figures, kept (its own files) or with seen items excluded (scored again). */
const score = async (run: string, protocol: "kept" | "filtered"): Promise<Scored> => {
  if (protocol === "kept") {
    const m = JSON.parse(readFileSync(join(run, "metrics.json"), "utf8")) as { test: Record<string, number>; seen_in_top?: { test?: Record<string, { slots: number; users: number }> } };
    const ranks = JSON.parse(readFileSync(join(run, "ranks.json"), "utf8")) as { test: number[] };
    return { test: m.test, ranks: Int32Array.from(ranks.test), seen: m.seen_in_top?.test?.["10"] ?? null };
  }
  const r = await evalRun({ runDir: run, format: "auto", backend: "auto", seen: "exclude", log: quiet });
  return { test: r.test, ranks: r.ranks.test, seen: r.seenInTop.test["10"] ?? null };
};

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const p = (x: number): string => (x < 1e-4 ? "<1e-4" : x.toFixed(4));

const args = process.argv.slice(2);
const pairs: { label: string; base: string; other: string }[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--pair") {
    const [label, base, other] = args.slice(i + 1, i + 4);
    if (!label || !base || !other) throw new Error("--pair needs LABEL BASE_RUN OTHER_RUN");
    pairs.push({ label, base, other });
    i += 3;
  }
}
if (pairs.length === 0) {
  process.stderr.write("usage: npx tsx scripts/seen-table.ts --pair LABEL BASE_RUN OTHER_RUN [--pair ...] [--json]\n");
  process.exit(1);
}

const out: unknown[] = [];
const rows: string[] = [
  "| pair | protocol | run | HR@10 | NDCG@10 | MRR@10 | seen in top 10 (slots / users) |",
  "|---|---|---|---|---|---|---|",
];
for (const pair of pairs) {
  for (const protocol of ["kept", "filtered"] as const) {
    const a = await score(pair.base, protocol);
    const b = await score(pair.other, protocol);
    const tests = METRICS.map((m) => ({ metric: `${m.name}@${m.k}`, ...compareRanks(m, b.ranks, a.ranks) }));
    const seen = (s: Scored): string => (s.seen ? `${pct(s.seen.slots)} / ${pct(s.seen.users)}` : "–");
    rows.push(`| ${pair.label} | ${protocol} | ${pair.base} | ${METRICS.map((m) => a.test[`${m.name}@${m.k}`]!.toFixed(4)).join(" | ")} | ${seen(a)} |`);
    const cells = tests.map((t) => {
      const rel = (t.a - t.b) / t.b;
      return `${t.a.toFixed(4)} (${t.a >= t.b ? "+" : "−"}${(100 * Math.abs(rel)).toFixed(1)}%, p ${p(t.pT)} / ${p(t.pWilcoxon)})`;
    });
    rows.push(`| | | ${pair.other} | ${cells.join(" | ")} | ${seen(b)} |`);
    out.push({ pair: pair.label, protocol, base: { run: pair.base, test: a.test, seen: a.seen }, other: { run: pair.other, test: b.test, seen: b.seen }, tests });
  }
}
process.stdout.write(args.includes("--json") ? `${JSON.stringify(out)}\n` : `${rows.join("\n")}\n`);
