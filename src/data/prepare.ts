/** From a data source and the spec's data section to the leave-one-out split every model is scored on. */
import { existsSync, statSync } from "node:fs";
import type { DataConfig } from "../ir/spec.js";
import { UserError } from "../util/errors.js";
import { applyFilters } from "./filter.js";
import type { Format } from "./formats.js";
import { datasetName, loadDataset } from "./load.js";
import { leaveOneOut } from "./split.js";
import { syntheticDataset, SYNTHETIC_DEFAULTS } from "./synthetic.js";
import type { Dataset, LeaveOneOutSplit } from "./types.js";

export type DataSource =
  | { readonly kind: "file"; readonly path: string; readonly format: Format | "auto" }
  | { readonly kind: "synthetic"; readonly seed: number; readonly users: number; readonly items: number; readonly meanLen: number };

export const builtInData: DataSource = { kind: "synthetic", ...SYNTHETIC_DEFAULTS };

export interface PreparedData {
  readonly source: DataSource;
  readonly name: string;
  /** After filtering. */
  readonly dataset: Dataset;
  readonly split: LeaveOneOutSplit;
  readonly interactions: number;
  readonly warnings: readonly string[];
}

/** The source's interactions as read: the rating threshold applied, no other filter. */
export const readSource = (source: DataSource, cfg: Pick<DataConfig, "minRating" | "timeOrder">): Dataset => {
  if (source.kind === "synthetic") return syntheticDataset(source);
  if (!existsSync(source.path)) throw new UserError(`data file not found: ${source.path}`);
  if (statSync(source.path).isDirectory()) throw new UserError(`data path is a directory, not a file: ${source.path}`);
  return loadDataset(source.path, { format: source.format, minRating: cfg.minRating, timeOrder: cfg.timeOrder, name: datasetName(source.path) });
};

/** The data section's filters and split applied to what `readSource` read. */
export const prepareFrom = (source: DataSource, raw: Dataset, cfg: DataConfig): PreparedData => {
  const dataset = applyFilters(raw, { kCore: cfg.kCore, minSeqLen: cfg.minSeqLen });
  if (dataset.sequences.length === 0) {
    throw new UserError(`no users left in ${source.kind === "file" ? source.path : "the built-in data"} after filtering (k_core ${cfg.kCore}, min_seq_len ${cfg.minSeqLen})`);
  }
  const split = leaveOneOut(dataset, cfg.maxLen);
  const interactions = dataset.sequences.reduce((n, s) => n + s.length, 0);
  return { source, name: dataset.name, dataset, split, interactions, warnings: dataset.warnings };
};

export const prepareData = (source: DataSource, cfg: DataConfig): PreparedData => prepareFrom(source, readSource(source, cfg), cfg);
