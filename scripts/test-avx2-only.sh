#!/bin/bash
# The engine suites on an emulated CPU with AVX2 but no AVX-512 (qemu-user's "max" CPU model),
# so an AVX2-only machine (a Zen 3 EPYC, say) is checked on any host: nothing may run AVX-512
# code where dispatch says the CPU lacks it, and the AVX2 paths must pass on their own.
# Usage: scripts/test-avx2-only.sh [BUILD_DIR]     (needs qemu-user: apt-get install qemu-user)
set -euo pipefail
build=${1:-build}
command -v qemu-x86_64 >/dev/null || {
  echo "test-avx2-only: qemu-x86_64 is missing (apt-get install qemu-user)" >&2
  exit 2
}
emu=(qemu-x86_64 -cpu max)
# The emulated CPU must be the one meant: AVX2, no AVX-512.
version=$("${emu[@]}" "$build/ternbench" --version)
if ! grep -q "^auto kernel: *avx2$" <<<"$version"; then
  echo "test-avx2-only: the emulated CPU is not AVX2-only:" >&2
  echo "$version" >&2
  exit 1
fi
names=$(ctest --test-dir "$build" -N -L engine | sed -n 's/^ *Test *#[0-9]*: *//p')
[ -n "$names" ] || { echo "test-avx2-only: no engine suites in $build" >&2; exit 1; }
failed=0
for name in $names; do
  log="$build/avx2-only-$name.log"
  if QT_QPA_PLATFORM=offscreen TERNBENCH_CACHE_DIR="$build/test-cache" "${emu[@]}" "$build/tests/$name" >"$log" 2>&1; then
    echo "avx2-only: $name: $(grep -m1 '^Totals' "$log")"
  else
    echo "avx2-only: $name FAILED"
    cat "$log"
    failed=1
  fi
done
exit $failed
