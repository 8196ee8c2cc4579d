#!/usr/bin/env bash
# NCCL's algorithms forced one by one (vendor:ring/simple, vendor:tree/ll, ...) under mpirun, one
# rank per GPU, then `hockney tune --format nccl-tuner`: every line of the config must be the
# example tuner plugin's documented one (NVIDIA/nccl plugins/tuner/example/README.md), and every
# variant row must pass its check. Exits 77 (ctest: skipped) with the reason without a CUDA device.
#   tests/gpu/tune.sh HOCKNEY OUTDIR      (HOCKNEY_GPUS=N overrides the rank count)
set -euo pipefail
hockney=$(realpath "${1:?usage: tune.sh HOCKNEY OUTDIR}")
out=$(realpath -m "${2:?usage: tune.sh HOCKNEY OUTDIR}")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
source "$here/../../scripts/mpi-env.sh"
np=${HOCKNEY_GPUS:-$( (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true)}
[ "${np:-0}" -ge 1 ] || np=1
if [ "$np" -lt 2 ]; then
  # One rank has no algorithm to choose; a single GPU still runs two ranks on one device.
  np=2
fi
if ! timeout 900 mpirun -np "$np" --bind-to none "$hockney" run --backend nccl -p allreduce \
    -a vendor,vendor:ring/ll,vendor:ring/ll128,vendor:ring/simple,vendor:tree/simple \
    -b 1K -e 64M -f 8 --out "$out/variants.json" >"$out/variants.log" 2>&1; then
  for reason in "no CUDA device" "has no NCCL backend"; do
    if grep -q "$reason" "$out/variants.log"; then
      echo "SKIPPED: $(grep -m1 -o "$reason.*" "$out/variants.log")"
      exit 77
    fi
  done
  cat "$out/variants.log"
  echo "FAIL: the NCCL variants did not run (see $out/variants.log)"
  exit 1
fi
"$hockney" tune "$out/variants.json" --format nccl-tuner --out "$out/nccl_tuner.conf" \
  --json "$out/tune.json"
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
rows = json.load(open(f"{out}/variants.json"))["results"]
bad = [r for r in rows if r["check"] != "pass"]
assert not bad, f"failed rows: {[(r['algorithm'], r['bytes']) for r in bad]}"
algos = {r["algorithm"] for r in rows}
assert {"vendor:ring/simple", "vendor:tree/simple"} <= algos, algos
line = re.compile(r"(allreduce),(\d+),(\d+),(tree|ring),(ll|ll128|simple),-1,(\d+),(\d+)$")
lines = [l for l in open(f"{out}/nccl_tuner.conf").read().splitlines() if l and not l.startswith("#")]
assert lines, "no line written"
last = -1
for l in lines:
    m = line.match(l)
    assert m, f"not the plugin's line: {l}"
    lo, hi = int(m[2]), int(m[3])
    assert last < lo <= hi, f"ranges out of order: {l}"
    last = hi
print(f"{len(rows)} rows, {len(lines)} config lines:")
print("\n".join(lines))
PY
