/**
 * The trials of a `tune { … }` search (pure: nothing is read or written here). A trial is a point of
 * the search space: one value per searched parameter. `gridPoints` enumerates a finite space as a
 * cartesian product; `randomPoints` draws points from the seeded generator (src/util/rng.ts), so the
 * same seed gives the same trials on every machine; `trialPoints` chooses by the algorithm, and
 * `applyPoint` sets a point on the base spec through `applySweep`.
 */
import { Rng } from "../util/rng.js";
import type { CheckedSpec, Distribution, TuneConfig } from "./spec.js";
import { applySweep, withoutStudies } from "./sweep.js";

/** One value per searched parameter, in the space's order. */
export type Point = readonly { readonly param: string; readonly value: number }[];

/** Drawn reals keep this many significant digits: they are written into spec files and read by people. */
export const SIGNIFICANT_DIGITS = 4;

const round = (x: number, low: number, high: number): number => Math.min(high, Math.max(low, Number(x.toPrecision(SIGNIFICANT_DIGITS))));

/**
 * One value of `d`: choice picks a listed value uniformly; uniform draws low + u * (high - low);
 * log_uniform draws exp(log low + u * (log high - log low)) (each decade equally likely); both are
 * rounded to SIGNIFICANT_DIGITS, within [low, high]; int_uniform picks an integer of [low, high].
 */
export const sample = (d: Distribution, rng: Rng): number => {
  switch (d.kind) {
    case "choice": return d.values[rng.int(d.values.length)]!;
    case "uniform": return round(d.low + rng.uniform() * (d.high - d.low), d.low, d.high);
    case "log_uniform": return round(Math.exp(Math.log(d.low) + rng.uniform() * (Math.log(d.high) - Math.log(d.low))), d.low, d.high);
    case "int_uniform": return d.low + rng.int(d.high - d.low + 1);
  }
};

/** The values of a finite distribution in order (choice as listed, int_uniform ascending); null for a continuous one. */
export const finiteValues = (d: Distribution): readonly number[] | null =>
  d.kind === "choice" ? d.values
    : d.kind === "int_uniform" ? Array.from({ length: d.high - d.low + 1 }, (_, i) => d.low + i)
      : null;

/** How many points the space has: the product of its finite sizes; Infinity when a range is continuous. */
export const spaceSize = (space: TuneConfig["space"]): number =>
  space.reduce((n, s) => n * (finiteValues(s.distribution)?.length ?? Infinity), 1);

/**
 * Every point of a finite space, as nested loops in spec order: the first parameter varies slowest,
 * the last fastest. Throws on a continuous range (the checker refuses `grid` over one).
 */
export const gridPoints = (space: TuneConfig["space"]): Point[] =>
  space.reduce<Point[]>((points, s) => {
    const values = finiteValues(s.distribution);
    if (values === null) throw new Error(`internal: grid over the continuous range of '${s.param}'`);
    return points.flatMap((p) => values.map((value) => [...p, { param: s.param, value }]));
  }, [[]]);

const pointKey = (p: Point): string => p.map((x) => `${x.param}=${x.value}`).join(" ");

/**
 * `count` distinct points drawn from the space with a generator seeded by `seed`, each parameter in
 * spec order. A point drawn again is drawn anew (up to 100 tries per point), so a small finite space
 * gives fewer points than asked rather than repeated trials.
 */
export const randomPoints = (space: TuneConfig["space"], count: number, seed: number): Point[] => {
  const rng = new Rng(seed);
  const out: Point[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < count && tries < 100 * count; tries++) {
    const p = space.map((s) => ({ param: s.param, value: sample(s.distribution, rng) }));
    const k = pointKey(p);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
};

/** The trials of a search: every grid point, or `trials` random points (random and asha). */
export const trialPoints = (tune: TuneConfig, trials = tune.trials): Point[] =>
  tune.algorithm.kind === "grid" ? gridPoints(tune.space) : randomPoints(tune.space, trials, tune.seed);

/** `t01`, `t02`, …: trial `index` (0-based) of `count`, numbered from 1 with at least two digits. */
export const trialId = (index: number, count: number): string => `t${String(index + 1).padStart(Math.max(2, String(count).length), "0")}`;

/** `lr = 0.001, layers = 2`: a point as people read it. */
export const pointText = (p: Point): string => p.map((x) => `${x.param} = ${x.value}`).join(", ");

/**
 * The base spec with a point's values, without its `ablate` and `tune` sections; undefined when a
 * name is not one `applySweep` knows. `dim` is set first, so that a searched `inner` or `dt_rank` is
 * not overwritten by the defaults that follow the width.
 */
export const applyPoint = (base: CheckedSpec, point: Point): CheckedSpec | undefined => {
  const ordered = [...point.filter((x) => x.param === "dim"), ...point.filter((x) => x.param !== "dim")];
  let spec: CheckedSpec | undefined = withoutStudies(base);
  for (const x of ordered) spec = spec && applySweep(spec, x.param, x.value);
  return spec;
};
