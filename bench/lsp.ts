/**
 * Language-server latency on specs/mamba4rec-tuned.rec: `reccompile lsp --stdio` started as an
 * editor starts it, then 100 edits, each timed from sending `didChange` to receiving that version's
 * published diagnostics (every other edit introduces an error, the next one removes it), and 100
 * hovers on the mamba layer, each timed from request to response. Prints median and worst.
 *   npx tsx bench/lsp.ts [--edits N] [--debounce MS] [--json]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { DEFAULT_DEBOUNCE_MS } from "../src/app/lsp/server.js";

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const k = args.indexOf(name);
  return k >= 0 ? Number(args[k + 1]) : def;
};
const edits = flag("--edits", 100);
const debounceMs = flag("--debounce", DEFAULT_DEBOUNCE_MS);
const root = resolve(import.meta.dirname, "..");
const path = resolve(root, "specs/mamba4rec-tuned.rec");
const uri = pathToFileURL(path).href;
const text = readFileSync(path, "utf8");
const broken = text.replace("mamba(d_state", "mamab(d_state");

const child = spawn(process.execPath, ["--import", "tsx", "cli/reccompile.ts", "lsp", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const waiting = new Map<number, (n: number) => void>();
rpc.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: unknown[] }) => {
  if (p.uri === uri && p.version !== undefined) waiting.get(p.version)?.(p.diagnostics.length);
});
rpc.listen();
const published = (version: number): Promise<number> => new Promise((done) => waiting.set(version, done));

const stats = (xs: readonly number[]): { median: number; worst: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2, worst: s[s.length - 1]! };
};

await rpc.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {}, initializationOptions: { debounceMs } });
await rpc.sendNotification("initialized", {});
const opened = published(1);
await rpc.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rec", version: 1, text } });
await opened;

const hoverAt = { line: text.slice(0, text.indexOf("mamba(d_state")).split("\n").length - 1, character: 5 };
// Warm-up: the first check and hover load the checker's and explain's code paths.
for (let i = 0; i < 5; i++) await rpc.sendRequest("textDocument/hover", { textDocument: { uri }, position: hoverAt });

const change: number[] = [];
const hover: number[] = [];
for (let i = 0; i < edits; i++) {
  const version = i + 2;
  const next = i % 2 === 0 ? broken : text;
  const done = published(version);
  const t0 = performance.now();
  await rpc.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text: next }] });
  const count = await done;
  change.push(performance.now() - t0);
  if ((count > 0) !== (next === broken)) throw new Error(`version ${version}: ${count} diagnostics`);
  const h0 = performance.now();
  await rpc.sendRequest("textDocument/hover", { textDocument: { uri }, position: hoverAt });
  hover.push(performance.now() - h0);
}
await rpc.sendRequest("shutdown", null);
await rpc.sendNotification("exit");

const c = stats(change);
const h = stats(hover);
if (args.includes("--json")) {
  process.stdout.write(`${JSON.stringify({ edits, debounceMs, didChangeToDiagnostics: c, hover: h })}\n`);
} else {
  process.stdout.write(`specs/mamba4rec-tuned.rec, ${edits} edits, debounce ${debounceMs} ms\n`);
  process.stdout.write(`didChange -> diagnostics: median ${c.median.toFixed(1)} ms, worst ${c.worst.toFixed(1)} ms\n`);
  process.stdout.write(`hover (mamba layer):      median ${h.median.toFixed(1)} ms, worst ${h.worst.toFixed(1)} ms\n`);
}
