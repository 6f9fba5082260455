#!/usr/bin/env bash
# tsgrad's one install step, for a new machine and for CI: system packages, npm dependencies,
# the TypeScript build, the native CPU addon, the Python venv with Jupyter tools and the
# kernelspec, and the WebGPU driver where there is no GPU. Safe to run twice.
# Each part lives in scripts/install.d/NN-*.sh and runs in order from the repository root.
set -euo pipefail
cd "$(dirname "$0")"
for part in scripts/install.d/*.sh; do
  echo "==> install: ${part#scripts/install.d/}"
  bash "$part"
done
echo "==> install: done. Next: npm test"
