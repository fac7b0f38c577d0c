import type { Schedule } from "../../ir/spec.js";

/**
 * Learning rate at fractional epoch `epoch` (0 at the start of training, e.g. 2.5 halfway through
 * the third epoch) of `epochs`. `reductions`: the plateau schedule's reductions so far
 * (`plateauReductions`); the other schedules ignore it.
 */
export const learningRate = (schedule: Schedule, baseLr: number, epoch: number, epochs: number, reductions = 0): number => {
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
    case "plateau":
      return baseLr * Math.max(schedule.factor ** reductions, schedule.minLrRatio);
  }
};

/**
 * How many times a plateau schedule has reduced the learning rate after the validation values
 * `values` (one per finished epoch, in order): a reduction each time the value has not improved on
 * the best so far (strictly greater) for `patience` epochs in a row, the count restarting after each
 * reduction. A pure function of the history, so a resumed run continues exactly.
 */
export const plateauReductions = (values: readonly number[], patience: number): number => {
  let best = -Infinity;
  let wait = 0;
  let reductions = 0;
  for (const v of values) {
    if (v > best) {
      best = v;
      wait = 0;
    } else if (++wait >= patience) {
      reductions++;
      wait = 0;
    }
  }
  return reductions;
};
