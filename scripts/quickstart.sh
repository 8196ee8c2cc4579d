#!/usr/bin/env bash
# From a fresh Debian 12 machine to a projected training step: installs what is missing, builds,
# calibrates on 2 local ranks (all-reduce, reduce-scatter, all-gather, point-to-point, all-to-all
# and 1F1B pipeline passes, own algorithms and MPI's, fitted within a time budget), then projects the
# per-step communication of GPT-3 175B at tp=8, pp=16, dp=8 on 8-GPU nodes.
#   bash scripts/quickstart.sh [BUDGET_SECONDS]      (default 120)
# Writes results/quickstart/{results,calibration}.json and results/quickstart/step.json. Run again,
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
  --layout tp=8,pp=16,dp=8 --gpus-per-node 8 --global-batch 1536 --out "$out/step.json"
