import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import { checkFile, checkText } from "../../src/check/index.js";

const firstCode = (r: ReturnType<typeof checkText>): string => (isLeft(r) ? r.left.find((d) => d.severity === "error")!.code : "ok");

describe("pathological inputs", () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), "rec-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("empty file: no model", () => assert.equal(firstCode(checkText("e.rec", "")), "REC2005"));
  it("binary file", () => {
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    writeFileSync(join(dir, "bin.rec"), bin);
    assert.equal(firstCode(checkFile(join(dir, "bin.rec"))), "REC1009");
  });
  it("2 MB identifier", () => {
    const r = checkText("big.rec", `model M {\n  embedding items(dim: 8)\n  ${"x".repeat(2_000_000)}\n}\n`);
    assert.equal(firstCode(r), "REC2007");
  });
  it("5,000 nested blocks: a depth diagnostic, no stack overflow", () => {
    const n = 5000;
    assert.equal(firstCode(checkText("deep.rec", `model M { embedding items(dim: 8) ${"repeat 1 {".repeat(n)} dropout(0.1) ${"}".repeat(n)} }`)), "REC1006");
  });
  it("missing file", () => assert.equal(firstCode(checkFile(join(dir, "nope.rec"))), "REC1008"));
  it("a directory", () => assert.equal(firstCode(checkFile(dir)), "REC1008"));
  it("deep but legal nesting checks", () => {
    const n = 30;
    const r = checkText("ok.rec", `model M { embedding items(dim: 8) ${"residual {".repeat(n)} dropout(0.1) ${"}".repeat(n)} }`);
    assert.ok(!isLeft(r));
  });
});
