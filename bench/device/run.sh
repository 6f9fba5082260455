#!/usr/bin/env bash
# bench/device/run.sh — WebGPU on a real GPU against PyTorch CUDA on the same machine.
#
# For a machine with an NVIDIA GPU (H200), its driver and PyTorch CUDA, but no Node. Carry:
#   - this checkout, built (dist/) with node_modules/ (webgpu's dawn.node ships prebuilt);
#   - a Node 20 binary, xz-compressed: either the official node-v20.*-linux-x64.tar.xz or a bare
#     binary compressed with `xz -k "$(command -v node)"` (node.xz).
# Run from anywhere:   bench/device/run.sh path/to/node.tar.xz|node.xz   (or NODE_XZ=...)
# It unpacks Node to a temp dir, points the Vulkan loader at the NVIDIA ICD (Dawn runs on Vulkan),
# runs bench/gpu.js on webgpu (matmul 4096 and 8192 fp32, the course CNN training step) and
# bench/device/torch_cuda.py (the same workloads in PyTorch, fp32 with TF32 off), and prints
# progress on stderr and ONE JSON line on stdout:
#   {"bench":"device","adapter":..., "webgpu":{...}, "torch_cuda":{...}, "ratio":{...}}
# Environment: BENCH_GPU_STEPS (timed CNN steps, default 20), BENCH_GPU_SIZES (default 4096,8192;
# a dry run on lavapipe: BENCH_GPU_SIZES=256 BENCH_GPU_STEPS=1), PYTHON (default python3).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ARCHIVE="${1:-${NODE_XZ:-}}"
PYTHON="${PYTHON:-python3}"
log() { echo "run.sh: $*" >&2; }

# ---- Node ----
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if command -v node >/dev/null 2>&1 && [ -z "$ARCHIVE" ]; then
  NODE="$(command -v node)"
elif [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
  log "give the xz-compressed Node binary: bench/device/run.sh node.tar.xz (or NODE_XZ=...)"; exit 2
elif [[ "$ARCHIVE" == *.tar.xz ]]; then
  tar -xJf "$ARCHIVE" -C "$WORK"
  NODE="$(find "$WORK" -path '*/bin/node' -type f | head -n1)"
else
  xz -dc "$ARCHIVE" > "$WORK/node"
  NODE="$WORK/node"
fi
chmod +x "$NODE"
log "node $("$NODE" --version) at $NODE"

# ---- Vulkan: loader + NVIDIA ICD ----
# Dawn dlopens libvulkan.so.1 and the loader reads ICD manifests. Containers with the NVIDIA
# driver mounted often lack nvidia_icd.json (the toolkit adds it only with the "graphics"
# capability): then write one pointing at the driver's libGLX_nvidia.so.0, which implements
# the Vulkan ICD entry points.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  log "warning: no libvulkan.so.1 in the linker cache (install libvulkan1); Dawn will find no adapter"
fi
ICD=""
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
  for f in "$d"/nvidia_icd*.json; do [ -f "$f" ] && ICD="$f" && break 2; done
done
if [ -z "$ICD" ]; then
  LIB="$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0/ {print $NF; exit}')"
  if [ -n "$LIB" ]; then
    ICD="$WORK/nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$LIB" > "$ICD"
    log "wrote an NVIDIA ICD manifest for $LIB"
  else
    log "warning: no NVIDIA Vulkan ICD found (nvidia_icd.json or libGLX_nvidia.so.0)"
  fi
fi
[ -n "$ICD" ] && export VK_ICD_FILENAMES="$ICD" VK_DRIVER_FILES="$ICD" && log "Vulkan ICD: $ICD"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK/xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# ---- webgpu ----
cd "$ROOT"
log "webgpu: matmul 4096, 8192 and the CNN step"
WEBGPU_JSON="$(BENCH_GPU_SIZES="${BENCH_GPU_SIZES:-4096,8192}" BENCH_GPU_CPU=0 BENCH_GPU_STEPS="${BENCH_GPU_STEPS:-20}" \
  "$NODE" dist/bench/gpu.js 2> >(cat >&2) | tee /dev/stderr | tail -n1)" || WEBGPU_JSON='{"error":"bench/gpu.js failed"}'

# ---- PyTorch CUDA ----
log "torch cuda: the same workloads"
TORCH_JSON="$("$PYTHON" bench/device/torch_cuda.py "${BENCH_GPU_STEPS:-20}" | tail -n1)" || TORCH_JSON='{"error":"torch_cuda.py failed"}'

# ---- one line ----
"$PYTHON" - "$WEBGPU_JSON" "$TORCH_JSON" <<'PY'
import json, sys
def parse(s):
    try: return json.loads(s)
    except Exception: return {"error": s[:500]}
w, t = parse(sys.argv[1]), parse(sys.argv[2])
wr = {r["name"]: r for r in w.get("results", [])}
web = {}
for n in (4096, 8192):
    r = wr.get(f"matmul_{n}")
    if r: web[f"matmul_{n}_tflops"] = r["value"] / 1000
if "cnn_train_step_b64" in wr: web["cnn_samples_per_s"] = wr["cnn_train_step_b64"]["value"]
if "small_op_readback" in wr: web["small_op_readback_ms"] = wr["small_op_readback"]["value"]
if "error" in w: web["error"] = w["error"]
ratio = {k: web[k] / t[k] for k in ("matmul_4096_tflops", "matmul_8192_tflops", "cnn_samples_per_s") if k in web and t.get(k)}
print(json.dumps({"bench": "device", "adapter": w.get("adapter"), "webgpu": web, "torch_cuda": t, "ratio": ratio}))
PY
