/**
 * A study's runs run the code they were submitted with. A Slurm task may start hours after its
 * submission, and a preempted one is requeued and resumed later still; a local study starts its
 * runs one after another. Had they run the working tree's entry, a rebuild (or a `git checkout`)
 * in the meantime would change the code of the runs that had not started yet, and a resumed run
 * would continue its checkpoint with other kernels than it began with. So a study copies this
 * installation's code into `<runs>/.code/<digest>/` and starts its runs from the copy.
 *
 * The copy holds what a run loads from the installation: package.json (the version a run folder
 * records, and what `packageRoot()` looks for), the entry's tree (`dist/` when compiled; `cli/`,
 * `src/` and tsconfig.json under tsx) and the native addon. Dependencies are linked, not copied
 * (they are pinned by the lockfile and do not change under a study): the copy's node_modules holds a
 * link to each package of package.json's dependencies and optional dependencies, found where Node
 * finds it from the installation (its own node_modules in a checkout, a parent's when reccompile is
 * itself installed as a package); their own dependencies resolve from where they really are. The
 * digest covers every copied file, so submissions of the same code share one copy and a changed file
 * gets a new one.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { packageRoot } from "../../util/paths.js";
import { cliEntry } from "./entry.js";

/** The folder of a runs folder that holds the frozen copies. */
export const CODE_DIR = ".code";

const ADDON = join("native", "build", "Release", "reccompile_native.node");

/** Every file under `dir` (relative to `root`), sorted, skipping nothing but missing trees. */
const filesUnder = (root: string, dir: string): string[] => {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs).sort().flatMap((name) => filesUnder(root, join(dir, name)));
};

/** The paths (relative to the installation's root) a run from `entryRel` needs. */
const neededFiles = (root: string, entryRel: string): string[] => {
  const compiled = entryRel.split(sep)[0] === "dist";
  const trees = compiled ? ["dist"] : ["cli", "src", "tsconfig.json"];
  return ["package.json", ...trees, ADDON].flatMap((p) => filesUnder(root, p));
};

/** Links each of the installation's (optional) dependencies that Node finds from `root` into `modules`. */
const linkDependencies = (root: string, modules: string): void => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  const resolvePaths = createRequire(join(root, "package.json")).resolve.paths;
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    const dir = (resolvePaths(name) ?? []).map((p) => join(p, name)).find((d) => existsSync(join(d, "package.json")));
    if (dir === undefined) continue; // an optional dependency that is not installed
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(dir, join(modules, name), "dir");
  }
};

/**
 * Copies this installation's code into `<runsDir>/.code/<digest>/` (once per distinct code) and
 * returns the path of `entry` inside the copy. `entry` must lie inside the installation.
 */
export const freezeCode = (runsDir: string, entry = cliEntry(), root = packageRoot()): string => {
  const entryRel = relative(root, entry);
  if (entryRel.startsWith("..")) throw new Error(`freezeCode: ${entry} is not inside the installation at ${root}`);
  const files = neededFiles(root, entryRel);
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update("\0").update(readFileSync(join(root, f))).update("\0");
  const target = join(resolve(runsDir), CODE_DIR, hash.digest("hex").slice(0, 16));
  if (!existsSync(target)) {
    // Copied under a temporary name and renamed, so that a copy interrupted half-way is never used.
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      cpSync(join(root, f), join(tmp, f));
    }
    linkDependencies(root, join(tmp, "node_modules"));
    try {
      renameSync(tmp, target);
    } catch (err) {
      // Another study froze the same code at the same moment: theirs is as good as ours.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(target)) throw err;
    }
  }
  return join(target, entryRel);
};
