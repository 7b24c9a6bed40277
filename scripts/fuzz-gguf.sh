#!/usr/bin/env bash
# Builds the GGUF reader's libFuzzer target with clang + ASan/UBSan and runs it for a bounded
# time (default 60 s; first argument or FUZZ_SECONDS to change). Without clang it prints a
# visible skip and succeeds, so CI machines without clang still pass.
# Findings (crash-*, leak-*, timeout-*) are written to $BUILD/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-${FUZZ_SECONDS:-60}}
BUILD=${TERNBENCH_FUZZ_BUILD_DIR:-build-fuzz}
CLANGXX=${CLANGXX:-$(command -v clang++ || true)}
CLANG=${CLANG:-$(command -v clang || true)}
if [[ -z "$CLANGXX" || -z "$CLANG" ]]; then
  echo "=============================================================="
  echo "SKIPPED: GGUF fuzzing needs clang/clang++ (libFuzzer); not found"
  echo "=============================================================="
  exit 0
fi
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)
cmake -S . -B "$BUILD" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_CXX_COMPILER="$CLANGXX" \
  -DTERNBENCH_FUZZ=ON -DTERNBENCH_BUILD_UI=OFF -DTERNBENCH_BUILD_TESTS=OFF >/dev/null
JOBS=${FUZZ_JOBS:-2}
cmake --build "$BUILD" --target fuzz_gguf -j"$JOBS"

# Seeds: the committed small files plus the header + metadata part of each small fixture
# (whole fixtures are mostly tensor bytes, which the parser never looks at).
CORPUS="$BUILD/fuzz-corpus"
ARTIFACTS="$BUILD/fuzz-artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
cp tests/fuzz/corpus/*.gguf "$CORPUS/"
for f in tests/fixtures/*.gguf; do
  head -c 16384 "$f" > "$CORPUS/head-$(basename "$f")"
done
echo "fuzzing the GGUF reader for ${SECONDS_TO_RUN} s (corpus $CORPUS)"
"$BUILD/tests/fuzz/fuzz_gguf" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -max_len=20000 \
  -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$ARTIFACTS/"
echo "fuzzing finished without findings"
