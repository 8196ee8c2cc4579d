# Sourced by the scripts that launch mpirun on this machine: Open MPI refuses root unless told,
# and more ranks than cores need oversubscription without core binding.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# mpirun_local NP ARGS...: NP ranks here, oversubscribed only when NP exceeds the cores.
mpirun_local() {
  local np=$1
  shift
  local extra=()
  if [ "$np" -gt "$(nproc)" ]; then extra=(--oversubscribe --bind-to none); fi
  timeout --kill-after=10 "${HOCKNEY_MPIRUN_TIMEOUT:-1800}" mpirun -np "$np" "${extra[@]}" "$@"
}
