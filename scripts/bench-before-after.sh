#!/usr/bin/env bash
# Before/after check of a change that must not move the numbers: the all-reduce sweep of
# BENCHMARKS.md with two hockney binaries, interleaved run by run (old, new, old, new, ...) so
# both see the same machine drift, then each binary's vendor ratios (scripts/ratios.py).
# Usage: bench-before-after.sh OLD_HOCKNEY NEW_HOCKNEY [OUTDIR]   (RUNS, NP as in bench-allreduce;
# PATTERN, default allreduce, and SWEEP, default "-b 8 -e 64M -f 2", for another pattern's sweep)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 dir=${3:-results/before-after}
np=${NP:-2}
runs=${RUNS:-3}
source scripts/mpi-env.sh
mkdir -p "$dir"
for i in $(seq 1 "$runs"); do
  for tree in old new; do
    bin=$new
    [ "$tree" = old ] && bin=$old
    rm -f "$dir/$tree$i.json" "$dir/$tree$i.json.jsonl"
    # shellcheck disable=SC2086 # SWEEP is several options
    mpirun_local "$np" "$bin" run --pattern "${PATTERN:-allreduce}" --algo all \
      ${SWEEP:--b 8 -e 64M -f 2} --target-time 0.2 --out "$dir/$tree$i.json" >"$dir/$tree$i.txt"
  done
done
if [ "${PATTERN:-allreduce}" = allreduce ]; then
  for tree in old new; do
    echo "## $tree"
    /usr/bin/python3 scripts/ratios.py --markdown $(for i in $(seq 1 "$runs"); do echo "$dir/$tree$i.json"; done)
  done
fi
echo "## new against old"
/usr/bin/python3 scripts/before_after.py "$dir" "$runs"
