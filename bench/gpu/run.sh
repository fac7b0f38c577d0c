#!/usr/bin/env bash
# The GPU check in one go, on a Linux x86-64 machine with an NVIDIA GPU and driver but no Node.js:
#   1. Node from bench/gpu/node.tar.xz (made by pack.sh) when `node` >= 20 is not on PATH, and
#      node_modules from bench/gpu/node_modules.tar.xz when the tree has none;
#   2. Vulkan for Dawn: the packed libvulkan.so.1 when the system has no loader, and an ICD file for
#      the NVIDIA driver (libGLX_nvidia.so.0) when none is installed (containers often lack it);
#   3. `test:gpu` (WGSL kernels vs the TypeScript reference, training lowers the loss);
#   4. the Mamba4Rec training-step benchmark: tokens/s and the scan's GB/s against the card's peak.
# Everything is written to bench/gpu/results/ too. Budget: under 10 minutes (test 4 min, bench 5 min).
# Usage: bench/gpu/run.sh [full|tiny]      (tiny: a seconds-long dry run, e.g. on lavapipe)
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
# NVIDIA Vulkan ICD: installed by the driver as nvidia_icd.json; write one when it is missing.
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$RES/nvidia-smi.txt"
  if ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1 && [ -z "${VK_ICD_FILENAMES:-}" ]; then
    GLX=$(ldconfig -p | awk '/libGLX_nvidia\.so\.0/ {print $NF; exit}')
    if [ -n "$GLX" ]; then
      mkdir -p "$RT"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$GLX" > "$RT/nvidia_icd.json"
      export VK_ICD_FILENAMES="$PWD/$RT/nvidia_icd.json"
      log "wrote $RT/nvidia_icd.json for $GLX"
    else
      log "warning: no NVIDIA Vulkan ICD (nvidia_icd.json) nor libGLX_nvidia.so.0: in a container set NVIDIA_DRIVER_CAPABILITIES=all (graphics)"
    fi
  fi
fi
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

MOCHA="node node_modules/mocha/bin/mocha.js --no-config -n import=tsx --timeout 600000"
log "test:gpu"
timeout 240 $MOCHA 'test/gpu/**/*.spec.ts' 2>&1 | grep -v 'artificially reduced' | tee "$RES/test-gpu.txt"
TEST_RC=${PIPESTATUS[0]}
log "test:gpu exit $TEST_RC"
log "benchmark ($SIZE)"
BENCH_SIZE=$SIZE timeout 300 node --import tsx bench/gpu/bench.ts 2>&1 | grep -v 'artificially reduced' | tee "$RES/bench-$SIZE.txt"
BENCH_RC=${PIPESTATUS[0]}
log "bench exit $BENCH_RC; results in $RES/"
[ "$TEST_RC" = 0 ] && [ "$BENCH_RC" = 0 ]
