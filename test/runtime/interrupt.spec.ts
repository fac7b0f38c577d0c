import { strict as assert } from "node:assert";
import { uninterruptible, whenInterruptible } from "../../src/runtime/interrupt.js";

describe("interrupt: Ctrl-C waits for an uninterruptible stretch", () => {
  it("stops at once outside a stretch", () => {
    const calls: string[] = [];
    assert.equal(whenInterruptible(() => calls.push("stop")), false);
    assert.deepEqual(calls, ["stop"]);
  });

  it("stops when the stretch ends, not before, and only once across nested stretches", async () => {
    const calls: string[] = [];
    const result = await uninterruptible(async () => {
      await uninterruptible(async () => {
        assert.equal(whenInterruptible(() => calls.push("stop")), true);
        await new Promise<void>((r) => setImmediate(r));
        calls.push("inner done");
      });
      calls.push("outer done");
      return 7;
    });
    assert.equal(result, 7);
    assert.deepEqual(calls, ["inner done", "outer done", "stop"]);
    await uninterruptible(async () => undefined);
    assert.deepEqual(calls, ["inner done", "outer done", "stop"], "a stop runs once");
  });

  it("stops when the stretch fails, and the failure still propagates", async () => {
    const calls: string[] = [];
    await assert.rejects(uninterruptible(async () => {
      whenInterruptible(() => calls.push("stop"));
      throw new Error("validation failed");
    }), /validation failed/);
    assert.deepEqual(calls, ["stop"]);
  });
});
