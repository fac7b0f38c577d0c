/**
 * A mistake of the user's (bad spec, bad data, bad flag): the CLI prints `message` without a stack
 * trace and exits 1. Anything else that escapes is an internal error (exit 2).
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
