/** importRunModule: a finished run's generated module, even when the runtime it names is gone. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importRunModule } from "../../src/app/generated.js";

const MODULE = (api: string): string => `import * as rt from "${api}";
export const config = { seed: 7 };
export const runtimeHasRunModel = typeof rt.runModel === "function";
`;

describe("importRunModule", () => {
  let dir = "";
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "run-module-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("loads the run's module against this installation's runtime when the one it names is gone, says so, and writes nothing", async () => {
    const text = MODULE("file:///nowhere/reccompile/.code/0123456789abcdef/src/api.js");
    writeFileSync(join(dir, "model.mjs"), text);
    const notes: string[] = [];
    const m = (await importRunModule(dir, (t) => notes.push(t))) as unknown as { config: { seed: number }; runtimeHasRunModel: boolean };
    assert.deepEqual(m.config, { seed: 7 });
    assert.equal(m.runtimeHasRunModel, true);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /imports the runtime of the installation that trained it \(file:\/\/\/nowhere\/reccompile\/\.code\/0123456789abcdef\/src\/api\.js\), which cannot be loaded here/);
    assert.deepEqual(readdirSync(dir), ["model.mjs"]);
    assert.equal(readFileSync(join(dir, "model.mjs"), "utf8"), text);
  });

  it("another missing import is not papered over", async () => {
    writeFileSync(join(dir, "model.mjs"), `import { x } from "file:///nowhere/else.js";\nexport const y = x;\n`);
    await assert.rejects(importRunModule(dir, () => assert.fail("no note")), (err: NodeJS.ErrnoException) => err.code === "ERR_MODULE_NOT_FOUND");
  });
});
