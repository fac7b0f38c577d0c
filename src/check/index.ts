/**
 * The checker's entry points: text or file in, `Either<Diagnostic[], Checked>` out. Left holds every
 * diagnostic (errors and warnings); Right the checked IR with its warnings and the sources read.
 */
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import { diag } from "../lang/codes.js";
import { isError, type Diagnostic } from "../lang/diagnostic.js";
import { sortDiagnostics } from "../lang/render.js";
import type { CheckedSpec } from "../ir/spec.js";
import type { Sink } from "./decode.js";
import { fileStart, load, readSource } from "./load.js";
import { collectBlocks, lowerSpec } from "./lower/spec.js";
import { checkTrialPoints } from "./lower/tune.js";
import { runRules } from "./registry.js";
import { isLibrary } from "./rules/modelCount.js";
import { isLayerName, LAYERS } from "./params.js";
import { didYouMean } from "./suggest.js";
import { walk, type BlockDef } from "../lang/ast.js";

export { defaultSections } from "./lower/sections.js";

export interface Checked {
  readonly spec: CheckedSpec;
  readonly warnings: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/** The result together with the sources read, so a Left can be rendered with its source lines. */
export interface CheckOutcome {
  readonly result: Either<Diagnostic[], Checked>;
  readonly sources: ReadonlyMap<string, string>;
  /** The file only defines blocks: it has no spec, so `result` is Left, and it passes when that holds no error. */
  readonly library: boolean;
}

const dedupe = (ds: readonly Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}\0${d.span.file}\0${d.span.start.offset}\0${d.span.end.offset}\0${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

export const checkTextDetailed = (file: string, text: string): CheckOutcome => {
  const loaded = load(file, text);
  const sink: Sink = { diags: [...loaded.diags] };
  const main = loaded.files.find((f) => f.isMain);
  let spec: CheckedSpec | undefined;
  let library = false;
  if (main && !loaded.diags.some(isError)) {
    for (const f of loaded.files) runRules(f.ast, { diags: sink.diags, isMain: f.isMain });
    const blocks = collectBlocks(loaded.files, sink);
    library = isLibrary(main.ast);
    if (!library) spec = lowerSpec(main, blocks, sink);
    // A search whose trials do not check is an error of the spec; the trials carry no tune section, so this does not recurse.
    if (spec?.tune && !sink.diags.some(isError)) sink.diags.push(...checkTrialPoints(spec, (text) => {
      const r = checkTextDetailed(file, text).result;
      return isLeft(r) ? r.left : [];
    }));
    for (const b of blocks.values()) checkLayerNames(b, blocks, sink);
    const used = new Set<string>();
    const note = (nodes: readonly unknown[]): void => { for (const n of nodes) if (n && typeof n === "object") markUses(n, used); };
    note(loaded.files.map((f) => f.ast));
    for (const [name, b] of blocks) {
      if (b.name.span.file !== main.file) continue;
      if (!used.has(name) && !library) sink.diags.push(diag("UnusedBlock", b.name.span, `block '${name}' is never used`));
      const referenced = new Set<string>();
      walk(b, (n) => { if (n.kind === "Name") referenced.add(n.name); });
      for (const p of b.params) {
        if (!referenced.has(p.name.name)) {
          sink.diags.push(diag("UnusedBlockParam", p.name.span, `parameter '${p.name.name}' of block '${name}' is never referenced in its body`));
        }
      }
    }
  }
  const all = sortDiagnostics(dedupe(sink.diags));
  const result: Either<Diagnostic[], Checked> = spec !== undefined && !all.some(isError)
    ? right({ spec, warnings: all, sources: loaded.sources })
    : left(all);
  return { result, sources: loaded.sources, library };
};

/** Unknown layer names in a block body are errors even when the block is never used. */
const checkLayerNames = (b: BlockDef, blocks: ReadonlyMap<string, BlockDef>, sink: Sink): void => {
  walk(b, (n) => {
    if (n.kind !== "CallLayer" || isLayerName(n.name.name) || blocks.has(n.name.name)) return;
    sink.diags.push(diag("UnknownLayer", n.name.span, `unknown layer or block '${n.name.name.length > 30 ? `${n.name.name.slice(0, 30)}…` : n.name.name}'`, {
      hint: didYouMean(n.name.name, [...Object.keys(LAYERS), ...blocks.keys(), "embedding", "residual", "repeat", "output"]),
    }));
  });
};

/** Names used as layers anywhere (`CallLayer`), so unused blocks can be reported. */
const markUses = (root: object, used: Set<string>): void => {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) { stack.push(...n); continue; }
    if (!n || typeof n !== "object") continue;
    const o = n as Record<string, unknown>;
    if (o["kind"] === "CallLayer") used.add((o["name"] as { name: string }).name);
    for (const [k, v] of Object.entries(o)) if (k !== "span" && v && typeof v === "object") stack.push(v);
  }
};

export const checkText = (file: string, text: string): Either<Diagnostic[], Checked> => checkTextDetailed(file, text).result;

export const checkFileDetailed = (path: string): CheckOutcome => {
  const src = readSource(path);
  if ("error" in src) return { result: left([diag("Unreadable", fileStart(path), `${path} ${src.error}`)]), sources: new Map(), library: false };
  return checkTextDetailed(path, src.text);
};

/** Reads `path` and its imports synchronously and checks them. Never throws on a bad file. */
export const checkFile = (path: string): Either<Diagnostic[], Checked> => checkFileDetailed(path).result;
