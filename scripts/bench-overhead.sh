#!/usr/bin/env bash
# Harness overhead: the `vendor` all-reduce point of the harness against a bare MPI_Allreduce
# loop with the same batch, samples and warm-up, interleaved in one job (build/hockney-overhead),
# RUNS jobs on 2 ranks; prints per size the median over runs of harness/bare and each run's
# figures (each run's figure: the median over its rounds), and the bare loop called through the
# harness's case (BenchCase::run and the vendor function) over the bare loop: the call path's share.
#   RUNS=3 bash scripts/bench-overhead.sh [SIZES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi-env.sh
sizes=${1:-4,16,64,256,1K,4K,16K,64K,256K,1M,4M}
rounds=${2:-3}
runs=${RUNS:-3}
out=results/bench-overhead
mkdir -p "$out"
for r in $(seq "$runs"); do
  mpirun_local 2 --mca btl self,vader build/hockney-overhead "$sizes" "$rounds" >"$out/run$r.jsonl"
done
/usr/bin/python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
per = {}  # bytes -> list over runs of (harness, bare, ratio), each the median over rounds
for r in range(1, runs + 1):
    rows = [json.loads(l) for l in open(f"{out}/run{r}.jsonl")]
    by = {}
    for x in rows:
        by.setdefault(x["bytes"], []).append(x)
    for n, xs in by.items():
        h = statistics.median(x["harness_us"] for x in xs)
        b = statistics.median(x["bare_us"] for x in xs)
        q = statistics.median(x["harness_us"] / x["bare_us"] for x in xs)
        c = statistics.median(x["bare_through_case_us"] / x["bare_us"] for x in xs)
        per.setdefault(n, []).append((h, b, q, c))
print("| bytes | harness us (per run) | bare loop us (per run) | harness/bare (per run) | median | bare loop through the case / bare (median) |")
print("|---:|---|---|---|---:|---:|")
for n in sorted(per):
    f = lambda i: " ".join(f"{v[i]:.3g}" for v in per[n])
    m = lambda i: statistics.median(v[i] for v in per[n])
    print(f"| {n} | {f(0)} | {f(1)} | {f(2)} | {m(2):.3f} | {m(3):.3f} |")
PY
