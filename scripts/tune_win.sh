#!/usr/bin/env bash
# The win of `hockney tune`, measured: Open MPI's vendor collective with and without the rules
# file written from its own variants, in interleaved runs, at every size.
#   scripts/tune_win.sh NP OUTDIR [PATTERN] [-- extra mpirun options]
# 1. every variant (--algo vendor:all) in three runs, and `hockney tune` writes OUTDIR/rules.conf
#    from them (three runs: their spread is the noise a switch must beat);
# 2. three rounds of: the untuned library with its variants, then the library with the file;
# 3. `hockney tune --check`: the tuned library against the best of the untuned rounds, per size
#    (exit 1 where it is slower than the best variant by more than 5% and both rows' noise).
# Benchmarks only: timings, never a test. HOCKNEY=path overrides build/hockney.
set -euo pipefail
np=${1:?usage: tune_win.sh NP OUTDIR [PATTERN] [-- mpirun options]}
out=$(realpath -m "${2:?usage: tune_win.sh NP OUTDIR [PATTERN]}")
pattern=${3:-allreduce}
shift $(($# < 3 ? $# : 3))
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
hockney=$(realpath "${HOCKNEY:-$here/../build/hockney}")
source "$here/mpi-env.sh"
mkdir -p "$out"
sizes=(-b 8 -e 64M)
launch() { mpirun_local "$np" --mca btl self,vader "$@"; }
if [ -n "${HOCKNEY_MPIRUN:-}" ]; then launch() { $HOCKNEY_MPIRUN "$@"; }; fi
tuned=(--mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_dynamic_rules_filename "$out/rules.conf")

for round in 1 2 3; do
  launch "$hockney" run -p "$pattern" --algo vendor:all "${sizes[@]}" --out "$out/variants-$round.json" >"$out/variants-$round.log"
done
"$hockney" tune "$out"/variants-{1,2,3}.json --format ompi-rules --out "$out/rules.conf" --json "$out/tune.json" | tee "$out/tune.txt"
refs=()
tuns=()
for round in 1 2 3; do
  launch "$hockney" run -p "$pattern" --algo vendor:all "${sizes[@]}" --out "$out/untuned-$round.json" >"$out/untuned-$round.log"
  launch "${tuned[@]}" "$hockney" run -p "$pattern" --algo vendor "${sizes[@]}" --out "$out/tuned-$round.json" >"$out/tuned-$round.log"
  refs+=("$out/untuned-$round.json")
  tuns+=("$out/tuned-$round.json")
done
"$hockney" tune "${refs[@]}" --check "${tuns[@]}" --json "$out/check.json" | tee "$out/check.txt"
