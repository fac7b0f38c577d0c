/** A study job that trains a finished run further (`reccompile tune`'s promotions): planJob's `extend`. */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planJob, recordFinished, type StudyJob } from "../../../src/app/study/runner.js";

describe("study runner: extending a finished run", () => {
  let dir = "";
  let spec = "";
  const finish = (job: StudyJob): void => {
    const run = join(dir, "runs", job.id);
    const plan = planJob(job, join(dir, "runs"));
    assert.ok(!("skip" in plan));
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, "metrics.json"), "{}");
    writeFileSync(join(run, "checkpoint.json"), "{}");
    assert.ok(recordFinished(job, join(dir, "runs"), plan));
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "extend-"));
    spec = join(dir, "t.rec");
    writeFileSync(spec, "model M { embedding items(dim: 8) output tied }\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("continues a run finished at fewer epochs with --resume, its metrics.json kept as metrics.previous.json", () => {
    finish({ id: "t01", specFile: spec, flags: { epochs: 1 } });
    const plan = planJob({ id: "t01", specFile: spec, flags: { epochs: 3 }, extend: true }, join(dir, "runs"));
    assert.ok(!("skip" in plan));
    assert.deepEqual(plan.args.slice(-3), ["--epochs", "3", "--resume"]);
    assert.equal(plan.staleMoved, undefined);
    assert.ok(!existsSync(join(dir, "runs", "t01", "metrics.json")) && existsSync(join(dir, "runs", "t01", "metrics.previous.json")));
  });

  it("skips a run already finished at the job's epochs", () => {
    finish({ id: "t01", specFile: spec, flags: { epochs: 3 } });
    const plan = planJob({ id: "t01", specFile: spec, flags: { epochs: 3 }, extend: true }, join(dir, "runs"));
    assert.ok("skip" in plan);
  });

  it("moves aside, as stale, a run of another spec, of more epochs, or when the job does not extend", () => {
    for (const [job, edit] of [
      [{ id: "a", specFile: spec, flags: { epochs: 3 }, extend: true }, true],
      [{ id: "b", specFile: spec, flags: { epochs: 1 }, extend: true }, false],
      [{ id: "c", specFile: spec, flags: { epochs: 3 } }, false],
    ] as const) {
      writeFileSync(spec, "model M { embedding items(dim: 8) output tied }\n");
      finish({ id: job.id, specFile: spec, flags: { epochs: 2 } });
      if (edit) writeFileSync(spec, "model M { embedding items(dim: 16) output tied }\n");
      const plan = planJob(job, join(dir, "runs"));
      assert.ok(!("skip" in plan) && plan.staleMoved !== undefined, job.id);
      assert.ok(!plan.args.includes("--resume"), job.id);
    }
  });
});
