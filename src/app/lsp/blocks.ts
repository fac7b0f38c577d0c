/** A block's parameters, read from its signature as written (`(heads, inner, dropout = 0.2)`). */
import type { BlockSite } from "./analysis.js";

export interface BlockParam { readonly name: string; readonly default: string | undefined }

export const blockParams = (site: BlockSite): BlockParam[] =>
  site.signature.replace(/^\(|\)$/g, "").split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
    const eq = s.indexOf("=");
    return eq < 0 ? { name: s, default: undefined } : { name: s.slice(0, eq).trim(), default: s.slice(eq + 1).trim() };
  });
