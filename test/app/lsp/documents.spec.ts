/**
 * The server's document handling: checks are debounced (a burst of edits is checked once, at its
 * last version), and a spec is re-checked when a file it imports changes on disk.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient } from "./client.js";

const MODEL = (use: string): string => `import "lib.rec"\n\nmodel M {\n  embedding items(dim: 64)\n  ${use}\n  output tied\n}\n`;
const LIB = (name: string): string => `block ${name}(rate = 0.1) {\n  dropout(rate)\n  layernorm(eps: 1e-12)\n}\n`;

describe("reccompile lsp: debounced checks and imports", function () {
  this.timeout(120_000);

  it("a burst of edits is checked once, at its last version", async () => {
    // A long quiet period, so the whole burst lands inside it even on a loaded machine.
    const c = await LspClient.start({ debounceMs: 400 });
    try {
      const uri = pathToFileURL(join(tmpdir(), "__lsp_burst.rec")).href;
      await c.open(uri, "model M { popularity }\n");
      const last = c.diagnostics(uri, (p) => p.version === 7);
      for (let v = 2; v <= 7; v++) {
        void c.rpc.sendNotification("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ text: v % 2 === 0 ? "model M { popularty }\n" : "model M { popularity }\n" }] });
      }
      const final = await last;
      assert.deepEqual(final.diagnostics, []);
      assert.deepEqual(c.published.filter((p) => p.uri === uri).map((p) => p.version), [1, 7], "the versions in between were never published");
    } finally {
      await c.stop();
    }
  });

  describe("re-checks a spec when a file it imports changes", () => {
    let dir: string;
    let c: LspClient;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "reccompile-lsp-"));
      c = await LspClient.start({}, { didChangeWatchedFiles: { dynamicRegistration: true } });
    });
    after(async () => {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("asks a client that can watch files to watch every .rec file", async () => {
      await c.open(pathToFileURL(join(dir, "nothing.rec")).href, "");
      assert.deepEqual(c.registrations, [{ id: (c.registrations[0] as { id: string }).id, method: "workspace/didChangeWatchedFiles", registerOptions: { watchers: [{ globPattern: "**/*.rec" }] } }]);
    });

    it("through workspace/didChangeWatchedFiles and through didSave of the imported file", async () => {
      const main = join(dir, "main.rec");
      const lib = join(dir, "lib.rec");
      writeFileSync(lib, LIB("norm"));
      writeFileSync(main, MODEL("norm(rate: 0.2)"));
      const mainUri = pathToFileURL(main).href;
      const libUri = pathToFileURL(lib).href;
      assert.deepEqual(await c.open(mainUri, MODEL("norm(rate: 0.2)")), []);

      writeFileSync(lib, LIB("norms"));
      const broken = c.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.code === "REC2007"));
      await c.rpc.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: libUri, type: 2 }] });
      assert.match(String((await broken).diagnostics.find((d) => d.code === "REC2007")!.message), /unknown layer or block 'norm'\nhint: did you mean 'norms'\?/);

      await c.open(libUri, LIB("norms"));
      await c.change(libUri, LIB("norm"));
      writeFileSync(lib, LIB("norm"));
      const fixed = c.diagnostics(mainUri, (p) => p.diagnostics.length === 0);
      await c.rpc.sendNotification("textDocument/didSave", { textDocument: { uri: libUri } });
      assert.deepEqual((await fixed).diagnostics, []);
    });

    it("an import that cannot be read is re-checked when the file appears", async () => {
      const main = join(dir, "later-main.rec");
      const text = MODEL("norm(rate: 0.2)").replace("lib.rec", "later.rec");
      const uri = pathToFileURL(main).href;
      const diags = await c.open(uri, text);
      assert.ok(diags.some((d) => d.code === "REC2026"), JSON.stringify(diags));
      writeFileSync(join(dir, "later.rec"), LIB("norm"));
      const fixed = c.diagnostics(uri, (p) => p.diagnostics.length === 0);
      await c.rpc.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: pathToFileURL(join(dir, "later.rec")).href, type: 1 }] });
      assert.deepEqual((await fixed).diagnostics, []);
    });
  });
});
