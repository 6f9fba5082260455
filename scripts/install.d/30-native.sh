#!/usr/bin/env bash
# The native CPU backend (native/): oneDNN from Debian (GEMM, convolution and its gradients) and
# OpenMP from GCC, then the N-API addon, built against the Node headers that came with Node
# (Debian/NodeSource packages: /usr/include/node; official tarballs: <prefix>/include/node), so
# node-gyp downloads nothing. Safe to run twice: apt skips what is installed, node-gyp rebuilds.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! dpkg-query -W -f='${Status} ${Version}\n' libdnnl-dev 2>/dev/null | grep -q 'ok installed 2.6.3-1'; then
  $SUDO apt-get install -y -qq --no-install-recommends libdnnl-dev=2.6.3-1 libdnnl2=2.6.3-1 >/dev/null
fi
NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ ! -f "$NODEDIR/include/node/node_api.h" ]; then
  echo "30-native: no Node headers at $NODEDIR/include/node (install the nodejs package that ships them)" >&2
  exit 1
fi
cd native
nice ../node_modules/.bin/node-gyp rebuild --nodedir="$NODEDIR" --loglevel=warn
node -e 'const a = require("./build/Release/tsgrad_native.node"); console.log("native addon: " + a.version() + ", " + a.getThreads() + " threads")'
