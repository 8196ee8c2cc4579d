#!/usr/bin/env bash
# The win of `hockney tune`, measured: Open MPI's vendor collective with and without the rules
# file written from its own variants, in interleaved runs, at every size.
#   scripts/tune_win.sh NP OUTDIR [PATTERN]
# Every candidate is measured in a run of its own (the library's choice `vendor`, each
# `vendor:NAME`, and the library with the file), so that tuned, untuned and variants are timed in
# runs of the same shape: on 4 ranks oversubscribed on 2 cores a run of `vendor` alone read
# 30-50% slower than the same rows inside a `--algo vendor:all` run (BENCHMARKS.md).
# 1. rounds 1-3: every candidate; `hockney tune` writes OUTDIR/rules.conf from them (three
#    rounds: their spread is the noise a switch must beat);
# 2. rounds 4-6: every candidate again, and the library with the file;
# 3. `hockney tune --check`: the tuned library against rounds 4-6, per size (exit 1 where it is
#    slower than the best variant by more than 5% and both rows' noise).
# Benchmarks only: timings, never a test. HOCKNEY=path overrides build/hockney; HOCKNEY_MPIRUN
# replaces the launcher (e.g. "bash tests/cluster/netns.sh mpirun --host n1:1,n2:1 -np 2");
# HOCKNEY_TUNE_SIZES ("-b 8 -e 16M" over a slow fabric) and HOCKNEY_TUNE_RUN_OPTS (more run
# options for every run, e.g. "--malloc dynamic": glibc's own allocator, as OSU and applications
# run) change what every run measures.
set -euo pipefail
np=${1:?usage: tune_win.sh NP OUTDIR [PATTERN]}
out=$(realpath -m "${2:?usage: tune_win.sh NP OUTDIR [PATTERN]}")
pattern=${3:-allreduce}
here=$(cd "$(dirname "$0")" && pwd)
hockney=$(realpath "${HOCKNEY:-$here/../build/hockney}")
source "$here/mpi-env.sh"
mkdir -p "$out"
read -r -a opts <<<"${HOCKNEY_TUNE_SIZES:--b 8 -e 64M} ${HOCKNEY_TUNE_RUN_OPTS:-}"
launch() { mpirun_local "$np" --mca btl self,vader "$@"; }
if [ -n "${HOCKNEY_MPIRUN:-}" ]; then launch() { $HOCKNEY_MPIRUN "$@"; }; fi
# The MPI library's variants of the pattern, as `hockney list` names them.
mapfile -t variants < <("$hockney" list | awk -v p="$pattern" '
  $1 == p { inside = 1; next }
  /^[^ ]/ { inside = 0 }
  inside && $1 == "vendor" && /--backend mpi/ { mpi = 1; next }
  inside && $1 == "vendor" { mpi = 0 }
  inside && mpi && $1 ~ /^vendor:/ { print $1 }')
[ "${#variants[@]}" -gt 0 ] || { echo "tune_win: the MPI library offers no variants of $pattern"; exit 2; }
candidates=(vendor "${variants[@]}")
echo "candidates: ${candidates[*]}"

measure() {  # ROUND CANDIDATE [mpirun options]: one run of one candidate
  local round=$1 algo=$2
  shift 2
  mkdir -p "$out/r$round"
  launch "$@" "$hockney" run -p "$pattern" --algo "$algo" "${opts[@]}" \
    --out "$out/r$round/${algo/:/-}.json" >"$out/r$round/${algo/:/-}.log"
}
for round in 1 2 3; do
  for c in "${candidates[@]}"; do measure $round "$c"; done
done
"$hockney" tune "$out"/r[123]/*.json --format ompi-rules --out "$out/rules.conf" \
  --json "$out/tune.json" | tee "$out/tune.txt"
for round in 4 5 6; do
  for c in "${candidates[@]}"; do measure $round "$c"; done
  mkdir -p "$out/r$round/tuned"
  launch --mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_dynamic_rules_filename "$out/rules.conf" \
    "$hockney" run -p "$pattern" --algo vendor "${opts[@]}" --out "$out/r$round/tuned/vendor.json" \
    >"$out/r$round/tuned/vendor.log"
done
"$hockney" tune "$out"/r[456]/*.json --check "$out"/r[456]/tuned/vendor.json \
  --json "$out/check.json" | tee "$out/check.txt"
