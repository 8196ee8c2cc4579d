#!/usr/bin/env bash
# Per-level calibration on the emulated fabric (tests/cluster/netns.sh, root): 4 hosts x 2 ranks,
# every link shaped to FAST Mbit/s, `hockney calibrate --budget BUDGET`; then every link to SLOW
# and again; then `compare` of the two with a projection. Prints per fabric the network pingpong
# bandwidth against the configured rate (fit's last regime, and a line through the rows of at
# least 1 MiB), the composed world-scope checks, what the budget planner decided, the exit code,
# and compare's pingpong ratio against the configured one (scripts/levels_summary.py).
#   RUNS=1 FAST=1000 SLOW=200 BUDGET=90 bash scripts/bench-levels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-1}
fast=${FAST:-1000}
slow=${SLOW:-200}
budget=${BUDGET:-90}
out=results/bench-levels
mkdir -p "$out"
export HOCKNEY_NETNS_PREFIX=hkl$$
net=tests/cluster/netns.sh
trap 'bash $net down' EXIT
bash "$net" up 4
hosts=n1:2,n2:2,n3:2,n4:2
for r in $(seq "$runs"); do
  for side in fast slow; do
    rate=$fast
    [ "$side" = fast ] || rate=$slow
    for i in 1 2 3 4; do bash "$net" shape "$i" "$rate"; done
    rm -rf "$out/$side$r"
    rc=0
    bash "$net" mpirun --host $hosts -np 8 build/hockney calibrate --budget "$budget" \
      --out "$out/$side$r" >"$out/$side$r.log" 2>&1 || rc=$?
    echo "$rc" >"$out/$side$r.rc"
  done
  build/hockney compare "$out/fast$r/calibration.json" "$out/slow$r/calibration.json" \
    --model megatron-8.3b --layout tp=2,pp=2,dp=2 --gpus-per-node 2 --global-batch 16 \
    --out "$out/compare$r.json" >"$out/compare$r.log" 2>&1 || echo "compare failed: see $out/compare$r.log"
done
/usr/bin/python3 scripts/levels_summary.py "$out" "$fast" "$slow" "$runs"
