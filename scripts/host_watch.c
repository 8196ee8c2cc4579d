/* host_watch: is this host's speed steady? A bare MPI_Allreduce of 1 MiB float32 (calibrate's
 * drift probe) on one hot buffer pair, in a loop with nothing else: no hockney, no allocation.
 * Prints the mean time per call of every 500 calls (us) for SECONDS, then the smallest, median
 * and largest reading and the share of readings above 1.25x the smallest (calibrate's drift
 * limit). A host whose readings jump here drifts under any benchmark, hockney's or OSU's.
 *   mpicc -O2 scripts/host_watch.c -o build/host_watch
 *   mpirun -np 2 --mca btl self,vader build/host_watch 90 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ascending(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const double seconds = argc > 1 ? atof(argv[1]) : 60;
  const int count = 1 << 18, calls = 500;
  float* in = aligned_alloc(4096, count * sizeof(float));
  float* out = aligned_alloc(4096, count * sizeof(float));
  memset(in, 0, count * sizeof(float));
  memset(out, 0, count * sizeof(float));
  size_t n = 0, cap = 1024;
  double* readings = malloc(cap * sizeof(double));
  const double start = MPI_Wtime();
  for (int stop = 0; !stop;) {
    const double t0 = MPI_Wtime();
    for (int i = 0; i < calls; ++i)
      MPI_Allreduce(in, out, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    const double us = (MPI_Wtime() - t0) / calls * 1e6;
    if (n == cap) readings = realloc(readings, (cap *= 2) * sizeof(double));
    readings[n++] = us;
    if (rank == 0) {
      printf("%.0f ", us);
      fflush(stdout);
    }
    stop = MPI_Wtime() - start > seconds;
    MPI_Bcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD);
  }
  if (rank == 0) {
    qsort(readings, n, sizeof(double), ascending);
    size_t above = 0;
    for (size_t i = 0; i < n; ++i) above += readings[i] > 1.25 * readings[0];
    printf("\n# %zu readings: min %.0f us, median %.0f us, max %.0f us; %.0f%% above 1.25x the min\n",
           n, readings[0], readings[n / 2], readings[n - 1], 100.0 * above / n);
  }
  free(readings);
  free(in);
  free(out);
  MPI_Finalize();
  return 0;
}
