#!/usr/bin/env bash
# Packs what bench/gpu/run.sh needs on a machine without Node.js:
#   bench/gpu/node.tar.xz          this machine's node binary (process.execPath) + the Vulkan loader
#                                  (libvulkan.so.1), so Dawn can reach the NVIDIA driver's Vulkan ICD
#   bench/gpu/node_modules.tar.xz  the dependency closure of the packages the GPU tests and benchmark
#                                  load (tfjs-core, -backend-cpu, -backend-webgpu, webgpu for linux-x64
#                                  only, mocha, tsx), not the whole node_modules; with --cli also what
#                                  building and running the CLI needs (typescript, ts-morph, chevrotain,
#                                  fp-ts, io-ts, tfjs (its gradients), tfjs-backend-wasm, @types), so test/gpu/cli.spec.ts runs
# Both are build outputs (ignored by git). Run from anywhere inside the repo.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=0
[ "${1:-}" = --cli ] && CLI=1
OUT=bench/gpu
NODE_BIN=$(node -p 'process.execPath')
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/rt/bin" "$STAGE/rt/lib"
cp "$NODE_BIN" "$STAGE/rt/bin/node"
VK=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF; exit}')
if [ -n "$VK" ]; then cp -L "$VK" "$STAGE/rt/lib/libvulkan.so.1"; else echo "pack: no libvulkan.so.1 here; run.sh will need the target's" >&2; fi
if [ ! -s "$OUT/node.tar.xz" ] || [ "$NODE_BIN" -nt "$OUT/node.tar.xz" ]; then
  tar -C "$STAGE/rt" -cf - bin lib | xz -T2 -6 > "$OUT/node.tar.xz.tmp" && mv "$OUT/node.tar.xz.tmp" "$OUT/node.tar.xz"
fi

node --input-type=module - "$STAGE/list" "$CLI" <<'JS'
import fs from "node:fs"; import path from "node:path";
const roots = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-webgpu", "webgpu", "mocha", "tsx"];
if (process.argv[3] === "1")
  roots.push("typescript", "ts-morph", "chevrotain", "fp-ts", "io-ts", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "@types/node", "@types/mocha");
const seen = new Set();
const resolve = (name, from) => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const p = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(p, "package.json"))) return p;
    if (dir === "." || dir === path.dirname(dir)) return null;
  }
};
const visit = (p) => {
  if (!p || seen.has(p)) return;
  seen.add(p);
  const pj = JSON.parse(fs.readFileSync(path.join(p, "package.json"), "utf8"));
  for (const d of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) visit(resolve(d, p));
};
for (const r of roots) visit(resolve(r, "."));
fs.writeFileSync(process.argv[2], [...seen].map((p) => path.relative(".", p)).sort().join("\n") + "\n");
JS
tar -cf - --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='*.map' -T "$STAGE/list" \
  | xz -T2 -6 > "$OUT/node_modules.tar.xz.tmp" && mv "$OUT/node_modules.tar.xz.tmp" "$OUT/node_modules.tar.xz"
ls -la "$OUT/node.tar.xz" "$OUT/node_modules.tar.xz"
