/**
 * `reccompile lsp`: the language server. Wires the document store and the request handlers to a
 * connection. Every handler runs inside `guard`: an internal error is logged to the client and the
 * request answered with an empty result, so a half-typed spec never takes the server down.
 */
import { uriToPath } from "./positions.js";
import {
  createConnection, DidChangeWatchedFilesNotification, LSPErrorCodes, ProposedFeatures, ResponseError, TextDocuments,
  TextDocumentSyncKind, type CancellationToken, type Connection,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Analysis } from "./analysis.js";
import { complete } from "./completion.js";
import { quickFixes, toLspDiagnostics } from "./diagnostics.js";
import { foldingRanges } from "./folding.js";
import { formatDocument } from "./formatting.js";
import { hover } from "./hover.js";
import { definition, documentSymbols, references } from "./navigation.js";
import { DocumentStore } from "./store.js";

export interface ServerOptions {
  /** Quiet period after a change before the document is checked. */
  readonly debounceMs: number;
}

export const DEFAULT_DEBOUNCE_MS = 20;

const errorText = (err: unknown): string => (err instanceof Error ? err.stack ?? err.message : String(err));

/** Serves one client over `input`/`output` until it exits; resolves with the exit code. */
export const serveLanguageServer = (input: NodeJS.ReadableStream, output: NodeJS.WritableStream, options: ServerOptions = { debounceMs: DEFAULT_DEBOUNCE_MS }): Promise<number> => {
  const connection: Connection = createConnection(ProposedFeatures.all, input, output);
  const documents = new TextDocuments(TextDocument);
  let debounceMs = options.debounceMs;
  let watchFiles = false;
  let store: DocumentStore | undefined;

  const logError = (what: string, err: unknown): void => {
    connection.console.error(`reccompile lsp: ${what} failed: ${errorText(err)}`);
  };
  const storeOf = (): DocumentStore => {
    store ??= new DocumentStore(documents, debounceMs, (a: Analysis) => {
      void connection.sendDiagnostics({ uri: a.uri, version: a.version, diagnostics: toLspDiagnostics(a) });
    }, logError);
    return store;
  };

  /** Runs a request handler on the document's current analysis; answers `empty` when the document is not open or the handler fails. */
  const guard = <P extends { textDocument: { uri: string } }, R>(what: string, empty: R, fn: (a: Analysis, p: P) => R) =>
    (p: P, token: CancellationToken): R | ResponseError<void> => {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
      try {
        const a = storeOf().analysis(p.textDocument.uri);
        if (a === undefined) return empty;
        if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
        return fn(a, p);
      } catch (err) {
        logError(what, err);
        return empty;
      }
    };

  connection.onInitialize((params) => {
    const opts = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (typeof opts?.debounceMs === "number" && opts.debounceMs >= 0) debounceMs = opts.debounceMs;
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [":", "(", ",", "[", "\"", "/"] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix"] },
      },
      serverInfo: { name: "reccompile", version: "0.1.0" },
    };
  });

  connection.onInitialized(() => {
    if (watchFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.rec" }] });
  });

  documents.onDidOpen((e) => storeOf().schedule(e.document.uri, 0));
  documents.onDidChangeContent((e) => storeOf().schedule(e.document.uri));
  documents.onDidSave((e) => storeOf().fileChanged(uriToPath(e.document.uri)));
  documents.onDidClose((e) => {
    storeOf().close(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  connection.onDidChangeWatchedFiles((p) => {
    try {
      for (const c of p.changes) storeOf().fileChanged(uriToPath(c.uri));
    } catch (err) {
      logError("watched-file change", err);
    }
  });

  connection.onHover(guard("hover", null, (a, p) => hover(a, p.position)));
  connection.onCompletion(guard("completion", [], (a, p) => complete(a, p.position)));
  connection.onDefinition(guard("definition", null, (a, p) => definition(a, p.position)));
  connection.onReferences(guard("references", [], (a, p) => references(a, p.position, p.context.includeDeclaration, storeOf().all())));
  connection.onDocumentSymbol(guard("document symbols", [], (a) => documentSymbols(a)));
  connection.onDocumentFormatting(guard("formatting", [], (a) => formatDocument(a.file, a.text)));
  connection.onFoldingRanges(guard("folding ranges", [], (a) => foldingRanges(a.scan)));
  connection.onCodeAction(guard("code actions", [], (a, p) => quickFixes(a.uri, p.context.diagnostics)));

  // A fault outside any handler (a timer, a stream) is logged too, and the server keeps serving.
  process.on("uncaughtException", (err) => logError("internal work", err));
  documents.listen(connection);
  return new Promise<number>((done) => {
    let shutdown = false;
    connection.onShutdown(() => { shutdown = true; store?.dispose(); });
    connection.onExit(() => done(shutdown ? 0 : 1));
    connection.listen();
  });
};
