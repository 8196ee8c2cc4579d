// Small-message MPI_Allreduce latency (2 float32) under hockney's and OSU's conditions, one launch;
// benchmarks only (BENCHMARKS.md, "--rank-stat against OSU"). Build: mpicxx -O2 -o probe THIS.
// probe MODE: letters: t = a watchdog-like thread (cv wait_for 100 ms), f = MPI_THREAD_FUNNELED,
// d = a dup'd communicator, b = hockney's barrier-then-batch sample (else OSU's per-call loop)
#include <mpi.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>
int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  bool thr = strchr(mode, 't'), fun = strchr(mode, 'f'), dup = strchr(mode, 'd'),
       bat = strchr(mode, 'b');
  int provided;
  if (fun)
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  else
    MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_WORLD;
  if (dup) MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  int rank;
  MPI_Comm_rank(comm, &rank);
  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  std::thread w;
  if (thr)
    w = std::thread([&] {
      std::unique_lock l(m);
      while (!stop) cv.wait_for(l, std::chrono::milliseconds(100));
    });
  float in[2] = {1, 2}, out[2];
  const int iters = 20000;
  double lat = 0;
  for (int i = 0; i < 2000; ++i) MPI_Allreduce(in, out, 2, MPI_FLOAT, MPI_SUM, comm);
  if (!bat) {
    double sum = 0;
    for (int i = 0; i < iters; ++i) {
      double t0 = MPI_Wtime();
      MPI_Allreduce(in, out, 2, MPI_FLOAT, MPI_SUM, comm);
      sum += MPI_Wtime() - t0;
      MPI_Barrier(comm);
    }
    lat = sum / iters * 1e6;
  } else {
    const int batch = 50, samples = iters / batch;
    std::vector<double> v;
    for (int s = 0; s < samples; ++s) {
      MPI_Barrier(comm);
      double t0 = MPI_Wtime();
      for (int k = 0; k < batch; ++k) MPI_Allreduce(in, out, 2, MPI_FLOAT, MPI_SUM, comm);
      double x = (MPI_Wtime() - t0) / batch;
      MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_DOUBLE, MPI_MAX, comm);
      v.push_back(x);
    }
    std::sort(v.begin(), v.end());
    lat = v[v.size() / 2] * 1e6;
  }
  double avg;
  MPI_Reduce(&lat, &avg, 1, MPI_DOUBLE, MPI_SUM, 0, comm);
  if (rank == 0) printf("%s %.3f\n", mode[0] ? mode : "-", avg / 2);
  if (thr) {
    {
      std::lock_guard l(m);
      stop = true;
    }
    cv.notify_all();
    w.join();
  }
  MPI_Finalize();
}
