#!/usr/bin/env bash
# Calibration quality and replay: RUNS x (hockney calibrate on 2 ranks within BUDGET seconds,
# then hockney replay of TP, PP, DP and MoE items of five catalog models against it), then the
# tables of microbench/BENCHMARKS.md (scripts/calibration_quality.py): per fit the held-out
# median and p90 error of each run, per replayed collective projected/measured of each run.
#   RUNS=3 BUDGET=120 bash scripts/bench-calibrate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi-env.sh
runs=${RUNS:-3}
budget=${BUDGET:-120}
out=results/bench-calibrate
mkdir -p "$out"
run() { mpirun_local 2 --mca btl self,vader build/hockney "$@"; }
for r in $(seq "$runs"); do
  rm -rf "$out/run$r" "$out"/replay"$r"-*.json
  run calibrate --budget "$budget" --out "$out/run$r" >"$out/run$r.log"
  cal=$out/run$r/calibration.json
  {
    # TP, PP (1F1B passes), DP (the default 25 MiB gradient buckets) and MoE all-to-all: every
    # kind of item, the largest included, at the sizes the step has.
    run replay --model megatron-8.3b --layout tp=2,pp=1,dp=1 --global-batch 8 --calibration "$cal" --out "$out/replay$r-megatron-tp.json"
    run replay --model megatron-8.3b --layout tp=1,pp=2,dp=1 --global-batch 8 --calibration "$cal" --out "$out/replay$r-megatron-pp.json"
    run replay --model gpt3-175b --layout tp=2,pp=1,dp=1 --global-batch 4 --calibration "$cal" --out "$out/replay$r-gpt3-tp.json"
    run replay --model gpt3-175b --layout tp=1,pp=2,dp=1 --global-batch 4 --calibration "$cal" --out "$out/replay$r-gpt3-pp.json"
    run replay --model switch-c --layout tp=1,pp=1,dp=2,ep=2 --global-batch 8 --calibration "$cal" --out "$out/replay$r-switch-ep.json"
    run replay --model glam --layout tp=1,pp=1,dp=2,ep=2 --global-batch 8 --calibration "$cal" --out "$out/replay$r-glam-ep.json"
    run replay --model bert-large --layout tp=1,pp=1,dp=2 --global-batch 8 --calibration "$cal" --out "$out/replay$r-bert-dp.json"
  } >"$out/replay$r.log" 2>&1
done
grep -h "calibration written\|drifted" "$out"/run*.log || true
/usr/bin/python3 scripts/calibration_quality.py "$out"
