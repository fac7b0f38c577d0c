/** What `run --resume` may change: the recorded spec, checked again, against the new one as IR. */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyOverrides } from "../../src/app/overrides.js";
import { recordedRun, resumableWith } from "../../src/app/resume.js";
import { checkFile, checkText } from "../../src/check/index.js";
import { printSpec } from "../../src/ir/print.js";
import type { CheckedSpec } from "../../src/ir/spec.js";

const SPECS = ["specs/mamba4rec.rec", "specs/mamba4rec-tuned.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec"];

const checked = (file: string): CheckedSpec => {
  const r = checkFile(file);
  assert.ok(r._tag === "Right", file);
  return r.right.spec;
};

/** The spec as a run folder records it (printed), read back from another file. */
const recorded = (spec: CheckedSpec): CheckedSpec => {
  const r = checkText("runs/x/spec.rec", printSpec(spec));
  assert.ok(r._tag === "Right");
  return r.right.spec;
};

describe("run --resume: the recorded spec against the new one", () => {
  for (const file of SPECS) {
    it(`${file}: its recorded form resumes it, with other epochs and patience too`, () => {
      const spec = checked(file);
      assert.ok(resumableWith(recorded(spec), spec));
      const longer = applyOverrides(spec, { epochs: spec.train.epochs + 5, ...(spec.train.earlyStopping ? { patience: 99 } : {}) });
      assert.ok(resumableWith(recorded(spec), longer));
    });
  }

  it("any other change refuses: a flag, a layer setting, early stopping added", () => {
    const spec = checked("specs/mamba4rec.rec");
    const base = recorded(spec);
    assert.ok(!resumableWith(base, applyOverrides(spec, { seed: 1 })));
    assert.ok(!resumableWith(base, applyOverrides(spec, { batch: 16 })));
    assert.ok(!resumableWith(base, applyOverrides(spec, { maxLen: 50 })));
    assert.ok(!resumableWith(base, { ...spec, eval: { ...spec.eval, excludeSeen: true } }));
    const pop = checked("specs/pop.rec");
    assert.ok(!resumableWith(recorded(pop), { ...pop, train: { ...pop.train, earlyStopping: spec.train.earlyStopping } }));
  });

  it("recordedRun reads the folder's spec and data source; a spec that no longer checks is unreadable", () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-resume-"));
    try {
      assert.deepEqual(recordedRun(dir), { spec: null, source: null });
      const spec = checked("specs/sasrec.rec");
      writeFileSync(join(dir, "spec.rec"), printSpec(spec));
      writeFileSync(join(dir, "data.json"), JSON.stringify({ source: { kind: "file", path: "data/x.txt", format: "auto" } }));
      const r = recordedRun(dir);
      assert.ok(r.spec !== null && r.spec !== "unreadable" && resumableWith(r.spec, spec));
      assert.deepEqual(r.source, { kind: "file", path: join(process.cwd(), "data/x.txt"), format: "auto" });
      writeFileSync(join(dir, "spec.rec"), "model {\n");
      assert.equal(recordedRun(dir).spec, "unreadable");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
