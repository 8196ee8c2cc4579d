#!/usr/bin/env bash
# The training-traffic figures of microbench/BENCHMARKS.md: reduce-scatter, all-gather and
# all-to-all own vs vendor (one run each, np 2 and 4), parameter server single vs sharded, and
# pipeline per-boundary transfer time vs pingpong. Prints markdown; reports in results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi-env.sh
dir=results/bench-patterns
mkdir -p "$dir"
run() {  # run NP NAME args...
  local np=$1 name=$2
  shift 2
  rm -f "$dir/$name.json.jsonl"
  mpirun_local "$np" build/hockney run --target-time 0.1 --out "$dir/$name.json" "$@" >"$dir/$name.txt"
}
for np in 2 4; do
  for pattern in reduce_scatter allgather alltoall; do
    run "$np" "$pattern-np$np" --pattern "$pattern" --algo all -b 1K -e 16M -f 4
    echo "### $pattern, $np ranks"
    /usr/bin/python3 scripts/ratios.py --markdown "$dir/$pattern-np$np.json"
    echo
  done
done
run 4 ps-colocated-np4 --pattern ps --algo all --ps-placement colocated --servers 4 -b 64K -e 16M -f 4
echo "### ps, 4 ranks colocated: single (1 shard) vs sharded (4 shards)"
/usr/bin/python3 scripts/summarize.py ps "$dir/ps-colocated-np4.json"
echo
for np in 2 4; do
  run "$np" "pipeline-np$np" --pattern pipeline --algo all --stages "$np" --microbatches 8 --sizes 64K,1M,4M
  run "$np" "pingpong-np$np" --pattern sendrecv --algo pingpong --peers 0,1 --sizes 64K,1M,4M
  echo "### pipeline, $np stages x 8 micro-batches vs pingpong"
  /usr/bin/python3 scripts/summarize.py pipeline "$dir/pipeline-np$np.json" "$dir/pingpong-np$np.json"
  echo
done
