// The VS Code client: starts `reccompile lsp --stdio` for .rec files and stops it with the editor.
// Plain CommonJS so the extension needs no build step.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

/** A `.js` entry point (a checkout's dist/cli/reccompile.js) runs under the editor's own Node. */
const serverOptions = (command, args) =>
  command.endsWith(".js")
    ? { module: command, args, transport: TransportKind.stdio }
    : { command, args, transport: TransportKind.stdio };

exports.activate = async (context) => {
  const config = vscode.workspace.getConfiguration("reccompile");
  const command = config.get("server.command", "reccompile");
  const args = config.get("server.args", ["lsp", "--stdio"]).filter((a) => a !== "--stdio");
  client = new LanguageClient(
    "reccompile",
    "reccompile",
    serverOptions(command, args),
    {
      documentSelector: [{ scheme: "file", language: "rec" }, { scheme: "untitled", language: "rec" }],
      // The server registers its own watcher for **/*.rec, so imports changed on disk re-check their importers.
      initializationOptions: { debounceMs: config.get("debounceMs", 20) },
    },
  );
  context.subscriptions.push(client);
  await client.start();
};

exports.deactivate = () => (client ? client.stop() : undefined);
