#!/usr/bin/env node
// Builds the native kernels (native/binding.gyp) with node-gyp at `npm install`, offline.
// - Uses the node-gyp that npm bundles (npm_config_node_gyp), else one on PATH.
// - When Node's headers are installed locally (<prefix>/include/node/node_api.h, e.g. /usr on
//   Debian), passes --nodedir=<prefix> so node-gyp never downloads headers; elsewhere node-gyp
//   behaves normally (its cache, or a download).
// - OpenBLAS is detected by native/detect-blas.cjs at configure time (REC_NATIVE_BLAS=fallback
//   builds the portable sgemm only).
// - Never fails the install: on any error it prints one line and exits 0; the runtime then uses
//   the TypeScript kernels. REC_SKIP_NATIVE=1 skips the build. REC_NATIVE_STRICT=1 makes a failed
//   build fail (for CI).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const strict = process.env.REC_NATIVE_STRICT === "1";
const quiet = process.argv.includes("--quiet");

const done = (ok, msg) => {
  if (ok) console.log(`reccompile: ${msg}`);
  else console.log(`reccompile: native kernels not built (${msg}); the TypeScript kernels will be used.`);
  process.exit(ok || !strict ? 0 : 1);
};

if (process.env.REC_SKIP_NATIVE === "1") done(false, "REC_SKIP_NATIVE=1");
if (!existsSync(join(nativeDir, "binding.gyp"))) done(false, "native/binding.gyp is missing");

const findNodeGyp = () => {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const candidates = [
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  try {
    candidates.unshift(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch { /* not a dependency */ }
  for (const c of candidates) if (existsSync(c)) return [process.execPath, c];
  return ["node-gyp"];
};

const [cmd, ...pre] = findNodeGyp();
const args = [...pre, "rebuild"];
const prefix = resolve(dirname(process.execPath), "..");
if (existsSync(join(prefix, "include", "node", "node_api.h")) && existsSync(join(prefix, "include", "node", "common.gypi"))) {
  args.push(`--nodedir=${prefix}`);
}
if (process.env.npm_config_jobs === undefined) args.push("--jobs=2");

const r = spawnSync(cmd, args, { cwd: nativeDir, stdio: quiet ? "pipe" : ["ignore", "pipe", "pipe"], encoding: "utf8" });
const log = `${r.stdout ?? ""}${r.stderr ?? ""}`;
if (r.error) done(false, `could not run node-gyp: ${r.error.message}`);
if (r.status !== 0) {
  const lines = log.split("\n").filter((l) => /error|Error/.test(l) && !/^gyp (info|ERR! (cwd|node -v|node-gyp -v|System|command|stack|not ok))/.test(l));
  if (process.env.REC_NATIVE_VERBOSE === "1") process.stderr.write(log);
  done(false, `node-gyp exited with ${r.status}${lines.length ? `: ${lines[0].trim().slice(0, 200)}` : ""}; REC_NATIVE_VERBOSE=1 shows the log`);
}
const addon = join(nativeDir, "build", "Release", "reccompile_native.node");
if (!existsSync(addon)) done(false, "node-gyp succeeded but the addon is missing");
try {
  const info = createRequire(import.meta.url)(addon).info();
  done(true, `native kernels built (blas: ${info.blas}, threads: ${info.threads}, simd: ${info.simd})`);
} catch (err) {
  done(false, `the built addon does not load: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
}
