/** Plain reference of the SiLU gate with tfjs ops (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/** y * z * sigmoid(z); same contract as silu_gate.ts `siluGateFused`. */
export const siluGateRef = <T extends tf.Tensor>(y: T, z: T): T => tf.mul(y, tf.mul(z, tf.sigmoid(z)));
