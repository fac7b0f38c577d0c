/**
 * Help: `reccompile --help`, `reccompile <command> --help` and `reccompile help <command>`, and the
 * help's flag lists held to what each command's parser accepts.
 */
import assert from "node:assert/strict";
import { HELP } from "../../cli/usage.js";
import { cli, ensureBuilt } from "../check/cli.js";

/** The flags a command accepts, read from the error that an unknown flag gets. */
const accepted = async (command: string): Promise<string[]> => {
  const mod = (await import(`../../cli/commands/${command}.js`)) as { run: (argv: readonly string[]) => Promise<number> };
  try {
    await mod.run(["--no-such-flag"]);
  } catch (err) {
    // (a UserError, from the module instance that the command's own import loaded)
    assert.ok(err instanceof Error && err.constructor.name === "UserError", `${command}: ${String(err)}`);
    assert.match(err.message, /unknown flag '--no-such-flag'/);
    const list = /\(accepted: ([^)]*)\)/.exec(err.message)?.[1];
    return list === undefined ? [] : list.split(", ").sort();
  }
  throw new Error(`${command} accepted --no-such-flag`);
};

describe("reccompile help (CLI)", function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  for (const command of Object.keys(HELP)) {
    it(`${command}: the help lists exactly the flags the command accepts`, async () => {
      const listed = HELP[command]!.flags.map(([f]) => f.split(" ")[0]!);
      assert.deepEqual([...new Set(listed)].sort(), await accepted(command));
    });
  }

  it("`<command> --help`, `<command> -h` and `help <command>` print the command's help and exit 0", () => {
    for (const argv of [["eval", "--help"], ["eval", "some/run", "-h"], ["help", "eval"]]) {
      const r = cli(...argv);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^usage: reccompile eval <run-dir>/);
      assert.match(r.stdout, /--seen keep\|exclude +keep the user's seen items/);
    }
    const compile = cli("specs/mamba4rec.rec", "--help");
    assert.equal(compile.code, 0);
    assert.match(compile.stdout, /^usage: reccompile <file\.rec>\.\.\. \[--out-dir DIR\]/);
  });

  it("`--help` lists every command; a bare `reccompile` prints it to stderr and exits 1", () => {
    const r = cli("--help");
    assert.equal(r.code, 0);
    for (const h of Object.values(HELP)) assert.ok(r.stdout.includes(h.synopsis), h.synopsis);
    const bare = cli();
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /^usage: /);
  });

  it("`help` of an unknown command names it and lists the commands", () => {
    const r = cli("help", "nope");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command 'nope' \(commands: compile, check, fmt, /);
  });

  it("a `--help` after `--` is an argument, not a request for help", () => {
    const r = cli("check", "--", "--help");
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /^usage/);
  });
});
