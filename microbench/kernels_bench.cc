// hockney-kernels: the kernels the algorithms run between transfers, measured alone with
// Google Benchmark: on the host, and on the GPU where there is one (device_reduce/...,
// device_copy/...; kernels_device.cc). Reduction throughput (bytes of one operand reduced per
// second) is the γ of the cost model; copy throughput bounds what any transport's local work
// can reach.
//   build/hockney-kernels --benchmark_out=kernels.json --benchmark_out_format=json
#include <benchmark/benchmark.h>

#include <cstring>

#include "collectives/core/reduce.h"
#include "microbench/backend.h"
#include "microbench/host_buffer.h"
#include "microbench/kernels_device.h"
#include "microbench/validation.h"

#include <fmt/format.h>

namespace hockney {
namespace {

void reduceKernel(benchmark::State& state, DataType type, ReduceOp op) {
  const auto bytes = static_cast<size_t>(state.range(0));
  const size_t count = bytes / elementSize(type);
  HostBuffer dst(bytes), src(bytes);
  fillInput(dst.data(), count, type, op, 0);
  fillInput(src.data(), count, type, op, 1);
  for (auto _ : state) {
    hostReduce(dst.data(), src.data(), count, type, op);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["elements"] = static_cast<double>(count);
}

void copyKernel(benchmark::State& state) {
  const auto bytes = static_cast<size_t>(state.range(0));
  HostBuffer dst(bytes), src(bytes);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void registerAll() {
  for (DataType type : kAllDataTypes)
    for (ReduceOp op : kAllReduceOps) {
      std::string label = fmt::format("reduce/{}/{}", name(type), name(op));
      benchmark::RegisterBenchmark(label.c_str(), reduceKernel, type, op)
          ->RangeMultiplier(8)
          ->Range(4 << 10, 64 << 20);
    }
  benchmark::RegisterBenchmark("copy/memcpy", copyKernel)
      ->RangeMultiplier(8)
      ->Range(4 << 10, 64 << 20);
}

}  // namespace
}  // namespace hockney

int main(int argc, char** argv) {
  hockney::registerAll();
  // Device kernels are built with the NCCL backend only; without it, the backend's stub says why.
#if HOCKNEY_DEVICE_KERNELS
  const std::string noDevice = hockney::registerDeviceKernels();
#else
  const std::string noDevice = hockney::ncclBackend().absence();
#endif
  if (!noDevice.empty()) benchmark::AddCustomContext("device_kernels", "skipped: " + noDevice);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
