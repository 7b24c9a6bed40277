#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), run the main job: the window when
# a display exists, otherwise a headless benchmark of the built-in demo model that prints its
# Markdown report and stores the runs in the default database.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${TERNBENCH_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target ternbench -j"$(nproc)"
exec "./$BUILD/ternbench" "$@"
