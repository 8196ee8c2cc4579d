// The gpu tier: device reductions against the host's, the CUDA device's copies, timer and graph
// replay, and every own algorithm and NCCL collective through the harness on the NCCL
// transport, one GPU per rank (ranks are threads; as many as there are GPUs, at most 4). Without
// a CUDA device every test is skipped with the reason, and ctest reports it skipped.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "collectives/core/error.h"
#include "collectives/core/reduce.h"
#include "collectives/transport/inproc.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/nccl_transport.h"
#include "collectives/transport/nccl/reduce_kernels.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

int gpus() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

#define REQUIRE_GPU()                                                                              \
  do {                                                                                             \
    if (gpus() == 0) {                                                                             \
      int n = 0;                                                                                   \
      const cudaError_t rc = cudaGetDeviceCount(&n);                                               \
      GTEST_SKIP() << "no CUDA device: cudaGetDeviceCount says " << cudaGetErrorString(rc) << " (" \
                   << n << " devices)";                                                            \
    }                                                                                              \
  } while (0)

TEST(Gpu, DeviceReductionsMatchTheHostsForEveryTypeAndOp) {
  REQUIRE_GPU();
  CudaDevice dev(0);
  for (DataType type : kAllDataTypes)
    for (ReduceOp op : kAllReduceOps)
      for (size_t count : {size_t{1}, size_t{1000}, (size_t{1} << 20) + 3}) {
        const size_t bytes = count * elementSize(type);
        std::vector<std::byte> a(bytes), b(bytes), out(bytes);
        fillInput(a.data(), count, type, op, 0);
        fillInput(b.data(), count, type, op, 1);
        void* da = dev.allocate(bytes);
        void* db = dev.allocate(bytes);
        dev.upload(da, a.data(), bytes);
        dev.upload(db, b.data(), bytes);
        deviceReduce(da, db, count, type, op, dev.stream());
        dev.download(out.data(), da, bytes);
        hostReduce(a.data(), b.data(), count, type, op);
        EXPECT_EQ(std::memcmp(out.data(), a.data(), bytes), 0)
            << name(type) << " " << name(op) << " count " << count;
        dev.release(da);
        dev.release(db);
      }
}

TEST(Gpu, CopiesTimerAndGraphReplay) {
  REQUIRE_GPU();
  CudaDevice dev(0);
  const size_t bytes = 1 << 20;
  std::vector<std::byte> in(bytes), out(bytes);
  for (size_t i = 0; i < bytes; ++i) in[i] = static_cast<std::byte>(i * 7);
  void* a = dev.allocate(bytes);
  void* b = dev.allocate(bytes);
  dev.upload(a, in.data(), bytes);
  dev.capture(
      [&] { HOCKNEY_CUDA(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, dev.stream())); });
  dev.download(out.data(), b, bytes);
  EXPECT_NE(std::memcmp(out.data(), in.data(), bytes), 0) << "capture must not run the calls";
  dev.timerStart();
  dev.replay();
  const double seconds = dev.timerStop();
  EXPECT_GT(seconds, 0);
  EXPECT_LT(seconds, 1);
  dev.download(out.data(), b, bytes);
  EXPECT_EQ(std::memcmp(out.data(), in.data(), bytes), 0);
  const auto facts = dev.facts();
  ASSERT_FALSE(facts.empty());
  dev.release(a);
  dev.release(b);
}

// Every own algorithm and NCCL's collective of every pattern, through the harness, on as many
// GPUs as there are (at most 4), with and without CUDA graphs.
TEST(Gpu, EveryCaseRunsAndPassesOnTheNcclTransport) {
  REQUIRE_GPU();
  const int p = std::min(gpus(), 4);
  for (bool graph : {false, true}) {
    SweepConfig config;
    config.sizes = {4096, (size_t{1} << 20) + 64};
    config.iterations = 3;
    config.batch = 2;
    config.warmup = 1;
    config.cudaGraph = graph;
    std::mutex mutex;
    std::vector<ResultRow> rows;
    for (const std::string& pattern : patternNames()) {
      std::vector<BenchCase> cases;
      for (BenchCase& c : casesFor(pattern, "nccl"))
        if (!c.unavailable(config.pattern, p)) cases.push_back(c);
      try {
        checkPatternOptions(pattern, config.pattern, p);
      } catch (const UsageError&) {
        continue;  // e.g. sendrecv on one GPU
      }
      runInprocWith(p, [&](InprocTransport& control) {
        auto t = openNcclTransport(control, control.rank(), p);
        auto mine = runSweep(*t, cases, config, nullptr, {});
        std::lock_guard lock(mutex);
        if (control.rank() == 0) rows.insert(rows.end(), mine.begin(), mine.end());
      });
    }
    ASSERT_FALSE(rows.empty());
    bool sawVendor = false;
    for (const ResultRow& r : rows) {
      EXPECT_EQ(r.check, "pass") << (graph ? "graph " : "") << r.pattern << "/" << r.algorithm
                                 << " " << r.bytes << ": " << r.checkDetail;
      EXPECT_EQ(r.backend, "nccl");
      EXPECT_GT(r.timeUs.median, 0);
      sawVendor |= r.algorithm == "vendor";
    }
    EXPECT_TRUE(sawVendor);
  }
}

}  // namespace
}  // namespace hockney
