/** Number formats shared by the reports (ablation, compare). Non-finite values read "n/a". */

/** Four decimals. */
export const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : "n/a");
/** With its sign, `+0.0123` or `−0.0123`. */
export const signed = (x: number, digits = 4): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}` : "n/a");
/** A ratio as a signed percentage, `+1.4%`. */
export const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(1)}%` : "n/a");
/** `p=0.0123`, `p<1e-4` or `p n/a`. */
export const pText = (p: number): string => (!Number.isFinite(p) ? "p n/a" : p < 1e-4 ? "p<1e-4" : `p=${p.toFixed(4)}`);

/** Quotes a block of text (diagnostics under a variant or trial): each line prefixed with `  | `. */
export const quoteBlock = (text: string): string => text.split("\n").map((l) => `  | ${l}`).join("\n");
