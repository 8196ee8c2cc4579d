#!/usr/bin/env bash
# Interconnect comparison end to end: two emulated hosts (network namespaces) joined by two
# fabrics shaped to different rates (tbf; fabric 0 FAST Mbit/s, fabric 1 SLOW), a real SLURM whose
# slurmd run inside the hosts, and one job from `hockney jobscript` that calibrates over each
# fabric (variants choose Open MPI's TCP interfaces), compares the two calibrations and projects
# a documented model's step under each. Checks: `hockney compare` names the fast fabric faster,
# with a point-to-point bandwidth ratio within 10% of FAST/SLOW, and the projection is slower on
# the slow fabric. Exit 77 (skipped) without root, namespaces, tbf or SLURM.
#   tests/slurm/fabrics_test.sh HOCKNEY        (FAST=1000 SLOW=250 by default)
set -uo pipefail
hockney=$(realpath "${1:?usage: fabrics_test.sh HOCKNEY}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fast=${FAST:-1000}
slow=${SLOW:-250}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root (namespaces, slurmd)"; exit 77; }
export HOCKNEY_NETNS_PREFIX=hkt$$
netns="$root/tests/cluster/netns.sh"
bash "$netns" sweep
why=$(bash "$netns" check) || { echo "SKIPPED: $why"; exit 77; }
work=$(mktemp -d /tmp/hockney-fabrics.XXXXXX)
cluster=$work/cluster
cleanup() {
  bash "$here/cluster.sh" down "$cluster" >/dev/null 2>&1
  bash "$netns" down
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -60 "$work"/job/*.out 2>/dev/null; exit 1; }

bash "$netns" up 2 2
for i in 1 2; do
  bash "$netns" shape "$i" "$fast" 0
  bash "$netns" shape "$i" "$slow" 1
done
bash "$here/cluster.sh" up "$cluster" 2 "$HOCKNEY_NETNS_PREFIX"
rc=$?
[ $rc = 0 ] || { [ $rc = 77 ] && echo "SKIPPED: see above"; exit $rc; }
source "$root/scripts/mpi-env.sh"

mkdir -p "$work/job" && cd "$work/job"
"$hockney" jobscript --nodes 2 --ntasks-per-node 1 --time 00:20:00 --job-name fabrics \
  --output-dir "$work/job/out" \
  --variant "fast:OMPI_MCA_btl=self,tcp,OMPI_MCA_btl_tcp_if_include=10.79.0.0/24" \
  --variant "slow:OMPI_MCA_btl=self,tcp,OMPI_MCA_btl_tcp_if_include=10.80.0.0/24" \
  --model bert-large --layout tp=1,pp=1,dp=2 --out job.sh \
  -- calibrate --patterns sendrecv,allreduce --dtypes float32 -b 64K -e 4M --budget 60 --timeout 120 ||
  fail "jobscript"
t0=$(date +%s)
jid=$(bash "$here/cluster.sh" run "$cluster" sbatch --parsable job.sh) || fail "sbatch"
bash "$here/cluster.sh" wait "$cluster" "$jid" 600 || fail "job $jid did not complete"
echo "job $jid completed in $(($(date +%s) - t0)) s"
sed -n '/written to .*compare-fast-slow/q;/^# pattern/,$p' "fabrics-$jid.out" | head -20
python3 - "out/compare-fast-slow-n2.json" "$fast" "$slow" <<'PY' || fail "comparison"
import json, sys
path, fast, slow = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
c = json.load(open(path))
want = fast / slow
pp = [f for f in c["fits"] if f["pattern"] == "sendrecv" and f["algorithm"] == "pingpong"
      and f["level"] == "network"]
assert len(pp) == 1, f"one network pingpong fit expected: {pp}"
f = pp[0]
ratio = 1 / f["bandwidth_ratio_b_over_a"]
a, b = f["a"]["bandwidth_gbps"] * 8e3, f["b"]["bandwidth_gbps"] * 8e3
print(f"pingpong bandwidth: fast {a:.0f} Mbit/s ({a / fast:.3f} of {fast:.0f}), slow {b:.0f} "
      f"Mbit/s ({b / slow:.3f} of {slow:.0f}); ratio {ratio:.2f} against {want:.2f} configured; "
      f"faster: {f['faster_large_messages']}")
assert f["faster_large_messages"] == "a", "compare did not name the fast fabric faster"
assert abs(ratio / want - 1) <= 0.10, f"ratio {ratio:.2f} is not within 10% of {want:.2f}"
p = c["projection"]
print(f"{p['model']} step: fast {p['a']['total_ms']:.0f} ms, slow {p['b']['total_ms']:.0f} ms "
      f"(x{p['total_ratio_b_over_a']:.2f}); faster: {p['faster']}")
assert p["faster"] == "a" and p["total_ratio_b_over_a"] > 1
PY
echo "fabrics: all checks passed"
