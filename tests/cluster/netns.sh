#!/usr/bin/env bash
# Emulated hosts on one machine: network namespaces joined by a bridge, each link shaped with
# tc tbf, and Open MPI launched across them by its rsh launcher (nsrsh). Nothing in the root
# namespace is touched.
#
#   netns.sh check            exit 0 when namespaces, veth, bridges and tbf can be made here
#   netns.sh up N [F]         hosts n1..nN: namespace ${PREFIX}_nI with eth0 = 10.79.0.I/24,
#                             its veth peer on bridge br0 in ${PREFIX}_head (10.79.0.254); with
#                             F=2 a second fabric too: eth1 = 10.80.0.I/24 on bridge br1
#   netns.sh shape I MBIT [K] shape host nI's link on fabric K (0, default, or 1) both ways to
#                             MBIT Mbit/s ("none" removes it)
#   netns.sh mpirun ARGS...   mpirun from the head namespace across the hosts (TCP between hosts,
#                             shared memory within one), e.g. netns.sh mpirun --host n1:2,n2:2 ...
#   netns.sh down             kill what runs in the namespaces and delete them (safe to repeat)
#   netns.sh sweep            the same for namespaces hkt<PID>_* whose test process <PID> is gone
#                             (a run killed by a timeout cannot clean up after itself)
#
# PREFIX: $HOCKNEY_NETNS_PREFIX, default hkt. Several hosts share this machine's cores: Open MPI
# busy-polls, so small messages take whole time slices unless idle ranks yield
# (mpi_yield_when_idle, set below).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export HOCKNEY_NETNS_PREFIX=${HOCKNEY_NETNS_PREFIX:-hkt}
P=$HOCKNEY_NETNS_PREFIX
SUBNET=10.79.0
SUBNET2=10.80.0

ns_list() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}_(head|n[0-9]+)$" || true; }

down() {
  for ns in $(ns_list); do
    # ip netns del leaves processes running: end them first.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
  for ns in $(ns_list); do ip netns del "$ns" 2>/dev/null || true; done
}

# Bucket bytes for a rate: one millisecond of it, at least 64 KiB (smaller buckets undershoot
# at 1 Gbit/s and above; much larger ones let messages of a few buckets pass faster).
burst_bytes() { local mbit=$1; local b=$((mbit * 1000000 / 8 / 1000)); echo $((b < 65536 ? 65536 : b)); }

shape() {
  local i=$1 rate=$2 fabric=${3:-0}
  local dev=eth0 peer=v$i
  [ "$fabric" = 0 ] || { dev=eth1; peer=w$i; }
  for spec in "${P}_n$i $dev" "${P}_head $peer"; do
    set -- $spec
    tc -n "$1" qdisc del dev "$2" root 2>/dev/null || true
    [ "$rate" = none ] && continue
    tc -n "$1" qdisc add dev "$2" root tbf rate "${rate}mbit" burst "$(burst_bytes "$rate")" \
      latency 50ms
  done
}

# fabric K of the hosts: bridge brK in the head namespace, ethK in each host, veth peers
# v<i> (fabric 0) or w<i> (fabric 1).
fabric() {
  local n=$1 k=$2 subnet=$3 peer=$4
  ip -n "${P}_head" link add "br$k" type bridge
  ip -n "${P}_head" addr add "$subnet.254/24" dev "br$k"
  ip -n "${P}_head" link set "br$k" up
  for i in $(seq 1 "$n"); do
    local ns="${P}_n$i"
    ip -n "$ns" link add "eth$k" type veth peer name "$peer$i"
    ip -n "$ns" link set "$peer$i" netns "${P}_head"
    ip -n "$ns" addr add "$subnet.$i/24" dev "eth$k"
    ip -n "$ns" link set "eth$k" up
    ip -n "${P}_head" link set "$peer$i" master "br$k"
    ip -n "${P}_head" link set "$peer$i" up
  done
}

up() {
  local n=$1 fabrics=${2:-1}
  down
  ip netns add "${P}_head"
  ip -n "${P}_head" link set lo up
  for i in $(seq 1 "$n"); do
    ip netns add "${P}_n$i"
    ip -n "${P}_n$i" link set lo up
  done
  fabric "$n" 0 "$SUBNET" v
  [ "$fabrics" -lt 2 ] || fabric "$n" 1 "$SUBNET2" w
}

sweep() {
  local ns owner
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^hkt[0-9]+_' || true); do
    owner=${ns#hkt}
    owner=${owner%%_*}
    kill -0 "$owner" 2>/dev/null && continue
    HOCKNEY_NETNS_PREFIX=hkt$owner P=hkt$owner down
  done
}

check() {
  local probe="${P}_probe$$"
  command -v ip >/dev/null && command -v tc >/dev/null && command -v unshare >/dev/null ||
    { echo "ip, tc or unshare missing (iproute2, util-linux)"; return 1; }
  ip netns add "$probe" 2>/dev/null || { echo "cannot create network namespaces here"; return 1; }
  local ok=0
  ip -n "$probe" link add a0 type veth peer name a1 2>/dev/null &&
    ip -n "$probe" link add b0 type bridge 2>/dev/null &&
    tc -n "$probe" qdisc add dev a0 root tbf rate 100mbit burst 65536 latency 50ms 2>/dev/null &&
    ok=1
  ip netns del "$probe" 2>/dev/null || true
  [ $ok = 1 ] || { echo "veth, bridge or tc tbf unavailable in this kernel"; return 1; }
}

cmd=${1:-}
shift || true
case "$cmd" in
  check) check ;;
  up) up "${1:?netns.sh up N [F]}" "${2:-1}" ;;
  shape) shape "${1:?netns.sh shape I MBIT [K]}" "${2:?netns.sh shape I MBIT [K]}" "${3:-0}" ;;
  down) down ;;
  sweep) sweep ;;
  mpirun)
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    exec ip netns exec "${P}_head" mpirun --bind-to none \
      --mca plm_rsh_agent "$here/nsrsh" --mca plm_rsh_no_tree_spawn 1 \
      --mca oob_tcp_if_include "$SUBNET.0/24" --mca btl self,vader,tcp \
      --mca btl_tcp_if_include "$SUBNET.0/24" --mca mpi_yield_when_idle 1 "$@" ;;
  *) echo "usage: netns.sh check|up N|shape I MBIT|mpirun ARGS...|down" >&2; exit 2 ;;
esac
