#!/usr/bin/env bash
# The GPU check in one go, on a Linux x86-64 machine with an NVIDIA GPU and driver but no Node.js:
#   1. Node from bench/gpu/node.tar.xz (made by pack.sh) when `node` >= 20 is not on PATH, and
#      node_modules from bench/gpu/node_modules.tar.xz when the tree has none;
#   2. Vulkan for Dawn: the packed libvulkan.so.1 when the system has no loader, and an ICD file for
#      the NVIDIA driver (libGLX_nvidia.so.0) when none is installed (containers often lack it);
#   3. `test:gpu` (WGSL kernels vs the TypeScript reference, training lowers the loss);
#   4. the Mamba4Rec training-step benchmark: tokens/s and the scan's GB/s against the card's peak.
# Everything is written to bench/gpu/results/ too. Budget: under 10 minutes (test 4 min, each of the four benches 2.5 min; TEST_LIMIT_S and BENCH_LIMIT_S change them).
# Usage: bench/gpu/run.sh [full|tiny|test|profile|efficiency]  (tiny: a seconds-long dry run, e.g. on lavapipe;
#        test: only test:gpu; profile: only bench/gpu/profile.ts, each piece of the step timed alone;
#        efficiency: only bench/gpu/efficiency.ts, Mamba4Rec's and SASRec's epochs through the CLI,
#        EFF_EPOCHS epochs each (3), limit EFF_LIMIT_S (360 s), EFF_ARGS passed on)
set -uo pipefail
cd "$(dirname "$0")/../.."
SIZE=${1:-full}
HERE=bench/gpu
RT=$HERE/.runtime
RES=$HERE/results
mkdir -p "$RES"
log() { echo "[gpu-bench] $*"; }

node_ok() { command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ]; }
if ! node_ok || [ "${FORCE_PACKED_NODE:-0}" = 1 ]; then
  [ -s "$HERE/node.tar.xz" ] || { log "no node >= 20 on PATH and no $HERE/node.tar.xz (run bench/gpu/pack.sh where Node exists)"; exit 2; }
  if [ ! -x "$RT/bin/node" ]; then mkdir -p "$RT" && tar -C "$RT" -xJf "$HERE/node.tar.xz" || exit 2; fi
  export PATH="$PWD/$RT/bin:$PATH"
  log "using packed node $(node --version)"
fi
if [ ! -d node_modules/@tensorflow/tfjs-backend-webgpu ] || [ ! -d node_modules/webgpu ]; then
  [ -s "$HERE/node_modules.tar.xz" ] || { log "node_modules missing and no $HERE/node_modules.tar.xz"; exit 2; }
  tar -xJf "$HERE/node_modules.tar.xz" || exit 2
  log "unpacked node_modules"
fi

# Vulkan loader: the system's, else the packed one.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ ! -f "$RT/lib/libvulkan.so.1" ]; then mkdir -p "$RT" && tar -C "$RT" -xJf "$HERE/node.tar.xz" lib 2>/dev/null; fi
  export LD_LIBRARY_PATH="$PWD/$RT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "using packed Vulkan loader"
fi
# Diagnostics: which Vulkan ICDs and NVIDIA user-space libraries this machine has.
NVLIB=$(ldconfig -p 2>/dev/null | awk '/libnvidia-ml\.so\.1 .*x86-64/ {print $NF; exit}' | xargs -r dirname)
{ command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "vulkan ICD files:"; for f in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json; do [ -f "$f" ] && { echo "$f"; cat "$f"; echo; }; done
  echo "NVIDIA libraries in ${NVLIB:-?}:"; [ -n "$NVLIB" ] && ls "$NVLIB" | grep -i nvidia | tr '\n' ' '; echo
  for l in libGLX_nvidia.so.0 libEGL_nvidia.so.0 libnvidia-glcore.so libnvidia-gpucomp.so libnvidia-glvkspirv.so; do
    printf '%s: %s\n' "$l" "$(ldconfig -p | awk -v l="$l" 'index($1, l) == 1 {print $NF; exit}')"; done
  echo "/dev: $(ls /dev | grep -i nvidia | tr '\n' ' ')"; } 2>&1 | tee "$RES/vulkan.txt"

