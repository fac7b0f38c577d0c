/**
 * A mistake of the user's (bad spec, bad data, bad flag): the CLI prints `message` without a stack
 * trace and exits 1. Anything else that escapes is an internal error (exit 2), except running out of
 * memory, which the user can act on (fatalReport).
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** What the CLI prints for an error that escaped a command, and its exit code. */
export interface FatalReport {
  readonly message: string;
  readonly code: 1 | 2;
}

/**
 * The wasm backend's heap (at most 4 GiB) ran out: tfjs-backend-wasm then fails an allocation or
 * reads past the heap. Node itself failing to allocate an ArrayBuffer counts too.
 */
const WasmRuntimeError = (globalThis as { WebAssembly?: { RuntimeError: abstract new () => Error } }).WebAssembly?.RuntimeError;

const isOutOfMemory = (err: unknown): err is Error =>
  (WasmRuntimeError !== undefined && err instanceof WasmRuntimeError && /memory access out of bounds|out of memory|\bOOM\b/i.test(err.message)) ||
  (err instanceof RangeError && /Array buffer allocation failed|WebAssembly\.Memory|out of memory/i.test(err.message));

export const fatalReport = (err: unknown): FatalReport => {
  if (err instanceof UserError) return { message: err.message, code: 1 };
  if (isOutOfMemory(err)) {
    return {
      message:
        `reccompile: out of memory (${err.message}). The wasm backend's heap holds at most 4 GiB: ` +
        "lower train.batch or data.max_len, or narrow the model; a run folder already written continues with --resume from its last epoch",
      code: 1,
    };
  }
  return { message: `reccompile: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, code: 2 };
};
