/**
 * What `run --resume` may change: a resumed run trains for more (or fewer) epochs, with another
 * early-stopping patience, on the same data; nothing else. The run folder's recorded spec.rec is
 * checked again as this version checks it, so that settings added to the language since (filled
 * in with their defaults) do not read as changes, and compared with the new spec as IR, where it
 * came from (spans, the file name) aside.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { equalModuloSpans } from "../ir/diff.js";
import { checkText } from "../check/index.js";
import type { DataSource } from "../data/prepare.js";
import type { CheckedSpec } from "../ir/spec.js";
import { RUN_FILES } from "./run_folder.js";

export interface RecordedRun {
  /** The recorded spec as checked now; "unreadable" when it no longer checks; null when the folder has none. */
  readonly spec: CheckedSpec | "unreadable" | null;
  /** The recorded data source (a file's path resolved), or null when the folder has none. */
  readonly source: DataSource | null;
}

/** What a run folder recorded when it started: its resolved spec and its data source. */
export const recordedRun = (out: string): RecordedRun => {
  const read = (f: string): string | null => (existsSync(join(out, f)) ? readFileSync(join(out, f), "utf8") : null);
  const data = read(RUN_FILES.data);
  const source = data === null ? null : (JSON.parse(data) as { source: DataSource }).source;
  const text = read(RUN_FILES.spec);
  const rechecked = text === null ? null : checkText(join(out, RUN_FILES.spec), text);
  const spec = rechecked === null ? null : isLeft(rechecked) ? "unreadable" : rechecked.right.spec;
  return { spec, source: source?.kind === "file" ? { ...source, path: resolve(source.path) } : source };
};

/** The spec without the two limits a resume may change. */
const withoutLimits = (spec: CheckedSpec): CheckedSpec => ({
  ...spec,
  train: {
    ...spec.train,
    epochs: 0,
    earlyStopping: spec.train.earlyStopping === null ? null : { ...spec.train.earlyStopping, patience: 0 },
  },
});

/** Whether `spec` may resume a run started with `recorded`: equal but for the epochs and the patience. */
export const resumableWith = (recorded: CheckedSpec, spec: CheckedSpec): boolean => equalModuloSpans(withoutLimits(recorded), withoutLimits(spec));