# The Vulkan ICD for Dawn: the first of these that gives an adapter (bench/gpu/probe.ts):
# the loader's own search (the driver's nvidia_icd.json), then ICD files written here for the
# driver's GLX and EGL libraries (containers often ship the libraries without the json).
probe() { VK_LOADER_DEBUG=error timeout 60 node --import tsx bench/gpu/probe.ts 2>&1 | grep -v 'artificially reduced' | tail -5; return "${PIPESTATUS[0]}"; }
mkdir -p "$RT"
CANDIDATES=("${VK_ICD_FILENAMES:-}")
for lib in libGLX_nvidia.so.0 libEGL_nvidia.so.0; do
  for path in $(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l {print $NF}'); do
    j="$RT/icd-$(echo "$path" | tr '/' '_').json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$path" > "$j"
    CANDIDATES+=("$PWD/$j")
  done
done
FOUND=0
for c in "${CANDIDATES[@]}"; do
  if [ -n "$c" ]; then export VK_ICD_FILENAMES="$c"; else unset VK_ICD_FILENAMES; fi
  log "probe with VK_ICD_FILENAMES=${c:-(loader default)}"
  if probe | tee -a "$RES/vulkan.txt"; then FOUND=1; break; fi
done
[ "$FOUND" = 1 ] || { log "no WebGPU adapter with any ICD; see $RES/vulkan.txt"; unset VK_ICD_FILENAMES; }
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

if [ "$SIZE" = profile ]; then
  log "profile: the step's pieces one by one (bench/gpu/profile.ts)"
  timeout ${BENCH_LIMIT_S:-150} node --import tsx bench/gpu/profile.ts 2>&1 | grep -v 'artificially reduced' | tee "$RES/profile.txt"
  exit "${PIPESTATUS[0]}"
fi
if [ "$SIZE" = efficiency ]; then
  log "efficiency: Mamba4Rec against SASRec, whole epochs through the CLI on ML-1M-shaped data (bench/gpu/efficiency.ts)"
  rm -rf "$RT/efficiency"  # each call trains afresh (reccompile run refuses a finished run's folder)
  # EFF_ARGS: more flags for efficiency.ts (e.g. smaller data for a dry run on lavapipe).
  # shellcheck disable=SC2086
  timeout ${EFF_LIMIT_S:-360} node --import tsx bench/gpu/efficiency.ts --backend webgpu --epochs ${EFF_EPOCHS:-3} --out "$RT/efficiency" ${EFF_ARGS:-} 2>&1 \
    | grep -v 'artificially reduced' | tee "$RES/efficiency-full.txt" | grep -v ' step '
  exit "${PIPESTATUS[0]}"
fi
MOCHA="node node_modules/mocha/bin/mocha.js --no-config -n import=tsx --timeout 600000"
log "test:gpu"
timeout ${TEST_LIMIT_S:-240} $MOCHA 'test/gpu/**/*.spec.ts' 2>&1 | grep -v 'artificially reduced' | tee "$RES/test-gpu.txt"
TEST_RC=${PIPESTATUS[0]}
log "test:gpu exit $TEST_RC"
[ "$SIZE" = test ] && exit "$TEST_RC"
BENCH_RC=0
# The benchmark at 64 sequences a step, then (full size only) at 256: GPUs want big batches.
# Each with both forms of the cross-entropy's matrix products (REC_WEBGPU_CE).
for BATCH in 64 256; do
  [ "$SIZE" = tiny ] && [ "$BATCH" != 64 ] && continue
  for CE in transposed pretransposed; do
    log "benchmark ($SIZE$([ "$SIZE" = tiny ] || echo ", $BATCH sequences a step"), REC_WEBGPU_CE=$CE)"
    REC_WEBGPU_CE=$CE BENCH_SIZE=$SIZE BENCH_BATCH=$([ "$SIZE" = tiny ] || echo "$BATCH") timeout ${BENCH_LIMIT_S:-150} node --import tsx bench/gpu/bench.ts 2>&1 \
      | grep -v 'artificially reduced' | tee "$RES/bench-$SIZE-$BATCH-$CE.txt"
    [ "${PIPESTATUS[0]}" = 0 ] || BENCH_RC=1
  done
done
log "bench exit $BENCH_RC; results in $RES/"
[ "$TEST_RC" = 0 ] && [ "$BENCH_RC" = 0 ]
