/**
 * What each command does and accepts: `reccompile --help` prints the synopses, `reccompile
 * <command> --help` one command's synopsis, summary and flags. Each command's parser accepts exactly
 * the flags listed here (test/cli/help.spec.ts holds the two together).
 */
import { FORMATS as READERS } from "../src/app/options.js";

export interface CommandHelp {
  readonly synopsis: string;
  readonly summary: string;
  /** Flag (as typed, with its value's placeholder) and what it does. */
  readonly flags: readonly (readonly [string, string])[];
}

const FORMATS = ["auto", ...READERS].join("|");

/** The Slurm executor's resource flags, the same for every study command (ablate, tune). */
const SLURM_FLAGS: readonly (readonly [string, string])[] = [
  ["--slurm-partition P", "with --executor slurm: the partition"],
  ["--slurm-time T", "with --executor slurm: time limit per run (minutes, H:MM:SS, D-HH:MM:SS); preempted runs requeue and resume"],
  ["--slurm-cpus-per-task N", "with --executor slurm: cores per run, its kernels' threads (default: 1)"],
  ["--slurm-mem M", "with --executor slurm: memory per run (e.g. 4G)"],
  ["--slurm-gpus G", "with --executor slurm: GPUs per run"],
  ["--slurm-extra 'FLAGS'", "with --executor slurm: more sbatch flags, as typed"],
];
const RETRIES_FLAG = ["--retries N", "with --executor slurm: resubmit a failed run up to N times, resuming it (default: 0)"] as const;

