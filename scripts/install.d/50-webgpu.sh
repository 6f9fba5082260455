#!/usr/bin/env bash
# The WebGPU driver for machines without a GPU: Mesa's lavapipe (a Vulkan implementation on the
# CPU) from Debian bookworm-backports, which Dawn (the `webgpu` npm package) runs on. Plain
# bookworm ships Mesa 22.3, too old for Dawn's Vulkan backend; backports has 25.x.
# Machines with a real GPU keep their vendor's Vulkan driver: lavapipe only adds another ICD,
# and Dawn prefers a discrete adapter when one is present.
# Idempotent: the source file is written once and apt-get install is a no-op when up to date.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ ! -r /etc/os-release ] || ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "50-webgpu: not Debian bookworm; install a Vulkan driver (e.g. mesa-vulkan-drivers >= 24) yourself" >&2
  exit 0
fi

# Use the same mirror the machine already uses for bookworm (deb822 or one-line form).
MIRROR="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)"
if [ -z "$MIRROR" ]; then
  MIRROR="$(grep -hsE '^deb .* bookworm( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | head -n1 || true)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<SRC
Types: deb
URIs: $MIRROR
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  else
    echo "deb $MIRROR bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $SUDO apt-get update -qq
fi

# Pinned to the backports series (25.x); apt picks the newest 25.0 point release there.
have="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
case "$have" in
  25.*) echo "50-webgpu: mesa-vulkan-drivers $have already installed" ;;
  *)
    $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
      'mesa-vulkan-drivers=25.*' 'libvulkan1' >/dev/null || {
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
        'mesa-vulkan-drivers=25.*' 'libvulkan1' >/dev/null
    }
    echo "50-webgpu: installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
    ;;
esac
