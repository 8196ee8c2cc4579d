#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: ctest labels unit, inproc and
# mpi on the default build, then unit, inproc and fuzz on the sanitizer build (clang, ASan +
# UBSan, libFuzzer targets; preset asan, in build-asan/). Pass ctest arguments to narrow the
# first part, e.g. `bash scripts/test.sh -L unit`; HOCKNEY_SKIP_ASAN=1 skips the second.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's wall time, so CI's total (goal: under 25 minutes on 2 cores) can be read apart.
phase_start=$SECONDS
phase() { echo "test.sh: $1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }
bash scripts/install-deps.sh
phase "installing what is missing"
bash scripts/build.sh
phase "the default build"
source scripts/mpi-env.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@")
phase "the default build's tests"
# The gpu label is skipped without a CUDA device (or without the NCCL backend): say why.
if [ -x build/tests/gpu_tests ]; then
  reason=$(build/tests/gpu_tests 2>&1 | grep -m1 "no CUDA device" || true)
  [ -z "$reason" ] || echo "test.sh: gpu tests skipped: $reason"
else
  echo "test.sh: gpu tests skipped: this build has no NCCL backend ($(grep -m1 -o 'NCCL backend off.*' build.configure.log 2>/dev/null || echo 'HOCKNEY_NCCL'))"
fi
if [ "${HOCKNEY_SKIP_ASAN:-0}" = 1 ]; then
  echo "test.sh: sanitizer and fuzz tiers skipped (HOCKNEY_SKIP_ASAN=1)"
  exit 0
fi
cmake --preset asan >build-asan.configure.log 2>&1 || { cat build-asan.configure.log; exit 1; }
cmake --build --preset asan -j"$(nproc)"
phase "the sanitizer build"
# Leaks are reported too; halt on the first UBSan finding, as ASan does.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$(nproc)" --timeout 600 -L 'unit|inproc|fuzz')
phase "the sanitizer and fuzz tests"
echo "test.sh: all passed in $SECONDS s"
