#!/usr/bin/env bash
# The allocator state calibrate measures in (microbench/allocator.h), before and after: RUNS x
# (for MODE in dynamic pinned: a fresh `hockney run` of MPI's all-reduce at 512 KiB-2 MiB,
# `hockney calibrate --budget BUDGET --malloc MODE`, another fresh run), interleaved so both
# modes see the same host; then the tables of microbench/BENCHMARKS.md
# (scripts/allocator_quality.py): the drift probe per pass, its median against the fresh runs',
# the calibrate rows at 512 KiB-2 MiB against the fresh runs', and the fits' held-out errors.
# `--malloc dynamic` is glibc left as it starts: the code before the allocator was pinned.
# Before each run, scripts/host_watch.c (a bare MPI_Allreduce loop, no hockney) watches the
# host for WATCH seconds: whether the host itself was steady in the same minutes.
#   RUNS=3 BUDGET=120 bash scripts/bench-allocator.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi-env.sh
runs=${RUNS:-3}
budget=${BUDGET:-120}
out=${1:-results/bench-allocator}
mkdir -p "$out"
watch=${WATCH:-20}
run() { mpirun_local 2 --mca btl self,vader build/hockney "$@"; }
mpicc -O2 scripts/host_watch.c -o build/host_watch
fresh() {  # fresh MODE TAG SIZES: one process, the sizes calibrate's rows are compared at
  rm -f "$out/$2.json" "$out/$2.json.jsonl"
  run run --pattern allreduce --algo vendor --sizes "$3" -d float32 --batch 1 \
    --target-time 0.02 --malloc "$1" --out "$out/$2.json" >/dev/null
}
# The sizes of MPI's float32 all-reduce that calibrate measured in 512 KiB-2 MiB, and 1 MiB.
calibrated_sizes() {
  /usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
s = {x["bytes"] for x in r if (x["pattern"], x["algorithm"], x["dtype"]) == ("allreduce", "vendor", "float32") and 524288 <= x["bytes"] <= 2097152}
print(",".join(str(b) for b in sorted(s | {1048576})))' "$1"
}
for r in $(seq "$runs"); do
  mpirun_local 2 --mca btl self,vader build/host_watch "$watch" >"$out/host$r.txt"
  for mode in dynamic pinned; do
    rm -rf "$out/$mode$r"
    fresh "$mode" "fresh-$mode$r-a" 512K,1M,2M
    run calibrate --budget "$budget" --malloc "$mode" --out "$out/$mode$r" >"$out/$mode$r.log"
    fresh "$mode" "fresh-$mode$r-b" "$(calibrated_sizes "$out/$mode$r/results.json")"
  done
done
/usr/bin/python3 scripts/allocator_quality.py "$out"
