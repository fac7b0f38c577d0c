import { loadNativeKernels, type NativeKernels } from "./native.js";
import { kernels } from "./select.js";

/**
 * The native kernels when the native set is selected and loaded, else null. The backend kernels
 * registered over tfjs's (matmul, column sum) and the elementwise ops ask on every call, so
 * switching kernel sets takes effect at once, as it does for the fused ops.
 */
export const activeNative = (): NativeKernels | null => (kernels().name === "native" ? loadNativeKernels() : null);
