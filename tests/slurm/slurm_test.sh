#!/usr/bin/env bash
# The slurm tier: a real SLURM on this machine (munged, slurmctld, slurmd for nodes n1 and n2;
# tests/slurm/cluster.sh) runs a script from `hockney jobscript`: allreduce on 1 and 2 nodes
# under two variants, through srun --mpi=pmix. Checks: the job completes, every step's report is
# valid, passes its checks and records the SLURM job (id, nodes, node list, tasks, partition),
# fits and comparisons are written, and the same script submitted again skips the finished
# steps. Everything it started is stopped on exit. Exit 77 (skipped) without root, without SLURM
# or without /sys/fs/cgroup.
#   tests/slurm/slurm_test.sh HOCKNEY
set -uo pipefail
hockney=$(realpath "${1:?usage: slurm_test.sh HOCKNEY}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIPPED: the slurm tier runs slurmd as root"; exit 77; }
work=$(mktemp -d /tmp/hockney-slurm.XXXXXX)
cluster=$work/cluster
trap 'bash "$here/cluster.sh" down "$cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; tail -40 "$work"/job/*.out 2>/dev/null; exit 1; }

bash "$here/cluster.sh" up "$cluster" 2
rc=$?
[ $rc = 0 ] || { [ $rc = 77 ] && echo "SKIPPED: see above"; exit $rc; }
source "$root/scripts/mpi-env.sh"  # the job inherits it (sbatch exports the environment)

mkdir -p "$work/job" && cd "$work/job"
"$hockney" jobscript --nodes 1,2 --ntasks-per-node 1 --time 00:10:00 --job-name tier \
  --output-dir "$work/job/out" --variant shm --variant tcp:OMPI_MCA_btl=self,tcp --out job.sh \
  -- run --pattern allreduce -b 8 -e 64K --timeout 120 || fail "jobscript"
submit() {
  local jid
  jid=$(bash "$here/cluster.sh" run "$cluster" sbatch --parsable job.sh) || fail "sbatch"
  bash "$here/cluster.sh" wait "$cluster" "$jid" 300 >&2 || fail "job $jid did not complete"
  echo "$jid"
}
t0=$(date +%s)
jid=$(submit)
echo "job $jid completed in $(($(date +%s) - t0)) s"
for v in shm tcp; do
  for n in 1 2; do
    python3 "$root/scripts/validate_report.py" "$root/reports/schema/results.schema.json" \
      "out/$v/n$n/results.json" || fail "$v/n$n: invalid report"
    python3 - "out/$v/n$n/results.json" "$jid" "$n" <<'PY' || fail "$v/n$n: report content"
import json, sys
path, jid, nodes = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(path))
s = r["slurm"]
assert s["SLURM_JOB_ID"] == jid, s
assert s["SLURM_NNODES"] == nodes and s["SLURM_NTASKS"] == nodes, s
assert s["SLURM_JOB_PARTITION"] == "debug" and s["SLURM_JOB_NODELIST"] == "n[1-2]", s
assert r["ranks"] == int(nodes), r["ranks"]
bad = [x for x in r["results"] if x["check"] != "pass"]
assert r["results"] and not bad, bad
print(f"{path}: {len(r['results'])} rows pass; job {jid}, {nodes} node(s) of {s['SLURM_JOB_NODELIST']}, partition {s['SLURM_JOB_PARTITION']}")
PY
    python3 "$root/scripts/validate_report.py" "$root/reports/schema/calibration.schema.json" \
      "out/$v/n$n/calibration.json" >/dev/null || fail "$v/n$n: invalid calibration"
  done
  [ -s "out/compare-shm-tcp-n1.json" ] && [ -s "out/compare-shm-tcp-n2.json" ] || fail "no comparison"
done
before=$(md5sum out/*/n*/results.json)
jid2=$(submit)
skipped=$(grep -c "step finished, skipped" "tier-$jid2.out")
[ "$skipped" = 4 ] || fail "resubmitted job $jid2 skipped $skipped of 4 finished steps"
[ "$before" = "$(md5sum out/*/n*/results.json)" ] || fail "resubmission changed finished reports"
echo "job $jid2 (resubmitted): 4 finished steps skipped, reports unchanged"
echo "slurm tier: all checks passed"
