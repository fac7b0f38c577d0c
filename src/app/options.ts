/**
 * The choices the commands' flags name, for cli/ to validate flags against and to list in its help:
 * data formats, backends and kernel sets.
 */
import { FORMATS, isFormat, type Format } from "../data/formats.js";
import type { KernelImpl } from "../kernels/select.js";
import type { BackendChoice } from "../runtime/backend.js";

export { FORMATS, isFormat, type Format, type BackendChoice };

export type KernelChoice = KernelImpl | "auto";

export const BACKENDS: readonly BackendChoice[] = ["auto", "tensorflow", "webgpu", "wasm", "cpu"];
export const KERNELS: readonly KernelChoice[] = ["auto", "native", "ts"];
