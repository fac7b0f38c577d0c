/**
 * Open documents and their analyses. A change schedules a check after a short quiet period
 * (debounce), and a newer change cancels the pending one; a check whose document has moved on by
 * the time it finishes is not published. Requests never wait for the timer: they analyse the
 * current version on demand, and the result is cached for the timer to publish.
 */
import { resolve } from "node:path";
import type { TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { analyze, type Analysis } from "./analysis.js";
import { uriToPath } from "./positions.js";

export class DocumentStore {
  private readonly cache = new Map<string, Analysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly debounceMs: number,
    private readonly publish: (a: Analysis) => void,
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  /** The analysis of the document's current text, or undefined when it is not open. */
  analysis(uri: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const cached = this.cache.get(uri);
    if (cached && cached.version === doc.version) return cached;
    const a = analyze(uri, doc.version, doc.getText());
    this.cache.set(uri, a);
    return a;
  }

  /** Every open document's analysis (for references across files). */
  all(): Analysis[] {
    return this.documents.keys().flatMap((uri) => this.analysis(uri) ?? []);
  }

  schedule(uri: string, delayMs = this.debounceMs): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      try {
        const a = this.analysis(uri);
        // Superseded while it ran: the next timer publishes the newer version.
        if (a && a.version === this.documents.get(uri)?.version && !this.timers.has(uri)) this.publish(a);
      } catch (err) {
        this.onError(`checking ${uri}`, err);
      }
    }, delayMs));
  }

  /** A file on disk changed: re-check the open documents that import it (their own text is unchanged, so drop the cache). */
  fileChanged(path: string): void {
    const abs = resolve(path);
    for (const uri of this.documents.keys()) {
      const a = this.cache.get(uri);
      if (a && resolve(uriToPath(uri)) !== abs && a.dependsOn.has(abs)) {
        this.cache.delete(uri);
        this.schedule(uri, 0);
      }
    }
  }

  close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.cache.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
