/** The data layer's public surface. */
export type { Dataset, EvalCase, LeaveOneOutSplit, TimeTies } from "./types.js";
export { loadDataset, datasetName, detectFormat, saveIdMaps, loadIdMaps, ID_MAPS_FILE, FORMATS } from "./load.js";
export type { Format, CsvOptions, LoadOptions, IdMaps } from "./load.js";
export { kCore, minSeqLen, applyFilters } from "./filter.js";
export { leaveOneOut } from "./split.js";
export { syntheticDataset, SYNTHETIC_DEFAULTS } from "./synthetic.js";
export type { SyntheticOptions } from "./synthetic.js";
export { datasetStats, splitStats, distribution, gini } from "./stats.js";
export type { DatasetStats, SplitStats, Distribution } from "./stats.js";
