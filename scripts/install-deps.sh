#!/usr/bin/env bash
# Installs the Debian packages hockney needs, only those that are missing (root, or sudo).
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  openmpi-bin libopenmpi-dev
  hwloc libhwloc-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libeigen3-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  python3 python3-jsonschema
  clang libclang-rt-14-dev  # the sanitizer build and libFuzzer (cmake --preset asan)
  iproute2 util-linux  # the netns tier: ip netns, tc tbf, unshare (tests/cluster/)
  slurmctld slurmd slurm-client munge  # the slurm tier: a real SLURM on this machine (tests/slurm/)
  python3-matplotlib  # hockney plot (reports/plot.py)
  python3-hypothesis  # property-based tests of plot's reader (ctest fuzz.plot_reader)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
