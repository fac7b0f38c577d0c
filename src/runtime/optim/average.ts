/**
 * Weight averaging: an exponential moving average of the parameters (Polyak averaging), kept beside
 * the raw weights the optimizer steps. Validation and the final model read the average; its values
 * are saved with each checkpoint so a resumed run continues exactly.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SavedParams } from "../params.js";
import type { NamedVariable } from "./optimizer.js";

/** A new non-trainable variable holding `t`'s values; `t` is disposed when `consume` is set. */
const copyOf = (t: tf.Tensor, consume = false): tf.Variable => {
  const v = tf.variable(t, false);
  if (consume) t.dispose();
  return v;
};

export class WeightAverage {
  private average: Map<string, tf.Variable> | null = null;

  /**
   * `decay` in (0, 1): the share of the average kept at each update. `start`: epochs trained before
   * averaging begins.
   */
  constructor(private readonly decay: number, readonly start: number, private readonly params: readonly NamedVariable[]) {}

  /** Whether averaging has begun. */
  get active(): boolean {
    return this.average !== null;
  }

  /** Called before each epoch (0-based): from epoch `start` on, averaging has begun. */
  beforeEpoch(epoch: number): void {
    if (!this.average && epoch >= this.start) this.begin();
  }

  /** Starts the average from the current weights. */
  private begin(): void {
    this.dispose();
    this.average = new Map(this.params.map(({ name, variable }) => [name, copyOf(variable)]));
  }

  /** average = decay * average + (1 - decay) * weights, written as average + (1 - decay) * (weights - average). */
  update(): void {
    if (!this.average) return;
    for (const { name, variable } of this.params) {
      const a = this.average.get(name)!;
      tf.tidy(() => a.assign(tf.add(a, tf.mul(tf.sub(variable, a), 1 - this.decay))));
    }
  }

  /** Runs `f` with the average in the weights' place, and puts the weights back afterwards (also when `f` throws). */
  async swapped<T>(f: () => Promise<T>): Promise<T> {
    if (!this.average) return f();
    const raw = this.params.map(({ variable }) => variable.clone());
    this.params.forEach(({ name, variable }) => variable.assign(this.average!.get(name)!));
    try {
      return await f();
    } finally {
      this.params.forEach(({ variable }, i) => variable.assign(raw[i]!));
      tf.dispose(raw);
    }
  }

  /** Replaces the weights with the average, for good (the end of training without kept best weights). */
  assignToWeights(): void {
    if (!this.average) return;
    for (const { name, variable } of this.params) variable.assign(this.average.get(name)!);
  }

  /** The average's values, read with `await data()` (every backend); null before averaging begins. */
  async saveAsync(): Promise<SavedParams | null> {
    if (!this.average) return null;
    const out: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [name, a] of this.average) out[name] = { shape: [...a.shape], data: Array.from(await a.data()) };
    return out;
  }

  /** Restores a saved average; names and shapes must match the parameters. */
  load(saved: SavedParams): void {
    this.dispose();
    const average = new Map<string, tf.Variable>();
    for (const { name, variable } of this.params) {
      const s = saved[name];
      if (!s) throw new Error(`saved weight average lacks '${name}'`);
      if (s.shape.join(",") !== variable.shape.join(",")) throw new Error(`weight average of '${name}': saved shape [${s.shape}] vs [${variable.shape}]`);
      if (!Array.isArray(s.data) || s.data.length !== variable.size) throw new Error(`weight average of '${name}': ${Array.isArray(s.data) ? s.data.length : "no"} saved values for shape [${variable.shape}]`);
      average.set(name, copyOf(tf.tensor(Float32Array.from(s.data), [...s.shape]), true));
    }
    this.average = average;
  }

  dispose(): void {
    if (this.average) for (const a of this.average.values()) a.dispose();
    this.average = null;
  }
}
