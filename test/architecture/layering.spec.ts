/**
 * The layering rules (.dependency-cruiser.cjs) hold on the project, and they bite: a probe tree
 * with the project's config and one deliberate backward import, cycle or dead module is refused.
 * `npm test` also runs `npm run lint:deps` before mocha; this test guards the guard.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { packageRoot } from "../../src/util/paths.js";

/** dependency-cruiser's command-line entry, as npm links it (its package exports hide package.json). */
const depcruiseBin = (): string => realpathSync(join(packageRoot(), "node_modules", ".bin", "depcruise"));

const cruise = (cwd: string, paths: readonly string[]): { code: number; out: string } => {
  const r = spawnSync(process.execPath, [depcruiseBin(), ...paths, "--config", ".dependency-cruiser.cjs", "--output-type", "err"], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};

/** A tree with the project's config and tsconfig, and the given files. */
const probeTree = (files: Readonly<Record<string, string>>): string => {
  const dir = mkdtempSync(join(tmpdir(), "rec-layering-"));
  for (const f of [".dependency-cruiser.cjs", "tsconfig.json"]) copyFileSync(join(packageRoot(), f), join(dir, f));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

/**
 * A command line that reaches the given probe modules through an app module, as the real one
 * does, so that only the rule under test fires.
 */
const entry = (imports: readonly string[]): Record<string, string> => ({
  "cli/reccompile.ts": "import \"../src/app/main.js\";\n",
  "src/app/main.ts": imports.map((m) => `import "../../${m.replace(/\.ts$/, ".js")}";`).join("\n") + "\n",
});

describe("layering (dependency-cruiser)", function () {
  this.timeout(120_000);
  const made: string[] = [];
  after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  const probe = (files: Readonly<Record<string, string>>): string => { const d = probeTree(files); made.push(d); return d; };

  it("the project has no violations", () => {
    const r = cruise(packageRoot(), ["src", "cli", "generated", "test", "bench", "scripts"]);
    assert.equal(r.code, 0, r.out);
  });

  it("a probe tree that keeps the rules passes (the probes below fail for their one import alone)", () => {
    const dir = probe({
      "src/ir/spec.ts": "export const ir = 1;\n",
      "src/check/index.ts": "import { ir } from \"../ir/spec.js\";\nexport const checked = ir + 1;\n",
      ...entry(["src/check/index.ts"]),
    });
    const r = cruise(dir, ["src", "cli"]);
    assert.equal(r.code, 0, r.out);
  });

  it("refuses a backward import: src/ir importing src/check", () => {
    const dir = probe({
      "src/check/index.ts": "export const checked = 1;\n",
      "src/ir/spec.ts": "import { checked } from \"../check/index.js\";\nexport const ir = checked;\n",
      ...entry(["src/ir/spec.ts"]),
    });
    const r = cruise(dir, ["src", "cli"]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /layer-ir: src\/ir\/spec\.ts → src\/check\/index\.ts/);
  });

  it("refuses the library importing a test, and a cycle", () => {
    const dir = probe({
      "test/helper.ts": "export const h = 1;\n",
      "src/util/a.ts": "import { h } from \"../../test/helper.js\";\nimport { b } from \"./b.js\";\nexport const a = h + b;\n",
      "src/util/b.ts": "import { a } from \"./a.js\";\nexport const b = 1;\nexport const useA = (): number => a;\n",
      ...entry(["src/util/a.ts"]),
    });
    const r = cruise(dir, ["src", "cli", "test"]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /src-not-to-dev: src\/util\/a\.ts → test\/helper\.ts/);
    assert.match(r.out, /no-circular/);
  });

  it("refuses a module nothing reaches from the command line or src/api.ts", () => {
    const dir = probe({
      "src/util/used.ts": "export const used = 1;\n",
      "src/util/dead.ts": "export const dead = 1;\n",
      ...entry(["src/util/used.ts"]),
    });
    const r = cruise(dir, ["src", "cli"]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /no-dead-modules: src\/util\/dead\.ts/);
    assert.doesNotMatch(r.out, /used\.ts/);
  });
});
