/**
 * Optimizers over named variables, with their state (moments, step count) saveable for checkpoints.
 * Written out rather than taken from tfjs so the equations are PyTorch's and the state is ours.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Optimizer as OptimizerConfig } from "../../ir/spec.js";

/** Saved optimizer state: step count and per-parameter slot values, row-major. */
export interface OptimizerState {
  readonly kind: string;
  readonly step: number;
  readonly slots: Record<string, Record<string, number[]>>;
}

export interface Optimizer {
  /** Applies one update with learning rate `lr`; `grads` are keyed by parameter name (missing ones are skipped). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void;
  getState(): OptimizerState;
  /** The same state read with `await data()` (every backend, webgpu included). */
  getStateAsync(): Promise<OptimizerState>;
  setState(state: OptimizerState): void;
  dispose(): void;
}

/** Slot variables (moments, momentum buffers) per parameter, created on first use, zero-initialised. */
class Slots {
  private readonly slots = new Map<string, Map<string, tf.Variable>>();

  get(param: string, slot: string, shape: readonly number[]): tf.Variable {
    let m = this.slots.get(param);
    if (!m) this.slots.set(param, (m = new Map()));
    let v = m.get(slot);
    if (!v) m.set(slot, (v = tf.variable(tf.zeros([...shape]), false)));
    return v;
  }

  save(): Record<string, Record<string, number[]>> {
    const out: Record<string, Record<string, number[]>> = {};
    for (const [p, m] of this.slots) {
      out[p] = {};
      for (const [s, v] of m) out[p]![s] = Array.from(v.dataSync());
    }
    return out;
  }

  async saveAsync(): Promise<Record<string, Record<string, number[]>>> {
    const out: Record<string, Record<string, number[]>> = {};
    for (const [p, m] of this.slots) {
      out[p] = {};
      for (const [s, v] of m) out[p]![s] = Array.from(await v.data());
    }
    return out;
  }

  load(saved: Record<string, Record<string, number[]>>, shapes: (param: string) => readonly number[]): void {
    this.dispose();
    for (const [p, m] of Object.entries(saved)) {
      for (const [s, data] of Object.entries(m)) {
        const v = this.get(p, s, shapes(p));
        v.assign(tf.tensor(Float32Array.from(data), [...shapes(p)]));
      }
    }
  }

  dispose(): void {
    for (const m of this.slots.values()) for (const v of m.values()) v.dispose();
    this.slots.clear();
  }
}

export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

const shapeIn = (params: readonly NamedVariable[]) => (name: string): readonly number[] => {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`optimizer state for unknown parameter '${name}'`);
  return p.variable.shape;
};

type AdamConfig = Extract<OptimizerConfig, { kind: "adam" | "adamw" }>;
type SgdConfig = Extract<OptimizerConfig, { kind: "sgd" }>;

/**
 * Adam (weight decay as L2 on the gradient, torch.optim.Adam) or AdamW (decoupled: p -= lr * wd * p
 * before the Adam step, torch.optim.AdamW). Bias-corrected moments.
 */
class Adam implements Optimizer {
  private step = 0;
  private readonly slots = new Slots();

  constructor(private readonly cfg: AdamConfig, private readonly params: readonly NamedVariable[]) {}

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    for (const { name, variable: p } of this.params) {
      const g0 = grads[name];
      if (!g0) continue;
      const m = this.slots.get(name, "m", p.shape);
      const v = this.slots.get(name, "v", p.shape);
      tf.tidy(() => {
        const g = this.cfg.kind === "adam" && weightDecay > 0 ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const base = this.cfg.kind === "adamw" && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        const update = tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        p.assign(tf.sub(base, update));
      });
    }
  }

  getState(): OptimizerState {
    return { kind: this.cfg.kind, step: this.step, slots: this.slots.save() };
  }

  async getStateAsync(): Promise<OptimizerState> {
    return { kind: this.cfg.kind, step: this.step, slots: await this.slots.saveAsync() };
  }

  setState(state: OptimizerState): void {
    this.step = state.step;
    this.slots.load(state.slots, shapeIn(this.params));
  }

  dispose(): void {
    this.slots.dispose();
  }
}

/** SGD with momentum as torch.optim.SGD (dampening 0): buf = mu * buf + g (buf = g at the first step); p -= lr * buf. */
class Sgd implements Optimizer {
  private step = 0;
  private readonly slots = new Slots();

  constructor(private readonly cfg: SgdConfig, private readonly params: readonly NamedVariable[]) {}

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    const { momentum, weightDecay } = this.cfg;
    this.step++;
    for (const { name, variable: p } of this.params) {
      const g0 = grads[name];
      if (!g0) continue;
      tf.tidy(() => {
        const g = weightDecay > 0 ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        if (momentum === 0) {
          p.assign(tf.sub(p, tf.mul(g, lr)));
          return;
        }
        const buf = this.slots.get(name, "momentum", p.shape);
        buf.assign(this.step === 1 ? g : tf.add(tf.mul(buf, momentum), g));
        p.assign(tf.sub(p, tf.mul(buf, lr)));
      });
    }
  }

  getState(): OptimizerState {
    return { kind: "sgd", step: this.step, slots: this.slots.save() };
  }

  async getStateAsync(): Promise<OptimizerState> {
    return { kind: "sgd", step: this.step, slots: await this.slots.saveAsync() };
  }

  setState(state: OptimizerState): void {
    this.step = state.step;
    this.slots.load(state.slots, shapeIn(this.params));
  }

  dispose(): void {
    this.slots.dispose();
  }
}

/** The optimizer of `cfg` over `params` (e.g. ParamStore.list()). */
export const makeOptimizer = (cfg: OptimizerConfig, params: readonly NamedVariable[]): Optimizer =>
  cfg.kind === "sgd" ? new Sgd(cfg, params) : new Adam(cfg, params);
