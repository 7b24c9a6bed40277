#!/bin/sh
# Renders every page of the window to docs/screenshots/<page>.png (100%) and <page>@2x.png
# (QT_SCALE_FACTOR=2), offscreen, over a store filled with a realistic history.
# Usage: scripts/screenshots.sh [build-dir]   (default: build; configured with the UI)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
ninja -C "$build" -j2 ui_test_screenshots
out="$repo/docs/screenshots"
mkdir -p "$out"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export TERNBENCH_CACHE_DIR=${TERNBENCH_CACHE_DIR:-$build/test-cache}
TB_SCREENSHOT_DIR="$out" TB_SCREENSHOT_SUFFIX="" QT_SCALE_FACTOR=1 "$build/tests/ui_test_screenshots"
TB_SCREENSHOT_DIR="$out" TB_SCREENSHOT_SUFFIX="@2x" QT_SCALE_FACTOR=2 "$build/tests/ui_test_screenshots"
ls -l "$out"
