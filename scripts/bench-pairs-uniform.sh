#!/usr/bin/env bash
# How often the pair matrix names a healthy host or link (root; tests/cluster/netns.sh): 4
# emulated hosts x 2 ranks, every link shaped to FAST Mbit/s, `run --pattern pairs` RUNS times
# (each its own mpirun, --pairs-repeats REPEATS). While each runs, a sampler records on which
# CPU every rank sits (/proc/PID/stat, field 39) every 20 ms. Prints per run what was named,
# then where the latency spread of a pair comes from: from one mpirun to the next (a pair
# that is slow in one run stays slow in its repeats) or from one repeat to the next.
# Reports and samples stay in results/bench-pairs-uniform/.
#   RUNS=20 REPEATS=5 FAST=1000 [HOSTS=n1:2,n2:2,n3:2,n4:2 NP=8] bash scripts/bench-pairs-uniform.sh [EXTRA hockney ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
repeats=${REPEATS:-5}
fast=${FAST:-1000}
out=results/bench-pairs-uniform
rm -rf "$out"
mkdir -p "$out"
export HOCKNEY_NETNS_PREFIX=hkp$$
net=tests/cluster/netns.sh
trap 'bash $net down' EXIT
bash "$net" up 4
for i in 1 2 3 4; do bash "$net" shape "$i" "$fast"; done
hosts=${HOSTS:-n1:2,n2:2,n3:2,n4:2}
np=${NP:-8}
for r in $(seq "$runs"); do
  /usr/bin/python3 scripts/cpu_sampler.py "$out/cpus$r.jsonl" &
  sampler=$!
  bash "$net" mpirun --host $hosts -np $np build/hockney run --pattern pairs \
    --pairs-repeats "$repeats" --out "$out/pairs$r.json" "$@" >"$out/pairs$r.out" 2>&1 ||
    { kill $sampler; cat "$out/pairs$r.out"; exit 1; }
  kill $sampler; wait $sampler 2>/dev/null || true
  echo "run $r: $(grep -E '^# (SLOW|outliers)' "$out/pairs$r.out" | tr '\n' ' ')"
done
/usr/bin/python3 scripts/pairs_uniform_report.py "$out" "$runs"
