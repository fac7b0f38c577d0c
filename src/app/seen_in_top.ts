/**
 * The seen-items diagnostic as the commands show it: how much of each user's top K their own
 * history takes (measured by eval/evaluate.ts in every evaluation). Run files record it as
 * `seen_in_top`, `{"10": {"slots": 0.123, "users": 0.456}, ...}`; folders from before it was
 * measured lack it, which reads "–".
 */
import * as t from "io-ts";
import type { SeenInTopFigures } from "../eval/types.js";

/** One split's figures in a run file, keyed by K. */
export const SeenInTopCodec = t.record(t.string, t.type({ slots: t.number, users: t.number }));

/** The figures of a finished run's kept weights, per split (metrics.json, `eval --json`). */
export interface SeenInTopSplits {
  readonly valid: SeenInTopFigures;
  readonly test: SeenInTopFigures;
}

/** A share as a percentage with one decimal, `12.3%`; "–" when absent. */
export const share = (x: number | undefined): string => (x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);

/** The K of any of `figures`, ascending. */
export const seenKs = (figures: readonly (SeenInTopFigures | null | undefined)[]): number[] =>
  [...new Set(figures.flatMap((f) => (f ? Object.keys(f).map(Number) : [])))].sort((a, b) => a - b);

/** `12.3% of slots, 45.6% of users` at K, or "–" when the figures (or their K) are absent. */
export const seenText = (figures: SeenInTopFigures | null | undefined, k: number): string => {
  const x = figures?.[String(k)];
  return x === undefined ? "–" : `${share(x.slots)} of slots, ${share(x.users)} of users`;
};

/**
 * One line per K, each labelled figure in turn:
 * `seen items in the top 10: valid 12.3% of slots, 45.6% of users; test 11.9% of slots, 44.0% of users`.
 * No lines when none of them has figures.
 */
export const seenLines = (labelled: readonly (readonly [string, SeenInTopFigures | null | undefined])[]): string[] =>
  seenKs(labelled.map(([, f]) => f)).map((k) => `seen items in the top ${k}: ${labelled.map(([label, f]) => `${label} ${seenText(f, k)}`).join("; ")}`);
