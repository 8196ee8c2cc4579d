#!/usr/bin/env bash
# The ReFrame library (jobscripts/reframe/) run as a centre would run it: once with ReFrame's
# local scheduler (mpirun on this machine) and once against a real SLURM (tests/slurm/cluster.sh;
# ReFrame's Slurm backend polling with squeue, srun --mpi=pmix on 2 nodes). Both checks
# (HockneyRun, HockneyCalibrate) must pass sanity and report their performance variables; a
# missing binary must fail them. ReFrame (reframe-hpc from PyPI) goes into a virtual environment
# under the build folder. Exit 77 (skipped) without root or SLURM, or when PyPI is unreachable.
#   tests/slurm/reframe_test.sh HOCKNEY VENV
set -uo pipefail
hockney=$(realpath "${1:?usage: reframe_test.sh HOCKNEY VENV}")
venv=$(realpath -m "${2:?usage: reframe_test.sh HOCKNEY VENV}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rf_dir=$root/jobscripts/reframe
[ "$(id -u)" = 0 ] || { echo "SKIPPED: the slurm tier runs slurmd as root"; exit 77; }
if [ ! -x "$venv/bin/reframe" ]; then
  /usr/bin/python3 -m venv "$venv" || { echo "SKIPPED: python3 -m venv failed (python3-venv)"; exit 77; }
  "$venv/bin/pip" install -q "reframe-hpc==4.10.4" ||
    { rm -rf "$venv"; echo "SKIPPED: pip could not install reframe-hpc (PyPI unreachable?)"; exit 77; }
fi
work=$(mktemp -d /tmp/hockney-reframe.XXXXXX)
cluster=$work/cluster
trap 'bash "$here/cluster.sh" down "$cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
reframe() {  # SYSTEM LOG, then options
  local system=$1 log=$2
  shift 2
  (cd "$work" && timeout 900 "$venv/bin/reframe" -C "$rf_dir/settings.py" -c "$rf_dir/hockney_checks.py" \
    --system "$system" --prefix "$work/rf-$system" -r -S budget=15 "$@") >"$log" 2>&1
}
summary() { grep -E "^\[.*(OK|FAIL|PASSED|FAILED)|^P: (busbw_vendor|busbw_ring|bw_allreduce_ring|bw_sendrecv)" "$1" | sed 's/\x1b\[[0-9;]*m//g'; }

reframe local "$work/local.log" -S hockney="$hockney" || { cat "$work/local.log"; fail "ReFrame, local scheduler"; }
summary "$work/local.log"
grep -q "Ran 2/2 test case(s) from 2 check(s) (0 failure(s)" "$work/local.log" || fail "local: not 2 of 2 passed"

bash "$here/cluster.sh" up "$cluster" 2
rc=$?
[ $rc = 0 ] || { [ $rc = 77 ] && echo "SKIPPED: see above"; exit $rc; }
SLURM_CONF=$cluster/etc/slurm.conf reframe slurm "$work/slurm.log" -S hockney="$hockney" -S nodes=2 \
  -S tasks_per_node=1 || { cat "$work/slurm.log"; fail "ReFrame, Slurm scheduler"; }
summary "$work/slurm.log"
grep -q "Ran 2/2 test case(s) from 2 check(s) (0 failure(s)" "$work/slurm.log" || fail "slurm: not 2 of 2 passed"
grep -q "^srun --mpi=pmix" "$work"/rf-slurm/stage/slurm/debug/builtin/HockneyRun/rfm_job.sh 2>/dev/null ||
  grep -rq "^srun --mpi=pmix" "$work/rf-slurm" || fail "the Slurm job did not launch with srun --mpi=pmix"

# A check that cannot pass must fail: the binary does not exist.
if reframe local "$work/broken.log" -S hockney=/nonexistent/hockney -n HockneyRun; then
  fail "ReFrame passed a run of a missing binary"
fi
grep -q "did not exit 0" "$work/broken.log" || fail "the broken run failed for another reason"
echo "ok: a missing binary fails HockneyRun's sanity"
echo "reframe: all checks passed"
