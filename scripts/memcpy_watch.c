/* memcpy_watch: is this host's memory bandwidth steady? One process, no MPI, no hockney: copies
 * 64 MiB (twice the L3 of the machines we run on, so DRAM) back and forth 4 times every 250 ms
 * and prints GB/s per reading for SECONDS, then the smallest, median and largest reading and
 * the share of readings below 1/1.25 of the largest (calibrate's drift limit). Large
 * collectives on shared memory are copies: when these readings jump, so does every large
 * measurement, hockney's or OSU's, and a replay seconds after a calibration cannot agree with
 * it closer than they do.
 *   cc -O2 scripts/memcpy_watch.c -o build/memcpy_watch && build/memcpy_watch 20 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int ascending(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? atof(argv[1]) : 20;
  const size_t n = (size_t)64 << 20;
  char* a = malloc(n);
  char* b = malloc(n);
  if (!a || !b || seconds <= 0) {
    fprintf(stderr, "usage: memcpy_watch SECONDS (> 0); needs 128 MiB\n");
    return 2;
  }
  memset(a, 1, n);
  memset(b, 2, n);
  const int most = (int)(seconds * 4) + 1;
  double* gbps = malloc(sizeof(double) * (size_t)most);
  int k = 0;
  for (const double end = now() + seconds; now() < end && k < most; ++k) {
    const double t = now();
    for (int r = 0; r < 4; ++r) {
      memcpy(r & 1 ? a : b, r & 1 ? b : a, n);
      __asm__ volatile("" ::: "memory"); /* every copy happens */
    }
    gbps[k] = 4.0 * (double)n / (now() - t) / 1e9;
    printf("%.1f ", gbps[k]);
    fflush(stdout);
    usleep(250000);
  }
  qsort(gbps, (size_t)k, sizeof(double), ascending);
  int slow = 0;
  for (int i = 0; i < k; ++i) slow += gbps[i] * 1.25 < gbps[k - 1];
  printf("\n# %d readings: min %.1f median %.1f max %.1f GB/s; %d (%.0f%%) below max/1.25\n", k,
         gbps[0], gbps[k / 2], gbps[k - 1], slow, 100.0 * slow / k);
  return a[n / 2] + b[n / 3] == 7; /* the copies are used */
}
