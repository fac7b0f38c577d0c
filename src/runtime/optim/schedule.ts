import type { Schedule } from "../../ir/spec.js";

/**
 * Learning rate at fractional epoch `epoch` (0 at the start of training, e.g. 2.5 halfway through
 * the third epoch) of `epochs`.
 */
export const learningRate = (schedule: Schedule, baseLr: number, epoch: number, epochs: number): number => {
  switch (schedule.kind) {
    case "constant":
      return baseLr;
    case "step":
      return baseLr * schedule.gamma ** Math.floor(epoch / schedule.every);
    case "cosine": {
      const w = schedule.warmupEpochs;
      if (w > 0 && epoch < w) return (baseLr * epoch) / w;
      const span = Math.max(1e-12, epochs - w);
      const progress = Math.min(1, Math.max(0, (epoch - w) / span));
      const minLr = baseLr * schedule.minLrRatio;
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
    }
  }
};
