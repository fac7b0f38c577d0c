import * as tf from "@tensorflow/tfjs-core";

/**
 * The sum of same-shape tensors, added in pairs (a balanced tree). Used instead of `tf.addN`,
 * which compiles one kernel with a storage buffer per input: a WebGPU device has 8 storage buffers
 * per shader stage unless it asks for more, so on the webgpu backend `addN` of more than 7 tensors
 * fails validation (seen on Dawn over an NVIDIA H200 and on lavapipe) and returns garbage.
 * `ts` must not be empty; the inputs are not disposed.
 */
export const addAll = (ts: readonly tf.Tensor[]): tf.Tensor => {
  if (ts.length === 0) throw new Error("addAll needs at least one tensor");
  return tf.tidy(() => {
    let level: tf.Tensor[] = [...ts];
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(tf.add(level[i]!, level[i + 1]!));
      if (level.length % 2 === 1) next.push(level[level.length - 1]!);
      level = next;
    }
    // A lone input is returned as a new tensor, so the caller may dispose its inputs either way.
    return ts.length === 1 ? tf.clone(level[0]!) : level[0]!;
  });
};
