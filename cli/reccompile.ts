#!/usr/bin/env node
/**
 * The reccompile command: dispatches to cli/commands/<name>.ts. Exit codes: 0 success,
 * 1 user error or out of memory (message, no stack trace), 2 internal error.
 */
import { fatalReport, UserError } from "../src/util/errors.js";

const USAGE = `usage: reccompile <file.rec>...                 check and emit generated/<name>.ts
       reccompile check <file.rec>...           diagnostics only
       reccompile fmt [--check|--write] <file.rec>...
       reccompile explain <file.rec> [--items N] [--json]
       reccompile run <file.rec> [--data PATH] [--format F] [--epochs N] [--patience N] [--max-len N] [--batch N]
                      [--seed N] [--backend B] [--kernels native|ts] [--out DIR] [--resume] [--json]
       reccompile eval <run-dir> [--data PATH] [--max-len N] [--json]
       reccompile compare <run-dir>... [--metric ndcg@10] [--every N] [--json]
       reccompile recommend <run-dir> --history 12,7,301 [--k 10] [--titles FILE]
       reccompile ablate <file.rec> [--out DIR] [--dry-run] [--run [--data PATH] [--epochs N] [--jobs N]]`;

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<{ run: Command }>>> = {
  compile: () => import("./commands/compile.js"),
  check: () => import("./commands/check.js"),
  fmt: () => import("./commands/fmt.js"),
  explain: () => import("./commands/explain.js"),
  run: () => import("./commands/run.js"),
  eval: () => import("./commands/eval.js"),
  compare: () => import("./commands/compare.js"),
  recommend: () => import("./commands/recommend.js"),
  ablate: () => import("./commands/ablate.js"),
};

const main = async (argv: readonly string[]): Promise<number> => {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    (first === undefined ? process.stderr : process.stdout).write(USAGE + "\n");
    return first === undefined ? 1 : 0;
  }
  if (first === "--version") {
    process.stdout.write("reccompile 0.1.0\n");
    return 0;
  }
  const load = COMMANDS[first];
  if (load !== undefined && first !== "compile") return (await load()).run(rest);
  if (first.startsWith("-") || !first.includes(".")) {
    throw new UserError(`reccompile: unknown command '${first}'\n${USAGE}`);
  }
  return (await COMMANDS.compile!()).run(argv);
};

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const { message, code } = fatalReport(err);
    process.stderr.write(`${message}\n`);
    process.exitCode = code;
  },
);
