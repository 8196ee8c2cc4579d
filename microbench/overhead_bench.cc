// hockney-overhead: what the harness adds to a call. At every size it measures, in the same job
// and interleaved round by round, (a) the harness's `vendor` all-reduce point (measurePoint: the
// case, watchdog, buffers and bookkeeping `hockney run` uses) and (b) a bare loop of the same
// MPI_Allreduce with nothing around it, on one hot buffer pair, sampled the way the harness
// samples (a barrier, then `batch` back-to-back calls; per sample the maximum over ranks; the
// median over samples) with the same batch, samples, warm-up and buffer allocation. Same process,
// same machine state: on this VM whole launches flip between a 0.25 and a 0.5 us mode, so two
// separate jobs cannot be compared at small sizes.
//   mpirun -np 2 build/hockney-overhead [SIZES (default 4,16,...,4M)] [ROUNDS (default 3)]
// prints one JSON object per size and round: {"bytes", "round", "batch", "samples",
// "harness_us", "bare_us"}.
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "collectives/transport/mpi.h"
#include "microbench/cases.h"
#include "microbench/host_buffer.h"
#include "microbench/runner.h"
#include "microbench/sizes.h"
#include "microbench/sweep.h"
#include "microbench/watchdog.h"
#include "reports/stats.h"

namespace hockney {
namespace {

// The bare loop; with `through`, each call goes through the harness's case (BenchCase::run and
// the vendor function) instead of calling MPI directly: the difference splits the harness's
// cost into its call path and its sampling.
double bareLoop(MPI_Comm comm, size_t bytes, long batch, long samples, long warmup,
                Transport* through = nullptr, const BenchCase* c = nullptr) {
  // The harness's allocation (page-aligned, zeroed), so only the timed path differs.
  const int count = static_cast<int>(bytes / 4);
  HostBuffer inBuffer(bytes), outBuffer(bytes);
  auto* in = reinterpret_cast<float*>(inBuffer.data());
  auto* out = reinterpret_cast<float*>(outBuffer.data());
  std::fill(in, in + count, 1.0f);
  CaseShape shape;
  shape.ranks = through ? through->size() : 0;
  shape.count = static_cast<size_t>(count);
  shape.bytes = bytes;
  const CaseBuffers b{in, out, nullptr, nullptr, nullptr};
  for (long i = 0; i < warmup; ++i) MPI_Allreduce(in, out, count, MPI_FLOAT, MPI_SUM, comm);
  std::vector<double> times(static_cast<size_t>(samples));
  for (long s = 0; s < samples; ++s) {
    MPI_Barrier(comm);
    const auto start = std::chrono::steady_clock::now();
    if (through)
      for (long k = 0; k < batch; ++k) c->run(*through, shape, b);
    else
      for (long k = 0; k < batch; ++k) MPI_Allreduce(in, out, count, MPI_FLOAT, MPI_SUM, comm);
    times[static_cast<size_t>(s)] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
        static_cast<double>(batch);
  }
  MPI_Allreduce(MPI_IN_PLACE, times.data(), static_cast<int>(times.size()), MPI_DOUBLE, MPI_MAX,
                comm);
  std::sort(times.begin(), times.end());
  return percentile(times, 0.5);
}

int run(int argc, char** argv) {
  const std::vector<size_t> sizes =
      parseSizeList(argc > 1 ? argv[1] : "4,16,64,256,1K,4K,16K,64K,256K,1M,4M");
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  MpiTransport transport(MPI_COMM_WORLD);
  const BenchCase vendor = selectCases("allreduce", {"vendor"}).front();
  Watchdog watchdog(std::chrono::seconds(300), transport.progress(), transport.rank(),
                    abortJobOnStall);
  std::map<size_t, std::pair<long, long>> plan;  // bytes -> (batch, samples) chosen in round 1
  SweepConfig sweep;
  sweep.buffers = "hot";
  sweep.check = false;
  for (int round = 0; round < rounds; ++round)
    for (size_t bytes : sizes) {
      // The harness picks batch and samples from its warm-up (in round 1); the bare loop uses
      // the same. Odd rounds measure the bare loop first, so neither always goes second.
      SweepConfig fixed = sweep;
      if (round > 0) {
        fixed.batch = plan[bytes].first;
        fixed.iterations = plan[bytes].second;
      }
      double bare = 0;
      if (round % 2 == 1)
        bare = bareLoop(transport.comm(), bytes, fixed.batch, fixed.iterations, fixed.warmup);
      const ResultRow row = measurePoint(transport, vendor, bytes, fixed, &watchdog);
      plan[bytes] = {row.callsPerSample, row.iterations};
      if (round % 2 == 0)
        bare = bareLoop(transport.comm(), bytes, row.callsPerSample, row.iterations, row.warmup);
      const double path = bareLoop(transport.comm(), bytes, row.callsPerSample, row.iterations,
                                   row.warmup, &transport, &vendor);
      if (transport.rank() == 0)
        std::printf(
            "{\"bytes\": %zu, \"round\": %d, \"batch\": %ld, \"samples\": %ld, \"harness_us\": "
            "%.6f, \"bare_us\": %.6f, \"bare_through_case_us\": %.6f}\n",
            bytes, round + 1, row.callsPerSample, row.iterations, row.timeUs.median, bare * 1e6,
            path * 1e6);
      std::fflush(stdout);
    }
  return 0;
}

}  // namespace
}  // namespace hockney

int main(int argc, char** argv) {
  hockney::MpiSession session(&argc, &argv);
  return hockney::run(argc, argv);
}
