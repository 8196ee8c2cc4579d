// 4 MiB ping-pong between emulated hosts without hockney, shaped like the pair matrix's bandwidth
// measurement: per repeat a barrier, then 1 warm-up + 3 timed round trips, the one-way median.
// Ranks (0,1), (2,3), ... pair up and run at once, as the pairs of one round do. Prints, per pair,
// how many of REPEATS read under 90% of RATE Mbit/s, and the median and best repeat.
// Benchmarks only (docs/testing.md); scripts/bench-netns-pingpong.sh builds and runs it.
//   probe REPEATS RATE
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int less(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int bytes = 4 << 20, repeats = argc > 1 ? atoi(argv[1]) : 20;
  const double rate = argc > 2 ? atof(argv[2]) : 1000;
  const int peer = rank ^ 1;
  if (size % 2 != 0 || repeats < 1) {
    if (rank == 0) fprintf(stderr, "probe: an even number of ranks and REPEATS >= 1\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  char* buf = calloc(bytes, 1);
  double* mbit = malloc(sizeof(double) * repeats);
  for (int k = 0; k < repeats; ++k) {
    MPI_Barrier(MPI_COMM_WORLD);
    double oneWay[3];
    for (int it = -1; it < 3; ++it) {
      if (rank % 2 == 0) {
        const double t0 = MPI_Wtime();
        MPI_Send(buf, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD);
        MPI_Recv(buf, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (it >= 0) oneWay[it] = (MPI_Wtime() - t0) / 2;
      } else {
        MPI_Recv(buf, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD);
      }
    }
    qsort(oneWay, 3, sizeof(double), less);
    mbit[k] = bytes * 8.0 / oneWay[1] / 1e6;
  }
  if (rank % 2 == 0) {
    int low = 0;
    for (int k = 0; k < repeats; ++k) low += mbit[k] < 0.9 * rate;
    qsort(mbit, repeats, sizeof(double), less);
    printf(
        "mpi %d pair(s) at once, ranks %d-%d: %d of %d repeats under %.0f Mbit/s; median %.0f, "
        "best %.0f\n",
        size / 2, rank, peer, low, repeats, 0.9 * rate, mbit[repeats / 2], mbit[repeats - 1]);
  }
  free(mbit);
  free(buf);
  MPI_Finalize();
  return 0;
}
