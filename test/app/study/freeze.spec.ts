/** freezeCode: a study's runs start from a copy of the installation's code (src/app/study/freeze.ts). */
import { strict as assert } from "node:assert";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CODE_DIR, freezeCode } from "../../../src/app/study/freeze.js";

describe("freezeCode", () => {
  let dir = "";
  let root = "";
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "freeze-"));
    root = join(dir, "install");
    put("package.json", '{"name":"reccompile","version":"1.2.3","dependencies":{"dep":"1","@scope/lib":"1"},"optionalDependencies":{"absent":"1"},"devDependencies":{"devonly":"1"}}');
    put("tsconfig.json", "{}");
    put("cli/reccompile.ts", "// entry\n");
    put("src/app/run.ts", "export const v = 1;\n");
    put("dist/cli/reccompile.js", "// compiled entry\n");
    put("native/build/Release/reccompile_native.node", "addon");
    put("node_modules/dep/package.json", '{"name":"dep"}');
    put("node_modules/@scope/lib/package.json", '{"name":"@scope/lib"}');
    put("node_modules/devonly/package.json", '{"name":"devonly"}');
    put("test/not-copied.spec.ts", "");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies what a run from source loads, links its dependencies, and returns the entry in the copy", () => {
    const runs = join(dir, "runs");
    const entry = freezeCode(runs, join(root, "cli", "reccompile.ts"), root);
    const copy = dirname(dirname(entry));
    assert.equal(dirname(copy), join(runs, CODE_DIR));
    assert.equal(readFileSync(entry, "utf8"), "// entry\n");
    assert.deepEqual(readdirSync(copy).sort(), ["cli", "native", "node_modules", "package.json", "src", "tsconfig.json"]);
    assert.equal(readFileSync(join(copy, "src", "app", "run.ts"), "utf8"), "export const v = 1;\n");
    assert.equal(readFileSync(join(copy, "native", "build", "Release", "reccompile_native.node"), "utf8"), "addon");
    // A link per dependency (optional ones when installed), none for development-only packages.
    assert.deepEqual(readdirSync(join(copy, "node_modules")).sort(), ["@scope", "dep"]);
    assert.ok(lstatSync(join(copy, "node_modules", "dep")).isSymbolicLink());
    assert.equal(realpathSync(join(copy, "node_modules", "dep")), realpathSync(join(root, "node_modules", "dep")));
    assert.equal(realpathSync(join(copy, "node_modules", "@scope", "lib")), realpathSync(join(root, "node_modules", "@scope", "lib")));
  });

  it("installed as a package, links the dependencies from the parent's node_modules, where Node finds them", () => {
    // parent/node_modules/reccompile (the installation) with its dependencies hoisted beside it.
    const parent = join(dir, "project");
    const installed = join(parent, "node_modules", "reccompile");
    mkdirSync(join(installed, "dist", "cli"), { recursive: true });
    writeFileSync(join(installed, "package.json"), '{"name":"reccompile","version":"1.2.3","dependencies":{"dep":"1"}}');
    writeFileSync(join(installed, "dist", "cli", "reccompile.js"), "");
    mkdirSync(join(parent, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(parent, "node_modules", "dep", "package.json"), '{"name":"dep"}');
    const entry = freezeCode(join(dir, "runs"), join(installed, "dist", "cli", "reccompile.js"), installed);
    const copy = dirname(dirname(dirname(entry)));
    assert.equal(realpathSync(join(copy, "node_modules", "dep")), realpathSync(join(parent, "node_modules", "dep")));
  });

  it("compiled, copies dist/ and not the sources", () => {
    const entry = freezeCode(join(dir, "runs"), join(root, "dist", "cli", "reccompile.js"), root);
    const copy = dirname(dirname(dirname(entry)));
    assert.deepEqual(readdirSync(copy).sort(), ["dist", "native", "node_modules", "package.json"]);
  });

  it("the same code shares one copy; a changed file gets a new one and leaves the old as it was", () => {
    const runs = join(dir, "runs");
    const a = freezeCode(runs, join(root, "cli", "reccompile.ts"), root);
    assert.equal(freezeCode(runs, join(root, "cli", "reccompile.ts"), root), a);
    put("src/app/run.ts", "export const v = 2;\n");
    const b = freezeCode(runs, join(root, "cli", "reccompile.ts"), root);
    assert.notEqual(b, a);
    assert.equal(readFileSync(join(dirname(dirname(a)), "src", "app", "run.ts"), "utf8"), "export const v = 1;\n");
    assert.equal(readFileSync(join(dirname(dirname(b)), "src", "app", "run.ts"), "utf8"), "export const v = 2;\n");
    assert.equal(readdirSync(join(runs, CODE_DIR)).length, 2, "no temporary copy left behind");
  });

  it("refuses an entry outside the installation", () => {
    put("../elsewhere.js", "");
    assert.throws(() => freezeCode(join(dir, "runs"), join(dir, "elsewhere.js"), root), /is not inside the installation/);
    assert.ok(!existsSync(join(dir, "runs", CODE_DIR)));
  });
});
