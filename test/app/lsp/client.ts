/**
 * A JSON-RPC client for the language server tests and the benchmark's shape: starts `reccompile lsp
 * --stdio` as a child process through the tsx loader (no build needed) and waits on the
 * notifications the server sends, never on time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import type { Diagnostic, PublishDiagnosticsParams } from "vscode-languageserver";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const uriOf = (path: string): string => pathToFileURL(resolve(ROOT, path)).href;

interface Waiter { readonly uri: string; readonly test: (p: PublishDiagnosticsParams) => boolean; readonly resolve: (p: PublishDiagnosticsParams) => void }

export class LspClient {
  readonly logs: string[] = [];
  /** Every diagnostics notification received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** What the server asked to register (`client/registerCapability`). */
  readonly registrations: unknown[] = [];
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();
  private logWaiters: { test: (m: string) => boolean; resolve: (m: string) => void }[] = [];
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess, readonly rpc: MessageConnection) {
    this.exited = new Promise((done) => child.on("exit", (code) => { this.exitCode = code; done(code); }));
    rpc.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.latest.set(p.uri, p);
      const ready = this.waiters.filter((w) => w.uri === p.uri && w.test(p));
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p);
    });
    rpc.onNotification("window/logMessage", (p: { message: string }) => {
      this.logs.push(p.message);
      const ready = this.logWaiters.filter((w) => w.test(p.message));
      this.logWaiters = this.logWaiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p.message);
    });
    rpc.onRequest("client/registerCapability", (p: { registrations: unknown[] }) => { this.registrations.push(...p.registrations); return null; });
    rpc.listen();
  }

  static async start(initializationOptions: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): Promise<LspClient> {
    const child = spawn(process.execPath, ["--import", "tsx", "cli/reccompile.ts", "lsp", "--stdio"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => { process.env["LSP_DEBUG"] && process.stderr.write(d); });
    const rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const c = new LspClient(child, rpc);
    await rpc.sendRequest("initialize", {
      processId: process.pid, rootUri: pathToFileURL(ROOT).href, initializationOptions,
      capabilities: { workspace, textDocument: { hover: { contentFormat: ["markdown"] }, publishDiagnostics: { relatedInformation: true } } },
    });
    await rpc.sendNotification("initialized", {});
    return c;
  }

  request<R>(method: string, params: unknown): Promise<R> { return this.rpc.sendRequest(method, params) as Promise<R>; }

  /** The next diagnostics for `uri` that pass `test` (or already received ones, when `fresh` is false). */
  diagnostics(uri: string, test: (p: PublishDiagnosticsParams) => boolean = () => true, fresh = true): Promise<PublishDiagnosticsParams> {
    const have = this.latest.get(uri);
    if (!fresh && have && test(have)) return Promise.resolve(have);
    return new Promise((done) => this.waiters.push({ uri, test, resolve: done }));
  }

  logged(test: (m: string) => boolean): Promise<string> {
    const have = this.logs.find(test);
    return have !== undefined ? Promise.resolve(have) : new Promise((done) => this.logWaiters.push({ test, resolve: done }));
  }

  /** Opens `text` as `uri` and resolves with its first diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    const published = this.diagnostics(uri, (p) => p.version === 1);
    await this.rpc.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rec", version: 1, text } });
    return (await published).diagnostics;
  }

  openFile(path: string): Promise<Diagnostic[]> { return this.open(uriOf(path), readFileSync(resolve(ROOT, path), "utf8")); }

  /** Replaces the whole text and resolves with the diagnostics of that version. */
  async change(uri: string, text: string): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const published = this.diagnostics(uri, (p) => p.version === version);
    await this.rpc.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return (await published).diagnostics;
  }

  async stop(): Promise<void> {
    if (this.exitCode === null) {
      await this.request("shutdown", null);
      await this.rpc.sendNotification("exit");
      await this.exited;
    }
    this.rpc.dispose();
  }
}

/** The LSP position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export const positionOf = (text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } => {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${nth}) not in the text`);
  }
  const off = at + delta;
  const before = text.slice(0, off);
  const line = before.split("\n").length - 1;
  return { line, character: off - (before.lastIndexOf("\n") + 1) };
};
