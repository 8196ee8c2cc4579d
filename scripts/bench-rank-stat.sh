#!/usr/bin/env bash
# hockney's --rank-stat against OSU's statistics for the same call (MPI_Allreduce, float sum):
#   OSU_ALLREDUCE=/path/to/osu_allreduce scripts/bench-rank-stat.sh NP OUTDIR [ROUNDS]
# Per round, interleaved: `osu_allreduce -T mpi_float -f` (Avg, Min and Max over ranks of each
# rank's mean latency) and `hockney run --algo vendor` once per statistic (max, avg, min,
# rank0). OSU runs with the glibc thresholds hockney pins (the line hockney prints), so both see
# the same allocator. Then scripts/rank_stat_vs_osu.py tabulates hockney's mean and median
# against OSU's Avg/Min/Max per size. Benchmarks only: OSU is built beside hockney with the
# fetch tool, never in tests or CI.
set -euo pipefail
np=${1:?usage: bench-rank-stat.sh NP OUTDIR [ROUNDS]}
out=$(realpath -m "${2:?usage: bench-rank-stat.sh NP OUTDIR [ROUNDS]}")
rounds=${3:-3}
osu=${OSU_ALLREDUCE:?set OSU_ALLREDUCE to the osu_allreduce binary}
here=$(cd "$(dirname "$0")" && pwd)
hockney=$(realpath "${HOCKNEY:-$here/../build/hockney}")
source "$here/mpi-env.sh"
mkdir -p "$out"
sizes=$(python3 -c "print(','.join(str(4 << i) for i in range(22)))")  # 4 B .. 8 MiB, as OSU -m 4:8M
pinned="glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=18446744073709551615"
for r in $(seq "$rounds"); do
  GLIBC_TUNABLES=$pinned mpirun_local "$np" --mca btl self,vader -x GLIBC_TUNABLES \
    "$osu" -T mpi_float -f -m 4:8388608 >"$out/osu$r.txt"
  for stat in max avg min rank0; do
    mpirun_local "$np" --mca btl self,vader "$hockney" run --algo vendor --sizes "$sizes" \
      --rank-stat "$stat" --out "$out/hockney-$stat$r.json" >/dev/null
  done
  echo "round $r of $rounds done"
done
python3 "$here/rank_stat_vs_osu.py" "$out" "$rounds"
