// Under mpirun -np 2: the allocator state a point is measured in does not depend on what the
// process measured before it (microbench/allocator.h). The mechanism, checked without timing:
// minor page faults per timed call, which count the memory a call maps afresh.
//
// Probes (vendor all-reduce and reduce-scatter from 512 KiB to 64 MiB, own algorithms) are
// measured once, then again after each of several histories (a 64 MiB reduce-scatter, a 16 MiB
// all-reduce, a 64 MiB ring all-reduce), through the harness's measurePoint with the buffer pool
// calibrate uses. A probe passes when it pays less than one fault per call in every round: the
// library's per-call scratch is reused, resident, whatever ran before and at any size.
//
//   allocator_state pinned    what hockney does by default: must pass
//   allocator_state dynamic   glibc left alone (the code before the fix): fails on Debian 12's
//                             glibc 2.36 + Open MPI 4.1 (the vendor all-reduce faults in the
//                             first round only up to 16 MiB, and maps 16 MiB afresh on every
//                             call from 32 MiB; the reduce-scatter from 16 MiB)
// Exit 0 when every probe passes, 1 otherwise; rank 0 prints the table either way.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "collectives/transport/mpi.h"
#include "microbench/allocator.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"

using namespace hockney;

namespace {

struct Point {
  const char* pattern;
  const char* algorithm;
  size_t bytes;
};

const std::vector<Point> kProbes{
    {"allreduce", "vendor", 512 << 10},      {"allreduce", "vendor", 1 << 20},
    {"allreduce", "vendor", 2 << 20},        {"allreduce", "vendor", 16 << 20},
    {"allreduce", "vendor", 32 << 20},       {"allreduce", "vendor", 64 << 20},
    {"reduce_scatter", "vendor", 512 << 10}, {"reduce_scatter", "vendor", 1 << 20},
    {"reduce_scatter", "vendor", 8 << 20},   {"reduce_scatter", "vendor", 16 << 20},
    {"reduce_scatter", "vendor", 64 << 20},  {"allreduce", "ring", 1 << 20},
    {"allreduce", "rabenseifner", 8 << 20},  {"reduce_scatter", "ring", 1 << 20},
};

// What a calibrate pass measures between two probes: large points of other patterns.
const std::vector<Point> kHistories{
    {"reduce_scatter", "vendor", 64 << 20},
    {"allreduce", "vendor", 16 << 20},
    {"allreduce", "ring", 64 << 20},
};

struct Reading {
  double faults;  // minor page faults per call: what the check compares
  double us;      // median time per call: printed beside it, never asserted
};

Reading measure(Transport& t, const Point& p, const SweepConfig& config) {
  const std::vector<BenchCase> cases = selectCases(p.pattern, {p.algorithm});
  const ResultRow row = measurePoint(t, cases.at(0), p.bytes, config, nullptr);
  if (row.check != "pass") {
    std::fprintf(stderr, "%s/%s at %zu B failed validation: %s\n", p.pattern, p.algorithm, p.bytes,
                 row.checkDetail.c_str());
    MpiSession::abortAll(1);
  }
  return {row.minorFaultsPerCall.value_or(0), row.timeUs.median};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "pinned";
  settleAllocator(parseMallocMode(mode));  // before MPI starts, as hockney's commands do
  MpiSession session(&argc, &argv);
  MpiTransport t(MPI_COMM_WORLD);
  SweepConfig config;  // as calibrate measures: hot buffers from one pool, one warm-up sample
  config.pool = std::make_shared<BufferPool>();
  config.warmup = 1;
  config.batch = 1;
  config.targetSeconds = 0.005;
  config.minIterations = 5;

  // readings[probe][round]: round 0 before any history, round k after history k.
  std::vector<std::vector<Reading>> readings(kProbes.size());
  for (size_t round = 0; round <= kHistories.size(); ++round) {
    if (round > 0) measure(t, kHistories[round - 1], config);
    for (size_t i = 0; i < kProbes.size(); ++i)
      readings[i].push_back(measure(t, kProbes[i], config));
  }

  int failed = 0;
  if (t.rank() == 0)
    std::printf(
        "# allocator %s: minor page faults per call (median us per call), before any "
        "history and after each of %zu\n",
        allocatorSettings().mode.c_str(), kHistories.size());
  for (size_t i = 0; i < kProbes.size(); ++i) {
    const Point& p = kProbes[i];
    double lo = readings[i][0].faults, hi = lo;
    for (const Reading& r : readings[i]) {
      lo = std::min(lo, r.faults);
      hi = std::max(hi, r.faults);
    }
    const bool ok = hi < 1.0;
    failed += ok ? 0 : 1;
    if (t.rank() == 0) {
      std::printf("%-4s %s/%s %zu B:", ok ? "ok" : "FAIL", p.pattern, p.algorithm, p.bytes);
      for (const Reading& r : readings[i]) std::printf(" %.1f (%.0f)", r.faults, r.us);
      std::printf("%s\n", ok               ? ""
                          : hi - lo >= 1.0 ? "  (depends on what was measured before)"
                                           : "  (maps memory afresh on every call)");
    }
  }
  if (t.rank() == 0)
    std::printf("%d of %zu probes pay page faults on every call\n", failed, kProbes.size());
  return failed == 0 ? 0 : 1;
}
