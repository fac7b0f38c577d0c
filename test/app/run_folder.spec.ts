/** When a finished run can train further under `run --resume` (its epochs and patience). */
import assert from "node:assert/strict";
import { cannotExtend } from "../../src/app/run_folder.js";

describe("run folder: training a finished run further", () => {
  it("continues a run that used all its epochs only when --epochs grows", () => {
    const ranOut = { epochs: 10, best_epoch: 10 };
    assert.match(cannotExtend("r", ranOut, 10, 5) ?? "", /finished run of 10 epochs; .* more --epochs \(now 10\)/);
    assert.match(cannotExtend("r", ranOut, 8, 5) ?? "", /more --epochs/);
    assert.equal(cannotExtend("r", ranOut, 11, 5), null);
  });

  it("continues an early-stopped run only with a patience above its epochs since the best", () => {
    const stopped = { epochs: 35, best_epoch: 25 };
    assert.match(cannotExtend("r", stopped, 300, 10) ?? "", /early-stopped at epoch 35 \(best 25\); .* --patience above 10 \(now 10\)/);
    assert.match(cannotExtend("r", stopped, 300, 9) ?? "", /--patience above 10/);
    assert.equal(cannotExtend("r", stopped, 300, 11), null);
    assert.equal(cannotExtend("r", stopped, 300, 20), null);
    // Without early stopping, only the epochs limit applies.
    assert.equal(cannotExtend("r", stopped, 300, null), null);
    assert.match(cannotExtend("r", stopped, 35, 20) ?? "", /more --epochs/);
  });

  it("treats a run without validation (no best epoch) as never stale", () => {
    assert.equal(cannotExtend("r", { epochs: 4, best_epoch: null }, 6, 1), null);
  });
});
