#!/usr/bin/env bash
# Headless Chromium for test/browser/ (playwright-core drives the system browser; no browser
# download, which the CI machine could not reach). Idempotent: apt skips what is installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
chromium --version
