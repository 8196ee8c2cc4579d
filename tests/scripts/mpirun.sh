#!/usr/bin/env bash
# mpirun as the tests use it: any number of ranks on this machine (oversubscribed, unbound),
# shared memory only, allowed as root, and never longer than HOCKNEY_TEST_TIMEOUT seconds.
# Usage: mpirun.sh NP command...
set -euo pipefail
np=$1
shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_hwloc_base_binding_policy=none
exec timeout --kill-after=10 "${HOCKNEY_TEST_TIMEOUT:-240}" \
  mpirun -np "$np" --mca btl self,vader "$@"
