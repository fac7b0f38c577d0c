/** Checkpoint files, written atomically: a temporary file in the same folder, then a rename. */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { MetricValues } from "../eval/types.js";
import { UserError } from "../util/errors.js";
import { writeFileAtomic } from "../util/fs.js";
import type { RngState } from "../util/rng.js";
import type { OptimizerState } from "./optim/optimizer.js";
import type { SavedParams } from "./params.js";

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly valid: MetricValues | null;
  /** The whole epoch: its training steps, validation and checkpoint. */
  readonly seconds: number;
  /** Its training steps alone, validation excluded (absent in runs from before it was recorded). */
  readonly train_seconds?: number;
  /** The learning rate at the epoch's first step (absent in runs from before it was recorded). */
  readonly lr?: number;
  /**
   * The native kernels' thread count at the end of the epoch's training steps (absent without
   * native kernels, and in runs from before it was recorded). Runs sharing the cores through a
   * study runner are given more threads when another run ends, so their epochs' times differ.
   */
  readonly threads?: number;
}

export interface Checkpoint {
  readonly version: 1;
  /** Epochs completed. */
  readonly epoch: number;
  readonly params: SavedParams;
  readonly optimizer: OptimizerState;
  readonly rng: RngState;
  readonly best: { readonly value: number; readonly epoch: number; readonly params: SavedParams } | null;
  /** Epochs since the best one (early-stopping patience counter). */
  readonly stale: number;
  readonly history: readonly EpochRecord[];
  readonly steps: number;
  /** The weight average (train.weight_average) once it has begun; absent or null otherwise. */
  readonly average?: SavedParams | null;
}

export const saveCheckpoint = async (file: string, c: Checkpoint): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(c));
};

/** The checkpoint at `file`, or null when there is none. */
export const loadCheckpoint = async (file: string): Promise<Checkpoint | null> => {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return null;
  }
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: the checkpoint is not readable JSON (${(err as Error).message}): it was cut short or damaged; start the run afresh in another folder`);
  }
  const o = c as Partial<Checkpoint> | null;
  if (o === null || typeof o !== "object" || o.version !== 1 || typeof o.epoch !== "number" || typeof o.params !== "object" || !Array.isArray(o.history)) {
    throw new UserError(`${file}: not a reccompile checkpoint (version 1 with epoch, params and history)`);
  }
  return o as Checkpoint;
};
