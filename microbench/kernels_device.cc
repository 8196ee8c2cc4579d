// Device kernels for hockney-kernels: the reduction kernels of the NCCL transport and a
// device-to-device copy, each timed with CUDA events around the one launch (Google Benchmark's
// manual time), so γ on the GPU can be read against the copy bandwidth. Every CUDA call is in
// collectives/transport/nccl/ (CudaDevice, noCudaDevice).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "collectives/transport/nccl/nccl_transport.h"
#include "collectives/transport/nccl/reduce_kernels.h"
#include "microbench/kernels_device.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

CudaDevice& gpu() {
  static CudaDevice device(0);
  return device;
}

// Two device buffers of `bytes`, the first holding test data of the type.
struct Operands {
  void* dst;
  void* src;
  size_t bytes;
  Operands(size_t n, DataType type, ReduceOp op) : bytes(n) {
    dst = gpu().allocate(n);
    src = gpu().allocate(n);
    std::vector<std::byte> host(n);
    fillInput(host.data(), n / elementSize(type), type, op, 0);
    gpu().upload(dst, host.data(), n);
    fillInput(host.data(), n / elementSize(type), type, op, 1);
    gpu().upload(src, host.data(), n);
  }
  ~Operands() {
    gpu().release(dst);
    gpu().release(src);
  }
};

void deviceReduceKernel(benchmark::State& state, DataType type, ReduceOp op) {
  const auto bytes = static_cast<size_t>(state.range(0));
  Operands o(bytes, type, op);
  for (auto _ : state) {
    gpu().timerStart();
    deviceReduce(o.dst, o.src, bytes / elementSize(type), type, op, gpu().stream());
    state.SetIterationTime(gpu().timerStop());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void deviceCopyKernel(benchmark::State& state) {
  const auto bytes = static_cast<size_t>(state.range(0));
  Operands o(bytes, DataType::kFloat32, ReduceOp::kSum);
  for (auto _ : state) {
    gpu().timerStart();
    gpu().copy(o.dst, o.src, bytes);
    state.SetIterationTime(gpu().timerStop());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

}  // namespace

std::string registerDeviceKernels() {
  if (std::string none = noCudaDevice(); !none.empty()) return none;
  for (DataType type : kAllDataTypes)
    for (ReduceOp op : kAllReduceOps)
      benchmark::RegisterBenchmark(fmt::format("device_reduce/{}/{}", name(type), name(op)).c_str(),
                                   deviceReduceKernel, type, op)
          ->UseManualTime()
          ->RangeMultiplier(8)
          ->Range(64 << 10, 512 << 20);
  benchmark::RegisterBenchmark("device_copy/cudaMemcpyAsync", deviceCopyKernel)
      ->UseManualTime()
      ->RangeMultiplier(8)
      ->Range(64 << 10, 512 << 20);
  return "";
}

}  // namespace hockney
