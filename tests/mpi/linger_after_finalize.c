/* LD_PRELOAD shim for tests: rank 0 lingers after MPI_Finalize, as a rank on a loaded node may.
 * Whatever a command says after finalizing is then lost when another rank exits first and mpirun
 * stops the job; mpi.cli_errors runs a usage error under it to check the message still comes. */
#include <mpi.h>
#include <unistd.h>

int MPI_Finalize(void) {
  int rank = 0;
  PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int rc = PMPI_Finalize();
  if (rank == 0) sleep(2);
  return rc;
}
