#!/usr/bin/env bash
# Every training-traffic pattern under mpirun with NP ranks: all algorithms (own and vendor)
# must produce schema-valid reports whose rows all pass validation.
# Usage: patterns_mpi_test.sh HOCKNEY SCHEMA NP
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1 schema=$2 np=$3
dir=$(mktemp -d)
failures=0
run() {  # run LABEL hockney-run-args...
  local label=$1
  shift
  if "$here/mpirun.sh" "$np" "$hockney" run --out "$dir/$label.json" -n 3 -w 1 "$@" \
      >"$dir/$label.out" 2>&1 &&
     /usr/bin/python3 "$here/../../scripts/validate_report.py" "$schema" "$dir/$label.json" \
      every-row-pass >"$dir/$label.check" 2>&1; then
    echo "ok: np=$np $label ($(grep -c '^ ' "$dir/$label.out") rows)"
  else
    echo "FAIL: np=$np $label: $*"
    cat "$dir/$label.out" "$dir/$label.check" 2>/dev/null | tail -20
    failures=$((failures + 1))
  fi
}
sizes=4,1004,65536,1000000
# Block patterns: the smallest size is one float per rank (smaller ones are refused).
block_sizes=$((4 * np)),1004,65536,1000000
run reduce_scatter --pattern reduce_scatter --algo all --sizes $block_sizes
run allgather --pattern allgather --algo all --sizes $block_sizes
run bcast --pattern bcast --algo all --sizes $sizes --root $((np - 1))
run reduce --pattern reduce --algo all --sizes $sizes -o max --root 1
run alltoall_uniform --pattern alltoall --algo all --sizes $block_sizes
run alltoall_topk --pattern alltoall --algo all --sizes 4096,262144 --routing topk \
  --experts $((2 * np)) --top-k 2 --capacity-factor 1.25 --skew zipf:1.1 --hidden 64
run sendrecv --pattern sendrecv --algo all --sizes $sizes --peers 0,$((np - 1))
run ps_single_dedicated --pattern ps --algo single --sizes $sizes --ps-placement dedicated
run ps_sharded_dedicated --pattern ps --algo sharded --servers 2 --sizes $sizes
run ps_colocated --pattern ps --algo all --servers 2 --ps-placement colocated --sizes $sizes
run pipeline_gpipe --pattern pipeline --schedule gpipe --stages $((np > 4 ? 4 : np)) \
  --microbatches 8 --sizes 4,65536
run pipeline_1f1b --pattern pipeline --schedule 1f1b --stages $((np > 4 ? 4 : np)) \
  --microbatches 8 --sizes 4,65536 --compute-us 5
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
