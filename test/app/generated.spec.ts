/** importRunModule: a finished run's generated module, always on this process's runtime. */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
    assert.match(notes[0]!, /was trained by an installation that is gone \(file:\/\/\/nowhere\/reccompile\/\.code\/0123456789abcdef\/src\/api\.js\); its generated code runs on this installation's runtime/);
    assert.deepEqual(readdirSync(dir), ["model.mjs"]);
    assert.equal(readFileSync(join(dir, "model.mjs"), "utf8"), text);
  });

  it("a module naming another installation that still exists runs on this process's runtime too, without a note", async () => {
    // A second runtime in one process would run without the backend and kernels this process set up.
    const other = join(dir, "other", "src", "api.js");
    mkdirSync(join(dir, "other", "src"), { recursive: true });
    writeFileSync(other, "export const runModel = 'the other installation';\n");
    writeFileSync(join(dir, "model.mjs"), MODULE(pathToFileURL(other).href));
    const notes: string[] = [];
    const m = (await importRunModule(dir, (t) => notes.push(t))) as unknown as { runtimeHasRunModel: boolean };
    assert.equal(m.runtimeHasRunModel, true, "this installation's runModel, a function");
    assert.deepEqual(notes, []);
  });

  it("another missing import is not papered over", async () => {
    writeFileSync(join(dir, "model.mjs"), `import { x } from "file:///nowhere/else.js";\nexport const y = x;\n`);
    await assert.rejects(importRunModule(dir, () => assert.fail("no note")), (err: NodeJS.ErrnoException) => err.code === "ERR_MODULE_NOT_FOUND");
  });
});
