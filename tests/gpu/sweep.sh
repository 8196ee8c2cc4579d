#!/usr/bin/env bash
# A short NCCL sweep under mpirun, one rank per GPU: the own all-reduce algorithms and
# ncclAllReduce, with and without CUDA graphs; every row must pass its check. Exits 77 (ctest:
# skipped) with the reason when there is no CUDA device.
#   tests/gpu/sweep.sh HOCKNEY OUTDIR      (HOCKNEY_GPUS=N overrides the rank count)
set -euo pipefail
hockney=$(realpath "${1:?usage: sweep.sh HOCKNEY OUTDIR}")
out=$(realpath -m "${2:?usage: sweep.sh HOCKNEY OUTDIR}")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
source "$here/../../scripts/mpi-env.sh"
np=${HOCKNEY_GPUS:-$( (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true)}
[ "${np:-0}" -ge 1 ] || np=1

sweep() {  # NAME, then run options
  local name=$1
  shift
  if ! timeout 900 mpirun -np "$np" --bind-to none "$hockney" run --backend nccl -p allreduce \
      -a all -b 8 -e 256M -f 4 --out "$out/$name.json" "$@" >"$out/$name.log" 2>&1; then
    for reason in "no CUDA device" "has no NCCL backend"; do
      if grep -q "$reason" "$out/$name.log"; then
        echo "SKIPPED: $(grep -m1 -o "$reason.*" "$out/$name.log")"
        exit 77
      fi
    done
    cat "$out/$name.log"
    echo "FAIL: hockney run --backend nccl $* (see $out/$name.log)"
    exit 1
  fi
}
sweep allreduce
sweep allreduce-graph --cuda-graph

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
bad = 0
for name in ("allreduce", "allreduce-graph"):
    report = json.load(open(f"{out}/{name}.json"))
    rows = report["results"]
    algos = sorted({r["algorithm"] for r in rows})
    failed = [r for r in rows if r["check"] != "pass"]
    assert "vendor" in algos, f"{name}: no ncclAllReduce rows"
    assert report["devices"]["backend"] == "nccl", f"{name}: no device provenance"
    gpus = ", ".join(f'{r["rank"]}: {r.get("gpu")} {r.get("pci_bus_id")}' for r in report["devices"]["ranks"])
    print(f"{name}: {len(rows)} rows, {len(failed)} failed; algorithms {', '.join(algos)}; "
          f'NCCL {report["devices"].get("nccl")}, CUDA runtime {report["devices"].get("cuda_runtime")}, '
          f'driver {report["devices"].get("cuda_driver")}; GPUs {gpus}')
    for r in failed:
        print(f'  FAIL {r["algorithm"]} {r["bytes"]} B: {r.get("check_detail", "")}')
    bad += len(failed)
    by = {}
    for r in rows:
        by.setdefault(r["bytes"], {})[r["algorithm"]] = r["busbw_gbps"]
    print(f"  {'bytes':>10} " + " ".join(f"{a:>18}" for a in algos) + "   (busbw GB/s)")
    for b in sorted(by):
        print(f"  {b:>10} " + " ".join(f"{by[b].get(a, float('nan')):>18.3f}" for a in algos))
sys.exit(1 if bad else 0)
PY
