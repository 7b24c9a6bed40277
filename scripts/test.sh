#!/usr/bin/env bash
# README command 2: install what is missing, build (Release) and run every test through CTest.
# Extra arguments go to ctest (e.g. -L engine to run one part's suites).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${TERNBENCH_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${TERNBENCH_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" "$@"
