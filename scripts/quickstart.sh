#!/usr/bin/env bash
# From a fresh Debian 12 machine to a projected training step: installs what is missing, builds,
# calibrates on 2 local ranks (all-reduce, reduce-scatter, all-gather, point-to-point, all-to-all
# and 1F1B pipeline passes, own algorithms and MPI's, fitted within a time budget), then projects the
# per-step communication of GPT-3 175B at tp=8, pp=16, dp=8 on 8-GPU nodes: on this host, and on
# a reference fabric (two 8 x H100 nodes over NDR InfiniBand, from published nccl-tests output;
# `build/hockney fabrics` lists them), side by side with the level each group was priced at.
#   bash scripts/quickstart.sh [BUDGET_SECONDS]      (default 120)
#   HOCKNEY_REFERENCE=NAME picks another reference fabric.
# Writes results/quickstart/{results,calibration,step,side-by-side}.json. Run again,
# it refines the calibration it finds there (calibrate --resume: its points kept, the new
# budget spent where the fits need it) instead of starting over.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-120}
bash scripts/install-deps.sh
bash scripts/build.sh
source scripts/mpi-env.sh
out=results/quickstart
resume=()
if [ -e "$out/results.json" ] || [ -e "$out/results.json.jsonl" ]; then resume=(--resume); fi
mpirun_local 2 --mca btl self,vader build/hockney calibrate --budget "$budget" --out "$out" \
  "${resume[@]}"
/usr/bin/python3 scripts/validate_report.py reports/schema/results.schema.json "$out/results.json"
/usr/bin/python3 scripts/validate_report.py reports/schema/calibration.schema.json \
  "$out/calibration.json"
build/hockney project --calibration "$out/calibration.json" --model gpt3-175b \
  --layout tp=8,pp=16,dp=8 --gpus-per-node 8 --global-batch 1536 --out "$out/step.json" \
  > "$out/project.txt"
# This host's projection proves the pipeline (a 2-rank CPU fit pricing an 8-GPU group); the
# reference fabric's is the number to plan with.
reference=${HOCKNEY_REFERENCE:-h100-ndr-ib}
echo
echo "# GPT-3 175B, tp=8 pp=16 dp=8, 8 GPUs per node, batch 1536: communication per step"
echo "# A = reference fabric ref:$reference ($(build/hockney fabrics --json "$reference" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["title"])'))"
echo "# B = this host ($out/calibration.json; its full projection: $out/project.txt)"
build/hockney compare "ref:$reference" "$out/calibration.json" --model gpt3-175b \
  --layout tp=8,pp=16,dp=8 --gpus-per-node 8 --global-batch 1536 --step-only \
  --out "$out/side-by-side.json" | grep -v '^# note:'
