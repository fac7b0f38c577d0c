import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadsFollower } from "../../../src/app/study/threads_file.js";

describe("threadsFollower", () => {
  it("applies each new positive integer once, at most every interval, and ignores a missing or bad file", () => {
    const dir = mkdtempSync(join(tmpdir(), "threads-file-"));
    const file = join(dir, "t");
    let now = 0;
    const applied: number[] = [];
    const poll = threadsFollower(file, (n) => applied.push(n), 1000, () => now);
    poll(); // missing file
    writeFileSync(file, "2\n");
    now = 500;
    poll(); // too soon
    now = 1000;
    poll();
    now = 2000;
    poll(); // unchanged
    writeFileSync(file, "zero");
    now = 3000;
    poll();
    writeFileSync(file, "0");
    now = 4000;
    poll();
    writeFileSync(file, "1");
    now = 5000;
    poll();
    assert.deepEqual(applied, [2, 1]);
    rmSync(dir, { recursive: true, force: true });
    let called = false;
    threadsFollower(undefined, () => (called = true))();
    assert.equal(called, false);
  });
});
