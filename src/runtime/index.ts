/** The training runtime: what generated code and the CLI import. */
export { initBackend, type BackendChoice } from "./backend.js";
export { buildLayer, buildLayers } from "./build.js";
export * from "./layers/index.js";
export { evalContext, type BuildContext, type ForwardContext, type Module } from "./module.js";
export { normalInit, onesInit, zerosInit, ParamStore, type Init, type SavedParams } from "./params.js";
export { SequenceNet, type OutputKind, type SequenceNetOptions } from "./net.js";
export { sequenceLoss, sequenceLossRef, type TrainBatch } from "./loss.js";
export { epochBatches, makeBatch, makeRows, type Rows, type TargetMode } from "./batches.js";
export { makeOptimizer, type NamedVariable, type Optimizer, type OptimizerState } from "./optim/optimizer.js";
export { learningRate } from "./optim/schedule.js";
export { clipByGlobalNorm } from "./optim/clip.js";
export { loadCheckpoint, saveCheckpoint, type Checkpoint, type EpochRecord } from "./checkpoint.js";
export { train, type TrainOptions, type TrainSummary } from "./trainer.js";
export { Rng, type RngState } from "../util/rng.js";
export { setKernelImpl, kernels, useKernels, tsKernels, type KernelImpl, type KernelSet } from "../kernels/select.js";