export const HELP: Readonly<Record<string, CommandHelp>> = {
  compile: {
    synopsis: "reccompile <file.rec>... [--out-dir DIR] [--quiet]",
    summary: "Check each spec and emit its training code as <out-dir>/<name>.ts (TypeScript on TensorFlow.js).",
    flags: [
      ["--out-dir DIR", "where the generated code goes (default: generated/)"],
      ["--quiet", "do not list the files written"],
    ],
  },
  check: {
    synopsis: "reccompile check <file.rec>...",
    summary: "Parse and type-check specs; diagnostics on stderr; exit 1 when any has an error.",
    flags: [],
  },
  fmt: {
    synopsis: "reccompile fmt [--check|--write] <file.rec>...",
    summary: "Print specs in the canonical layout, check that they are in it, or rewrite them in place.",
    flags: [
      ["--check", "exit 1 if a file is not formatted, writing nothing"],
      ["--write", "rewrite the files in place"],
    ],
  },
  explain: {
    synopsis: "reccompile explain <file.rec> [--items N] [--users N] [--json]",
    summary: "The resolved spec, each layer's output shape, parameter counts and FLOPs per token.",
    flags: [
      ["--items N", "catalogue size to size the embeddings with (default: 3416, ML-1M's)"],
      ["--users N", "users to size a user table with (`embedding users`; default: 6040, ML-1M's)"],
      ["--json", "machine-readable output"],
    ],
  },
  data: {
    synopsis: "reccompile data [PATH] [--format F] [--spec FILE.rec] [--max-len N] [--batch N] [--json]",
    summary: "The data at PATH (default: the built-in synthetic data) as a run would see it, before training: what was read and what the filters keep, history lengths, item popularity, repeated items and repeated validation and test targets, the leave-one-out split, and what one training epoch costs.",
    flags: [
      ["--format F", `how to read PATH: ${FORMATS} (default: auto)`],
      ["--spec FILE.rec", "take the data and train settings from this spec (default: the language's defaults)"],
      ["--max-len N", "override data { max_len }"],
      ["--batch N", "override train { batch }"],
      ["--json", "also print the figures as JSON"],
    ],
  },
  run: {
    synopsis: "reccompile run <file.rec> [--data PATH] [--format F] [--epochs N] [--patience N] [--max-len N] [--batch N] [--seed N] [--backend B] [--kernels K] [--out DIR] [--resume] [--json]",
    summary: "Compile, train and evaluate a spec; writes a run folder (checkpoints, history, metrics, ranks).",
    flags: [
      ["--data PATH", "the interactions to train on (default: the built-in synthetic data)"],
      ["--format F", `how to read --data: ${FORMATS} (default: auto)`],
      ["--epochs N", "override train { epochs }"],
      ["--patience N", "override the early-stopping patience"],
      ["--max-len N", "override data { max_len }"],
      ["--batch N", "override train { batch }"],
      ["--seed N", "override train { seed }"],
      ["--backend B", "auto|tensorflow|webgpu|wasm|cpu (default: auto)"],
      ["--kernels K", "auto|native|ts: the scan kernels (default: auto, or REC_KERNELS)"],
      ["--out DIR", "the run folder (default: runs/<model>-<time>)"],
      ["--resume", "continue the run in --out from its last checkpoint"],
      ["--json", "also print the result as JSON"],
    ],
  },
  eval: {
    synopsis: "reccompile eval <run-dir> [--data PATH] [--format F] [--backend B] [--max-len N] [--seen keep|exclude] [--json]",
    summary: "Score a run's kept weights again: on other data over the same items, with shorter or longer inputs, or with the seen items removed from the ranking; also how much of the top K the users' seen items take.",
    flags: [
      ["--data PATH", "score on this data (default: the run's)"],
      ["--format F", `how to read --data: ${FORMATS} (default: auto)`],
      ["--backend B", "auto|tensorflow|webgpu|wasm|cpu (default: auto)"],
      ["--max-len N", "feed only the most recent N items (default: the run's max_len)"],
      ["--seen keep|exclude", "keep the user's seen items in the ranking or remove them (default: the run's eval { exclude_seen })"],
      ["--json", "also print the figures as JSON"],
    ],
  },
  compare: {
    synopsis: "reccompile compare <run-dir>... [--metric M] [--every N] [--json]",
    summary: "Validation curves side by side, and finished runs tested per user against the first, with how much of their top K the users' seen items take.",
    flags: [
      ["--metric M", "the metric to compare (default: ndcg@10)"],
      ["--every N", "print every Nth epoch"],
      ["--json", "machine-readable output"],
    ],
  },
  recommend: {
    synopsis: "reccompile recommend <run-dir> --history 12,7,301 [--user ID] [--k N] [--titles FILE] [--item-map TSV] [--json]",
    summary: "The top-K items a run's model recommends after a history of item ids (oldest first).",
    flags: [
      ["--history IDS", "comma-separated item ids of the run's data, oldest first (required)"],
      ["--user ID", "a user of the run's data, for a model with a user table (`embedding users`); without it the table adds zeros"],
      ["--k N", "how many items (default: 10)"],
      ["--titles FILE", "MovieLens movies.dat or u.item, to print titles"],
      ["--item-map TSV", "item id -> original id, when the data was renumbered"],
      ["--json", "machine-readable output"],
    ],
  },
  ablate: {
    synopsis: "reccompile ablate <file.rec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--backend B] [--jobs N] [--executor local|slurm [--slurm-* ...] [--detach] [--retries N]]]",
    summary: "Generate one spec per variant of the spec's ablate { } section; with --run, train them all and write a report.",
    flags: [
      ["--out DIR", "where the variants go (default: specs/ablations/<spec>/)"],
      ["--dry-run", "list the variants and their changes, write nothing"],
      ["--run", "also train the base and every variant (resumable) and write ablation.md, .csv and .svg"],
      ["--data PATH", "with --run: the data to train on"],
      ["--format F", `with --run: how to read --data: ${FORMATS}`],
      ["--epochs N", "with --run: epochs per variant"],
      ["--seed N", "with --run: the seed of every run"],
      ["--backend B", "with --run: the backend of every run (as `reccompile run --backend`, e.g. webgpu on GPU nodes)"],
      ["--jobs N", "with --run: runs at a time (default: 1; the local executor)"],
      ["--executor local|slurm", "with --run: where the runs run: worker processes here (default), or one Slurm job array (docs/cluster.md)"],
      ...SLURM_FLAGS,
      ["--detach", "with --executor slurm: submit and return; the same command later collects the study"],
      RETRIES_FLAG,
    ],
  },
  tune: {
    synopsis: "reccompile tune <file.rec> [--data PATH] [--format F] [--backend B] [--trials N] [--jobs N] [--executor local|slurm [--slurm-* ...] [--detach] [--retries N]] [--out DIR] [--dry-run] [--json]",
    summary: "Run the spec's tune { } search: trial specs, their runs (successive halving with asha; resumable), tune.md, .csv, .svg and best.rec.",
    flags: [
      ["--out DIR", "the study folder (default: tune/<spec>/ beside the spec)"],
      ["--dry-run", "list the trials and their changes, write nothing"],
      ["--data PATH", "the data to train on (default: the built-in synthetic data)"],
      ["--format F", `how to read --data: ${FORMATS}`],
      ["--backend B", "the backend of every run (as `reccompile run --backend`)"],
      ["--trials N", "trials to draw (overrides the spec's trials; a grid needs at least its size)"],
      ["--jobs N", "runs at a time (default: 1; the local executor)"],
      ["--executor local|slurm", "where the runs run: worker processes here (default), or Slurm job arrays, one per rung (docs/cluster.md)"],
      ...SLURM_FLAGS,
      ["--detach", "with --executor slurm: submit the rung and return; a follow-up job runs the same command when it ends, and so on to the end (scancel it to stop)"],
      RETRIES_FLAG,
      ["--json", "one JSON line at the end: the winner, every trial, the test comparison"],
    ],
  },
  lsp: {
    synopsis: "reccompile lsp [--stdio]",
    summary: "The language server for editors (diagnostics, hover, completion, definitions, formatting), over stdin and stdout; see docs/editors.md.",
    flags: [
      ["--stdio", "talk over stdin and stdout (the default and only transport)"],
    ],
  },
};

/** `reccompile --help`: every command's synopsis. */
export const usage = (): string =>
  `usage: ${Object.values(HELP).map((h) => h.synopsis).join("\n       ")}\n\n` +
  "`reccompile <command> --help` describes a command and its flags.";

/** `reccompile <command> --help`. */
export const commandHelp = (command: string): string => {
  const h = HELP[command]!;
  const w = Math.max(0, ...h.flags.map(([f]) => f.length));
  const flags = h.flags.length === 0 ? "" : `\n\nflags:\n${h.flags.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`).join("\n")}`;
  return `usage: ${h.synopsis}\n\n${h.summary}${flags}`;
};
