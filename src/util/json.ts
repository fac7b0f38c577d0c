import { readFileSync } from "node:fs";
import { isLeft } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { UserError } from "./errors.js";

/**
 * Reads and decodes a JSON file. An unreadable file, text that is not JSON, or JSON that `codec`
 * rejects is a user error naming the file, `what` it should hold and, for a rejected value, the
 * path of the first field at fault (e.g. `at 0.loss`).
 */
export const readJsonFile = <A>(path: string, codec: t.Type<A, unknown, unknown>, what: string): A => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const reason = err instanceof SyntaxError ? `not JSON: ${err.message}` : ((err as NodeJS.ErrnoException).code ?? String(err));
    throw new UserError(`${path}: cannot read ${what} (${reason})`);
  }
  const decoded = codec.decode(raw);
  if (isLeft(decoded)) {
    const first = decoded.left[0];
    const at = first ? first.context.map((c) => c.key).filter((k) => k !== "").join(".") : "";
    throw new UserError(`${path}: not ${what}${at ? ` (at ${at})` : ""}`);
  }
  return decoded.right;
};
