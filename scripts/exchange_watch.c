/* exchange_watch.c -- what a link does with one flow, two flows each way, and two pairs, with no
 * hockney in the process: bare MPI_Send/MPI_Recv/MPI_Sendrecv of BYTES, ITERS times, on 4 ranks
 * placed 2 per host (ranks 0,1 on one host, 2,3 on another).
 *   mpicc -O2 scripts/exchange_watch.c -o build/exchange_watch
 *   tests/cluster/netns.sh mpirun --host n1:2,n2:2 -np 4 build/exchange_watch [bytes] [iters]
 * Prints per mode the payload rate per direction of each pair (Mbit/s):
 *   oneway    ranks 0 -> 2 then 2 -> 0, one message in flight (pingpong; half the round trip)
 *   exchange  ranks 0 <-> 2 at once (MPI_Sendrecv): one flow each way on the link
 *   two-pairs ranks 0 <-> 2 and 1 <-> 3 at once: two flows each way on the same host link */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double run(int mode, int rank, char *a, char *b, long bytes, int iters) {
  const int peer = rank ^ 2; /* 0<->2, 1<->3 */
  const int active = mode == 2 || rank == 0 || rank == 2;
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  for (int i = 0; i < iters && active; i++) {
    if (mode == 0) {
      if (rank == 0) {
        MPI_Send(a, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD);
        MPI_Recv(b, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(b, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(a, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD);
      }
    } else {
      MPI_Sendrecv(a, bytes, MPI_BYTE, peer, 0, b, bytes, MPI_BYTE, peer, 0, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
    }
  }
  double t = MPI_Wtime() - t0;
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  /* Payload per direction per pair: oneway moves `bytes` each way per round trip, in turn. */
  const double seconds = mode == 0 ? t / 2 : t;
  return bytes * (double)iters / seconds * 8 / 1e6;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const long bytes = argc > 1 ? atol(argv[1]) : 4L << 20;
  const int iters = argc > 2 ? atoi(argv[2]) : 10;
  if (size != 4) {
    if (rank == 0) fprintf(stderr, "exchange_watch needs 4 ranks, 2 per host\n");
    MPI_Finalize();
    return 1;
  }
  char *a = malloc(bytes), *b = malloc(bytes);
  memset(a, rank, bytes);
  const char *names[] = {"oneway", "exchange", "two-pairs"};
  for (int mode = 0; mode < 3; mode++) {
    run(mode, rank, a, b, bytes, 1); /* warm-up */
    const double mbit = run(mode, rank, a, b, bytes, iters);
    if (rank == 0)
      printf("%-9s bytes=%ld iters=%d per pair per direction %.0f Mbit/s\n", names[mode], bytes,
             iters, mbit);
  }
  free(a);
  free(b);
  MPI_Finalize();
  return 0;
}
