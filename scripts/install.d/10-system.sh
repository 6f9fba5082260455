#!/usr/bin/env bash
# System packages every other part needs. apt lists are refreshed once per run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential python3 python3-venv python3-dev pkg-config ca-certificates >/dev/null
