#!/usr/bin/env bash
# Installs exactly the Debian 12 packages ternbench needs to build, test and package, and does
# nothing when they are all present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (docs/ARCHITECTURE.md, "Dependencies"). Installs skip Recommends, so every
  # package a build needs is named: Qt6Charts' CMake config requires Qt6OpenGL, whose
  # development files (libqt6opengl6-dev) are only a Recommends of qt6-base-dev.
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev
  libboost1.81-dev libsqlite3-dev libsqlitecpp-dev nlohmann-json3-dev libcli11-dev libpcre2-dev
  # window under a virtual display, fonts for readable screenshots, packaging checks
  xvfb xauth fonts-dejavu-core dpkg-dev file
  # clang with libFuzzer for the bounded fuzz run of the GGUF reader
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: not root and no sudo. Run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
