#!/usr/bin/env bash
# The all-reduce benchmark of microbench/BENCHMARKS.md: every algorithm and MPI_Allreduce on
# NP ranks (default 2), 8 B to 64 MiB, RUNS times (default 3); prints each algorithm's median
# busbw as a ratio to the vendor's, measured in the same run, then the median over runs.
set -euo pipefail
cd "$(dirname "$0")/.."
np=${NP:-2}
runs=${RUNS:-3}
source scripts/mpi-env.sh
dir=results/bench-allreduce-np$np
mkdir -p "$dir"
reports=()
for i in $(seq 1 "$runs"); do
  rm -f "$dir/run$i.json.jsonl"
  mpirun_local "$np" build/hockney run --algo all -b 8 -e 64M -f 2 --target-time 0.2 \
    --out "$dir/run$i.json" >"$dir/run$i.txt"
  reports+=("$dir/run$i.json")
done
/usr/bin/python3 scripts/ratios.py --markdown "${reports[@]}"
