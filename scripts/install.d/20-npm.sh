#!/usr/bin/env bash
# npm dependencies from the lockfile (zeromq, webgpu and esbuild ship prebuilt binaries, so no
# dependency install scripts are needed), then the TypeScript build into dist/.
set -euo pipefail
npm ci --no-audit --no-fund
npm run build
