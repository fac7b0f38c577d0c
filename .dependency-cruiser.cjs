/**
 * The project's layering, checked by dependency-cruiser on every `npm test` (`npm run lint:deps`).
 * docs/architecture.md draws it. Data flows one way through the stages, and so do imports:
 *
 *   util <- lang <- ir <- check          the language: text -> AST -> checked IR (ir holds the IR types)
 *   util <- kernels <- runtime           fused ops, then layers, losses, optimizers, the trainer
 *   ir <- data <- eval <- runtime        readers and splits, metrics and the evaluator
 *   ir, runtime <- codegen               IR -> TypeScript that calls the runtime's layer factories
 *   check, eval <- ablate                variants (re-checked by the checker) and study reports
 *   everything above <- app <- cli       one module per command; cli parses flags and prints
 *   app, runtime <- src/api.ts <- generated/   what generated code imports as `rt`
 *
 * A folder may import itself and the folders listed for it, nothing else under src/.
 */
const LAYERS = {
  util: [],
  lang: ["util"],
  ir: ["lang", "util"],
  check: ["lang", "ir", "util"],
  kernels: ["util"],
  data: ["ir", "util"],
  eval: ["data", "ir", "util"],
  runtime: ["kernels", "eval", "data", "ir", "util"],
  codegen: ["runtime", "ir", "lang", "util"],
  ablate: ["check", "eval", "ir", "lang", "util"],
  app: ["ablate", "codegen", "runtime", "kernels", "eval", "data", "check", "ir", "lang", "util"],
};

const alternation = (names) => names.join("|");

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only ${allowed.length > 0 ? `src/{${allowed.join(",")}}` : "itself"} (see the table in .dependency-cruiser.cjs)`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: "^src/", pathNot: `^src/(${alternation([layer, ...allowed])})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "api-facade",
      comment: "src/api.ts is what generated code imports; only the runtime, the app's run entry and plain types sit below it",
      severity: "error",
      from: { path: "^src/api\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(app|runtime|ir|util)/" },
    },
    {
      name: "nothing-imports-api",
      comment: "src/api.ts sits on top of the app layer: importing it from src/ would close a circle",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/api\\.ts$" },
    },
    {
      name: "cli-through-app",
      comment: "cli/ parses flags, calls src/app and prints; the work itself is done in src/app",
      severity: "error",
      from: { path: "^cli/" },
      to: { path: "^src/", pathNot: "^src/(app|lang|ir|util)/" },
    },
    {
      name: "generated-imports-api-only",
      comment: "generated code sees the runtime only through src/api.ts",
      severity: "error",
      from: { path: "^generated/" },
      to: { path: "^(src|cli)/", pathNot: "^src/api\\.ts$" },
    },
    {
      name: "src-not-to-dev",
      comment: "the library never imports tests, benchmarks or scripts",
      severity: "error",
      from: { path: "^(src|cli)/" },
      to: { path: "^(test|bench|scripts)/" },
    },
    {
      name: "tools-not-to-tests",
      comment: "scripts and benchmarks may use src/, never a test file",
      severity: "error",
      from: { path: "^(bench|scripts)/" },
      to: { path: "^test/" },
    },
    {
      name: "tests-not-to-tools",
      comment: "a test depends on src/ (and test helpers), not on a benchmark or a script",
      severity: "error",
      from: { path: "^test/" },
      to: { path: "^(bench|scripts)/" },
    },
    {
      name: "no-circular",
      comment: "no import cycles anywhere",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-dead-modules",
      comment: "every module under src/ is reachable from the command line, src/api.ts or a script (plain references and TypeScript loops are reached by their tests)",
      severity: "error",
      from: { path: "^(cli/reccompile\\.ts|src/api\\.ts|scripts/)" },
      to: { path: "^src/", pathNot: ["_(ref|ts)\\.ts$", "^src/api\\.ts$"], reachable: false },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|native/build)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
