#!/usr/bin/env bash
# Why a repeat of the pair matrix reads a 1000 Mbit/s emulated link low, measured without hockney
# (root; tests/cluster/netns.sh, 4 hosts, n1-n3 at FAST, n4 at SLOW as in netns_test.sh). The same
# 4 MiB ping-pong (1 warm-up + 3, median; scripts/pingpong_probe.{c,py}) over
#   - plain MPI, one pair alone (n1-n2), then two pairs at once (n1-n2 and n3-n4, as one round of
#     the pair matrix), over the same Open MPI settings as hockney's netns tier;
#   - plain blocking sockets (nothing busy-polls), one pair alone, then two at once.
# ROUNDS times each, interleaved. Usage: ROUNDS=3 REPEATS=20 bash scripts/bench-netns-pingpong.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
repeats=${REPEATS:-20}
fast=${FAST:-1000}
slow=${SLOW:-250}
out=results/bench-netns-pingpong
mkdir -p "$out"
mpicc -O2 -o "$out/probe" scripts/pingpong_probe.c
export HOCKNEY_NETNS_PREFIX=hkq$$
net=tests/cluster/netns.sh
trap 'bash $net down' EXIT
bash "$net" up 4 >/dev/null
for i in 1 2 3; do bash "$net" shape "$i" "$fast"; done
bash "$net" shape 4 "$slow"
ex() { ip netns exec "${HOCKNEY_NETNS_PREFIX}_n$1" "${@:2}"; }
py=scripts/pingpong_probe.py
for r in $(seq "$rounds"); do
  echo "# round $r"
  timeout 300 bash "$net" mpirun --host n1,n2 -np 2 "$out/probe" "$repeats" "$fast"
  timeout 300 bash "$net" mpirun --host n1,n2,n3,n4 -np 4 "$out/probe" "$repeats" "$fast" |
    grep "ranks 0-1"
  ex 2 python3 $py server 5001 & sleep 0.5
  ex 1 python3 $py client 10.79.0.2 5001 "$repeats" "$fast" "1 pair alone, n1-n2"
  wait
  ex 2 python3 $py server 5001 & ex 3 python3 $py server 5002 & sleep 0.5
  ex 4 python3 $py client 10.79.0.3 5002 "$repeats" "$slow" "n4-n3" >/dev/null &
  ex 1 python3 $py client 10.79.0.2 5001 "$repeats" "$fast" "2 pairs at once, n1-n2"
  wait
done
