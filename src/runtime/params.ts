/**
 * Named parameters of a model: every weight is created here, in a fixed order, drawing its
 * initial values from the run's generator, so the same seed gives the same weights on every backend.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../util/rng.js";

export type Init =
  | { readonly kind: "normal"; readonly std: number }
  | { readonly kind: "uniform"; readonly bound: number }
  | { readonly kind: "zeros" }
  | { readonly kind: "ones" }
  /**
   * mamba-ssm's dt_proj bias: softplus^-1(dt) for dt = exp(U(ln min, ln max)), floored at `floor`,
   * so that softplus(bias) starts log-uniform in [min, max].
   */
  | { readonly kind: "inverseSoftplusLogUniform"; readonly min: number; readonly max: number; readonly floor: number }
  /** Explicit values (e.g. Mamba's A_log); the length must match the shape. */
  | { readonly kind: "values"; readonly values: Float32Array };

export const normalInit = (std: number): Init => ({ kind: "normal", std });
export const zerosInit: Init = { kind: "zeros" };
export const onesInit: Init = { kind: "ones" };

/** A plain, JSON-friendly copy of parameters: name -> shape and row-major values. */
export type SavedParams = Record<string, { readonly shape: number[]; readonly data: number[] }>;

let storeCount = 0;

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  /** tf variable names are global to the engine; a per-store prefix keeps stores apart. */
  private readonly prefix = `p${storeCount++}/`;

  constructor(private readonly rng: Rng) {}

  /**
   * Creates parameter `name` (unique in this store) of `shape`, initialised by `init`; `adjust`,
   * when given, edits the drawn values before the variable exists (e.g. the embedding's zero
   * padding row), so no tensor is ever read back (the webgpu backend cannot read synchronously).
   */
  create(name: string, shape: readonly number[], init: Init, adjust?: (values: Float32Array) => void): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter '${name}' already exists`);
    const size = shape.reduce((p, d) => p * d, 1);
    const values = new Float32Array(size);
    switch (init.kind) {
      case "normal":
        this.rng.fillNormal(values, 0, init.std);
        break;
      case "uniform":
        for (let i = 0; i < size; i++) values[i] = (2 * this.rng.uniform() - 1) * init.bound;
        break;
      case "inverseSoftplusLogUniform": {
        const lo = Math.log(init.min);
        const span = Math.log(init.max) - lo;
        for (let i = 0; i < size; i++) {
          const dt = Math.max(Math.exp(lo + span * this.rng.uniform()), init.floor);
          values[i] = dt + Math.log(-Math.expm1(-dt)); // log(exp(dt) - 1), stable for small dt
        }
        break;
      }
      case "zeros":
        break;
      case "ones":
        values.fill(1);
        break;
      case "values":
        if (init.values.length !== size) throw new Error(`parameter '${name}': ${init.values.length} values for shape [${shape}]`);
        values.set(init.values);
        break;
    }
    adjust?.(values);
    const v = tf.variable(tf.tensor(values, [...shape]), true, this.prefix + name);
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter '${name}'`);
    return v;
  }

  /** Parameters in creation order. */
  list(): { readonly name: string; readonly variable: tf.Variable }[] {
    return [...this.vars].map(([name, variable]) => ({ name, variable }));
  }

  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Total number of scalar parameters. */
  count(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  /** A copy of every parameter, read synchronously (not on webgpu: use `saveAsync` there). */
  save(): SavedParams {
    const out: SavedParams = {};
    for (const [name, v] of this.vars) out[name] = { shape: [...v.shape], data: Array.from(v.dataSync()) };
    return out;
  }

  /** The same copy as `save`, read with `await data()`: works on every backend, webgpu included. */
  async saveAsync(): Promise<SavedParams> {
    const out: SavedParams = {};
    for (const [name, v] of this.vars) out[name] = { shape: [...v.shape], data: Array.from(await v.data()) };
    return out;
  }

  /** Assigns every parameter from `saved`; names and shapes must match exactly. */
  load(saved: SavedParams): void {
    for (const [name, v] of this.vars) {
      const s = saved[name];
      if (!s) throw new Error(`saved parameters lack '${name}'`);
      if (s.shape.join(",") !== v.shape.join(",")) throw new Error(`parameter '${name}': saved shape [${s.shape}] vs [${v.shape}]`);
      if (!Array.isArray(s.data) || s.data.length !== v.size) throw new Error(`parameter '${name}': ${Array.isArray(s.data) ? s.data.length : "no"} saved values for shape [${v.shape}] (${v.size})`);
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(s.data), v.shape)));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
