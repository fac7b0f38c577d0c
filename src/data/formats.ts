/** The data file formats reccompile reads (`--format`). */
export const FORMATS = ["pairs", "lines", "movielens", "ml100k", "recbole", "csv", "uirt", "uit", "uir"] as const;
export type Format = (typeof FORMATS)[number];

export const isFormat = (s: string): s is Format => (FORMATS as readonly string[]).includes(s);
