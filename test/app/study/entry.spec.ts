/** A study's runs start through the entry point this process runs from, never a build it might not match. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cliEntry, nodeCommand } from "../../../src/app/study/entry.js";
import { packageRoot } from "../../../src/util/paths.js";

describe("study: the runs' entry point", () => {
  it("from source (tsx, as under mocha) is cli/reccompile.ts, run with this process's loader flags", () => {
    assert.equal(cliEntry(), join(packageRoot(), "cli", "reccompile.ts"));
    const { command, args } = nodeCommand(cliEntry(), ["--version"]);
    assert.equal(command, process.execPath);
    assert.deepEqual(args.slice(0, process.execArgv.length), process.execArgv);
    const r = spawnSync(command, [...args], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^reccompile \d/);
  });
});
