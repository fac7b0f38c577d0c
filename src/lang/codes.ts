/**
 * Every diagnostic code, in one table, grouped by range: REC1xxx syntax and files, REC2xxx semantics,
 * REC3xxx data and evaluation protocol. Codes are stable: scripts and golden files depend on them.
 * REC21xx and REC31xx are warnings.
 */
import type { Diagnostic, Related, Severity } from "./diagnostic.js";
import type { Span } from "./span.js";

export interface CodeInfo { readonly code: string; readonly severity: Severity; readonly summary: string }

const c = (code: string, summary: string): CodeInfo =>
  ({ code, severity: /^REC[23]1/.test(code) ? "warning" : "error", summary });

export const CODES = {
  UnexpectedChar: c("REC1001", "character that cannot start a token"),
  UnterminatedString: c("REC1002", "string without its closing quote"),
  ExpectedToken: c("REC1003", "a required token is missing"),
  UnexpectedToken: c("REC1004", "a token that cannot appear here"),
  TrailingInput: c("REC1005", "input after the last complete declaration"),
  TooDeep: c("REC1006", "brackets nested deeper than the limit"),
  BadNumber: c("REC1007", "number too large to represent"),
  Unreadable: c("REC1008", "file missing, a directory, or unreadable"),
  Binary: c("REC1009", "file is not text"),

  UnknownSection: c("REC2001", "unknown section"),
  DuplicateSection: c("REC2002", "section declared twice"),
  UnknownEntry: c("REC2003", "unknown key in a section"),
  DuplicateEntry: c("REC2004", "key given twice in a section"),
  MissingModel: c("REC2005", "no model declared"),
  DuplicateModel: c("REC2006", "more than one model"),
  UnknownLayer: c("REC2007", "unknown layer or block"),
  UnknownParam: c("REC2008", "unknown parameter"),
  DuplicateArg: c("REC2009", "argument given twice"),
  MissingParam: c("REC2010", "required parameter missing"),
  WrongType: c("REC2011", "value of the wrong type"),
  OutOfRange: c("REC2012", "value outside its allowed range"),
  PositionalArg: c("REC2013", "positional argument where a name is required"),
  UnknownValue: c("REC2014", "unknown option value"),
  ResidualWidth: c("REC2015", "residual body changes the width"),
  RepeatWidth: c("REC2016", "repeat body changes the width"),
  HeadsDivide: c("REC2017", "attention heads do not divide the width"),
  TiedWidth: c("REC2018", "tied output needs the final width to equal the embedding width"),
  EmbeddingPlace: c("REC2019", "item embedding missing or not first"),
  OutputPlace: c("REC2020", "output missing its place or declared twice"),
  PositionalLen: c("REC2021", "positional max_len shorter than data.max_len"),
  DuplicateBlock: c("REC2022", "block defined twice"),
  DuplicateBlockParam: c("REC2023", "block parameter declared twice"),
  RecursiveBlock: c("REC2024", "block uses itself"),
  ImportCycle: c("REC2025", "imports form a cycle"),
  ImportMissing: c("REC2026", "imported file cannot be read"),
  ImportContent: c("REC2027", "imported file declares more than blocks"),
  UnknownMetric: c("REC2028", "unknown metric"),
  PopularityMixed: c("REC2029", "popularity combined with other layers"),
  UnknownAblation: c("REC2030", "unknown ablation parameter"),
  BadAblation: c("REC2031", "ablation sweep that cannot apply"),
  UnknownName: c("REC2032", "name that is not a block parameter"),
  LayerPlace: c("REC2033", "layer not allowed in this place"),
  EmptyBody: c("REC2034", "empty layer list"),
  WrongArgs: c("REC2035", "arguments where none are taken"),
  UnknownTune: c("REC2036", "unknown tune parameter"),
  BadTuneSpace: c("REC2037", "search-space distribution that cannot be sampled"),
  TuneTrials: c("REC2038", "trials that do not fit the search space"),
  BadTuneAlgorithm: c("REC2039", "tuning algorithm settings that cannot apply"),
  TunePoint: c("REC2040", "a trial of the search whose spec does not check"),

  DoubleLayerNorm: c("REC2101", "two LayerNorms in a row"),
  ZeroDropout: c("REC2102", "dropout of 0 does nothing"),
  UnusedBlock: c("REC2103", "block defined but never used"),
  UnusedBlockParam: c("REC2104", "block parameter never referenced"),

  EarlyStopMetric: c("REC3001", "early-stopping metric not among the evaluation metrics"),
  MetricK: c("REC3002", "metric cut-off K must be a positive integer"),
  DuplicateMetric: c("REC3003", "metric listed twice"),
  MinSeqLen: c("REC3004", "min_seq_len too small for leave-one-out"),
  NoMetrics: c("REC3005", "no evaluation metrics"),
  MinContext: c("REC3006", "min_context must be below max_len"),
  PlateauMetric: c("REC3007", "plateau schedule without a metric to watch"),
  PlateauEvalMetric: c("REC3008", "plateau metric not among the evaluation metrics"),
  TuneMetric: c("REC3009", "tune metric not among the evaluation metrics"),
  LookAhead: c("REC3010", "bidirectional attention trained on the next item at every position"),
  SeenMasked: c("REC3011", "seen-aware output with masked targets"),

  PatienceTooLong: c("REC3101", "early-stopping patience can never trigger"),
  PlateauPatience: c("REC3102", "early stopping ends training before a plateau reduction can help"),
  AverageNeverStarts: c("REC3103", "weight average starts after the last epoch"),
  SeenExcluded: c("REC3104", "seen-aware output with seen items excluded from the ranking"),
  CaserWindow: c("REC3105", "caser window longer than data.max_len"),
} as const satisfies Record<string, CodeInfo>;

export type CodeName = keyof typeof CODES;

export interface DiagExtras { readonly hint?: string; readonly related?: readonly Related[] }

/** Builds a diagnostic whose code and severity come from the table. */
export const diag = (name: CodeName, span: Span, message: string, extras: DiagExtras = {}): Diagnostic => {
  const info = CODES[name];
  return {
    code: info.code, severity: info.severity, message, span,
    ...(extras.hint !== undefined ? { hint: extras.hint } : {}),
    ...(extras.related !== undefined && extras.related.length > 0 ? { related: extras.related } : {}),
  };
};

/** The code table as Markdown, for docs/language.md (kept in sync by test/refresh-golden.ts and a test). */
export const codesTableMarkdown = (): string =>
  ["| code | severity | meaning |", "|---|---|---|", ...Object.values(CODES).map((c: CodeInfo) => `| ${c.code} | ${c.severity} | ${c.summary} |`)].join("\n");
