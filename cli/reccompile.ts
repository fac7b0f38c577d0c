#!/usr/bin/env node
/**
 * The reccompile command: dispatches to cli/commands/<name>.ts. Exit codes: 0 success,
 * 1 user error or out of memory (message, no stack trace), 2 internal error.
 */
import { fatalReport, UserError } from "../src/util/errors.js";
import { commandHelp, HELP, usage } from "./usage.js";

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<{ run: Command }>>> = {
  compile: () => import("./commands/compile.js"),
  check: () => import("./commands/check.js"),
  fmt: () => import("./commands/fmt.js"),
  explain: () => import("./commands/explain.js"),
  data: () => import("./commands/data.js"),
  run: () => import("./commands/run.js"),
  eval: () => import("./commands/eval.js"),
  compare: () => import("./commands/compare.js"),
  recommend: () => import("./commands/recommend.js"),
  ablate: () => import("./commands/ablate.js"),
  tune: () => import("./commands/tune.js"),
  lsp: () => import("./commands/lsp.js"),
};

const main = async (argv: readonly string[]): Promise<number> => {
  const [first, ...rest] = argv;
  if (first === "help" && rest[0] !== undefined) {
    if (HELP[rest[0]] === undefined) throw new UserError(`reccompile help: unknown command '${rest[0]}' (commands: ${Object.keys(HELP).join(", ")})`);
    process.stdout.write(commandHelp(rest[0]) + "\n");
    return 0;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    (first === undefined ? process.stderr : process.stdout).write(usage() + "\n");
    return first === undefined ? 1 : 0;
  }
  if (first === "--version") {
    process.stdout.write("reccompile 0.1.0\n");
    return 0;
  }
  const load = COMMANDS[first];
  const named = load !== undefined && first !== "compile";
  if (!named && (first.startsWith("-") || !first.includes("."))) {
    throw new UserError(`reccompile: unknown command '${first}'\n${usage()}`);
  }
  const [command, args] = named ? [first, rest] : ["compile", argv];
  // `--help` or `-h` before any `--` asks for the command's help, whatever else is on the line.
  const end = args.indexOf("--");
  const flags = end < 0 ? args : args.slice(0, end);
  if (flags.includes("--help") || flags.includes("-h")) {
    process.stdout.write(commandHelp(command) + "\n");
    return 0;
  }
  return (await COMMANDS[command]!()).run(args);
};

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const { message, code } = fatalReport(err);
    process.stderr.write(`${message}\n`);
    process.exitCode = code;
  },
);
