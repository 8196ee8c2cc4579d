#!/usr/bin/env bash
# The GPU tier on a machine with CUDA devices: builds when there is no build, runs the `gpu`
# ctest label, the NCCL sweep (tests/gpu/sweep.sh) and the device kernels of hockney-kernels,
# and writes every log, report and a summary to OUTDIR. On a GPU machine a skipped GPU test is
# a failure: the script exits non-zero for it.
#   bash tests/gpu/run.sh OUTDIR
set -euo pipefail
out=$(realpath -m "${1:?usage: tests/gpu/run.sh OUTDIR}")
cd "$(dirname "$0")/../.."
mkdir -p "$out"
if [ ! -x build/hockney ]; then
  bash scripts/build.sh >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
fi
if [ ! -x build/tests/gpu_tests ]; then
  echo "FAIL: build/ has no NCCL backend (gpu_tests missing): $(grep -m1 'NCCL backend' build.configure.log 2>/dev/null || echo 'see the cmake log')"
  exit 1
fi
status=0
(cd build && ctest -L gpu -V --timeout 900) >"$out/ctest-gpu.log" 2>&1 || status=1
grep -E "tests passed|Skipped|Failed" "$out/ctest-gpu.log" | tail -8 | tee "$out/summary.txt"
if grep -q "(Skipped)" "$out/ctest-gpu.log"; then
  echo "FAIL: GPU tests were skipped on this machine:" | tee -a "$out/summary.txt"
  grep -m3 "no CUDA device" "$out/ctest-gpu.log" | tee -a "$out/summary.txt" || true
  status=1
fi
rc=0
bash tests/gpu/sweep.sh build/hockney "$out/sweep" | tee -a "$out/summary.txt" || rc=$?
[ "$rc" = 0 ] || status=1
build/hockney-kernels --benchmark_filter='device_|^copy|reduce/float32/sum|reduce/bfloat16/sum' \
  --benchmark_min_time=0.05 --benchmark_out="$out/kernels.json" --benchmark_out_format=json \
  >"$out/kernels.log" 2>&1 || status=1
python3 - "$out/kernels.json" <<'PY' | tee -a "$out/summary.txt" || status=1
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
copy = {int(r["name"].split("/")[-1].split("/")[0]): r["bytes_per_second"]
        for r in rows if r["name"].startswith("device_copy/")}
if not copy:
    sys.exit("no device_copy rows: hockney-kernels found no GPU")
print("device reduction throughput (one operand's bytes per second) against a device-to-device copy:")
for r in rows:
    if not r["name"].startswith("device_reduce/"):
        continue
    size = int(r["name"].split("/")[-1])
    rate = r["bytes_per_second"]
    print(f'  {r["name"]:<45} {rate / 1e9:9.1f} GB/s   {rate / copy[size]:.2f} of the copy ({copy[size] / 1e9:.1f} GB/s)')
PY
echo "gpu tier: $([ "$status" = 0 ] && echo passed || echo FAILED); logs and reports in $out"
exit "$status"
