import { UserError } from "../src/util/errors.js";

/** What a command accepts: flag name -> whether it takes a value. */
export type FlagSpec = Readonly<Record<string, "boolean" | "value">>;

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name`; `--` ends the flags.
 * An unknown flag is a user error that names the flag and lists the accepted ones.
 */
export const parseArgs = (command: string, argv: readonly string[], spec: FlagSpec): ParsedArgs => {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith("--") || arg === "-") { positional.push(arg); continue; }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(", ");
      throw new UserError(`reccompile ${command}: unknown flag '--${name}'${known ? ` (accepted: ${known})` : ""}`);
    }
    if (kind === "boolean") {
      if (eq >= 0) throw new UserError(`reccompile ${command}: flag '--${name}' takes no value`);
      flags.set(name, true);
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UserError(`reccompile ${command}: flag '--${name}' needs a value`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
};

export const stringFlag = (a: ParsedArgs, name: string): string | undefined => {
  const v = a.flags.get(name);
  return typeof v === "string" ? v : undefined;
};

export const boolFlag = (a: ParsedArgs, name: string): boolean => a.flags.get(name) === true;

/** An integer flag within [min, max], or undefined when absent. */
export const intFlag = (command: string, a: ParsedArgs, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
  const v = stringFlag(a, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UserError(`reccompile ${command}: --${name} must be an integer, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UserError(`reccompile ${command}: --${name} must be between ${min} and ${max}, got ${n}`);
  return n;
};

/** A flag's value among `allowed`, or `fallback` when absent. */
export const oneOf = <T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`reccompile ${command}: --${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
};
