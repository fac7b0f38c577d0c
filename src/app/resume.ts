/**
 * What `run --resume` may change: a resumed run trains for more (or fewer) epochs, with another
 * early-stopping patience, on the same data; nothing else. The run folder's recorded spec.rec is
 * checked again as this version checks it, so that settings added to the language since (filled
 * in with their defaults) do not read as changes, and compared with the new spec as IR, where it
 * came from (spans, the file name) aside.
 */
import { createHash } from "node:crypto";
import { isLeft } from "fp-ts/lib/Either.js";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { equalModuloSpans } from "../ir/diff.js";
import { checkText } from "../check/index.js";
import type { DataSource, PreparedData } from "../data/prepare.js";
import type { CheckedSpec } from "../ir/spec.js";
import { loadCheckpoint } from "../runtime/checkpoint.js";
import { UserError } from "../util/errors.js";
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

/** A digest of the prepared data (every user's sequence and the item ids), recorded at the start of a run. */
export const dataFingerprint = (data: PreparedData): string => {
  const h = createHash("sha256");
  h.update(`${data.dataset.sequences.length} ${data.split.numItems}\n`);
  for (const s of data.dataset.sequences) h.update(new Uint8Array(s.buffer, s.byteOffset, s.byteLength)).update("\n");
  h.update(data.dataset.itemIds.join("\n"));
  return h.digest("hex");
};

/**
 * Everything `--resume` relies on, checked before anything in the folder changes: the checkpoint
 * reads back, and the data is the data the run started on (`fingerprint`, the prepared data's
 * `dataFingerprint`, against the digest recorded in data.json; runs
 * from before it was recorded are held to their user, item and interaction counts).
 */
export const checkResumable = async (out: string, data: PreparedData, fingerprint: string): Promise<void> => {
  const checkpoint = join(out, RUN_FILES.checkpoint);
  if (existsSync(checkpoint)) await loadCheckpoint(checkpoint);
  const dataFile = join(out, RUN_FILES.data);
  if (!existsSync(dataFile)) return;
  const was = JSON.parse(readFileSync(dataFile, "utf8")) as { users?: number; items?: number; interactions?: number; fingerprint?: string };
  const now = { users: data.dataset.sequences.length, items: data.split.numItems, interactions: data.interactions };
  const counts = (c: { users?: number; items?: number; interactions?: number }): string => `${c.users} users, ${c.items} items, ${c.interactions} interactions`;
  const changedCounts = was.users !== now.users || was.items !== now.items || was.interactions !== now.interactions;
  if (changedCounts || (was.fingerprint !== undefined && was.fingerprint !== fingerprint)) {
    throw new UserError(
      `reccompile run --resume: the data changed since ${out} started (${changedCounts ? `${counts(was)} then, ${counts(now)} now` : "the same counts, but other interactions"}); ` +
      "resume with the data it was trained on, or start a new run",
    );
  }
};
