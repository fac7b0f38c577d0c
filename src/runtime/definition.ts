/**
 * What a generated module defines: its resolved configuration and a builder that makes its model.
 * The shared run (src/app/run_model.ts) and the run-folder readers build models through these
 * types; generated code sees them through src/api.ts.
 */
import type { DataConfig, EvalConfig, TrainConfig } from "../ir/spec.js";
import type { Rng } from "../util/rng.js";
import type { BuildContext as LayerContext } from "./module.js";
import type { SequenceNet } from "./net.js";

/** The resolved configuration a generated module exports as `config`. */
export interface RunConfig {
  readonly data: DataConfig;
  readonly train: TrainConfig;
  readonly eval: EvalConfig;
}

/** What `build` receives: where parameters live, the catalogue size and the generator that initialises them. */
export interface BuildContext extends LayerContext {
  readonly numItems: number;
  readonly maxLen: number;
  readonly rng: Rng;
}

/** The popularity baseline: no parameters; scores are training-split item counts. */
export interface PopularityModel {
  readonly kind: "popularity";
  readonly name: string;
}

export type Model = SequenceNet | PopularityModel;

/** A generated module's model: its name, spec file, configuration and builder. */
export interface ModelDefinition {
  readonly name: string;
  readonly spec: string;
  readonly config: RunConfig;
  readonly build: (ctx: BuildContext) => Model;
}
