#!/usr/bin/env bash
# Figures on the emulated fabric (tests/cluster/netns.sh, root): 4 hosts x 2 ranks, every link
# shaped to FAST Mbit/s except host n4's at SLOW. Runs the pair matrix once, then sets n4 to FAST
# and runs the all-reduce across hosts (hierarchical, ring, Rabenseifner, MPI's) RUNS times;
# prints the pair-matrix summary and, per size, each algorithm's median time with its ratio to
# the hierarchical one in the same run. Reports stay in results/bench-netns/.
#   RUNS=3 FAST=1000 SLOW=250 bash scripts/bench-netns.sh [SIZES]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-4,4K,64K,1M,4M,16M}
runs=${RUNS:-3}
fast=${FAST:-1000}
slow=${SLOW:-250}
out=results/bench-netns
mkdir -p "$out"
export HOCKNEY_NETNS_PREFIX=hkb$$
net=tests/cluster/netns.sh
trap 'bash $net down' EXIT
bash "$net" up 4
for i in 1 2 3; do bash "$net" shape "$i" "$fast"; done
bash "$net" shape 4 "$slow"
hosts=n1:2,n2:2,n3:2,n4:2
bash "$net" mpirun --host $hosts -np 8 build/hockney run --pattern pairs --out "$out/pairs.json" |
  grep -E '^# (level|SLOW|outliers)|^  (network|numa|socket|node) '
bash "$net" shape 4 "$fast"
for r in $(seq "$runs"); do
  bash "$net" mpirun --host $hosts -np 8 build/hockney run --pattern allreduce \
    --algo hierarchical,ring,rabenseifner,vendor --sizes "$sizes" -n 10 -w 2 \
    --out "$out/allreduce$r.json" >/dev/null
done
/usr/bin/python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
algos = ["hierarchical", "ring", "rabenseifner", "vendor"]
per = {}  # bytes -> algo -> [median us per run], and ratios to hierarchical per run
for r in range(1, runs + 1):
    rows = json.load(open(f"{out}/allreduce{r}.json"))["results"]
    assert all(x["check"] == "pass" and x["level"] == "network" for x in rows)
    by = {(x["bytes"], x["algorithm"]): x["time_us"]["median"] for x in rows}
    for (n, a), t in by.items():
        per.setdefault(n, {}).setdefault(a, []).append((t, t / by[(n, "hierarchical")]))
print(f"# all-reduce, 8 ranks on 4 emulated hosts, median over {runs} runs of each run's median;"
      " x = time / hierarchical's in the same run (runs' ratios in brackets)")
print(f"# {'bytes':>9} " + " ".join(f"{a:>28}" for a in algos))
for n in sorted(per):
    cells = []
    for a in algos:
        ts = per[n][a]
        t = statistics.median(x[0] for x in ts)
        ratios = [x[1] for x in ts]
        cells.append(f"{t:>10.0f}us x{statistics.median(ratios):4.2f} "
                     f"[{','.join(f'{q:.2f}' for q in ratios)}]")
    print(f"  {n:>9} " + " ".join(f"{c:>28}" for c in cells))
PY
