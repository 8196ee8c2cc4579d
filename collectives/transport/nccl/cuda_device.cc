// The CUDA device behind the harness: memory, copies across, event timing, graph capture, and
// the checked-call failures of the whole backend.
#include <cuda_runtime_api.h>

#include <chrono>
#include <new>
#include <thread>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/nccl_transport.h"

namespace hockney {

void cudaFail(cudaError_t rc, const char* call, const char* file, int line) {
  throw Error(
      file, line,
      fmt::format("{} failed: {} ({})", call, cudaGetErrorString(rc), cudaGetErrorName(rc)));
}

void ncclFail(ncclResult_t rc, ncclComm_t comm, const char* call, const char* file, int line) {
  std::string last;
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 13, 0)
  const char* l = ncclGetLastError(comm);
  if (l != nullptr && *l != '\0') last = fmt::format("; NCCL says: {}", l);
#else
  (void)comm;
#endif
  throw Error(file, line, fmt::format("{} failed: {}{}", call, ncclGetErrorString(rc), last));
}

CudaDevice::CudaDevice(int ordinal) : ordinal_(ordinal) {
  HOCKNEY_CUDA(cudaSetDevice(ordinal));
  HOCKNEY_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  HOCKNEY_CUDA(cudaEventCreate(&start_));
  HOCKNEY_CUDA(cudaEventCreate(&stop_));
}

CudaDevice::~CudaDevice() {
  // Destructors never throw: errors here are of a device already failing.
  if (graphExec_) cudaGraphExecDestroy(graphExec_);
  if (graph_) cudaGraphDestroy(graph_);
  if (start_) cudaEventDestroy(start_);
  if (stop_) cudaEventDestroy(stop_);
  if (stream_) cudaStreamDestroy(stream_);
}

void* CudaDevice::allocate(size_t bytes) {
  void* p = nullptr;
  // Never zero bytes: every buffer has an address, as the host's have.
  const cudaError_t rc = cudaMalloc(&p, bytes > 0 ? bytes : 1);
  if (rc == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear it: the harness reports the allocation itself
    throw std::bad_alloc();
  }
  HOCKNEY_CUDA(rc);
  HOCKNEY_CUDA(cudaMemsetAsync(p, 0, bytes > 0 ? bytes : 1, stream_));
  HOCKNEY_CUDA(cudaStreamSynchronize(stream_));
  return p;
}

void CudaDevice::release(void* p) noexcept {
  if (p) cudaFree(p);
}

void CudaDevice::upload(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  HOCKNEY_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
  synchronize(comm_);
}

void CudaDevice::download(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  HOCKNEY_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
  synchronize(comm_);
}

void CudaDevice::copy(void* dst, const void* src, size_t bytes) {
  if (bytes > 0 && dst != src)
    HOCKNEY_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_));
}

size_t CudaDevice::freeBytes() {
  size_t free = 0, total = 0;
  HOCKNEY_CUDA(cudaMemGetInfo(&free, &total));
  return free;
}

void CudaDevice::waitFor(cudaEvent_t event) {
  // Polled rather than cudaEventSynchronize: a peer that died shows up as NCCL's asynchronous
  // error, and the watchdog (another thread) can still end a wait that never finishes.
  for (;;) {
    const cudaError_t rc = cudaEventQuery(event);
    if (rc == cudaSuccess) return;
    if (rc != cudaErrorNotReady) HOCKNEY_CUDA(rc);
    if (comm_ != nullptr) {
      ncclResult_t async = ncclSuccess;
      HOCKNEY_NCCL_CALL(comm_, ncclCommGetAsyncError(comm_, &async));
      if (async != ncclSuccess) ncclFail(async, comm_, "(asynchronous)", __FILE__, __LINE__);
    }
    std::this_thread::yield();
  }
}

void CudaDevice::synchronize(ncclComm_t comm) {
  if (comm != nullptr) comm_ = comm;
  HOCKNEY_CUDA(cudaEventRecord(stop_, stream_));
  waitFor(stop_);
}

void CudaDevice::timerStart() {
  HOCKNEY_CUDA(cudaEventRecord(start_, stream_));
}

double CudaDevice::timerStop() {
  HOCKNEY_CUDA(cudaEventRecord(stop_, stream_));
  waitFor(stop_);
  float ms = 0;
  HOCKNEY_CUDA(cudaEventElapsedTime(&ms, start_, stop_));
  return static_cast<double>(ms) * 1e-3;
}

void CudaDevice::capture(const std::function<void()>& calls) {
  if (graphExec_) HOCKNEY_CUDA(cudaGraphExecDestroy(graphExec_));
  if (graph_) HOCKNEY_CUDA(cudaGraphDestroy(graph_));
  graphExec_ = nullptr;
  graph_ = nullptr;
  // Global mode, as nccl-tests captures: an unsafe call from any thread fails the capture.
  HOCKNEY_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal));
  try {
    calls();
  } catch (...) {
    cudaGraph_t partial = nullptr;
    cudaStreamEndCapture(stream_, &partial);
    if (partial) cudaGraphDestroy(partial);
    throw;
  }
  HOCKNEY_CUDA(cudaStreamEndCapture(stream_, &graph_));
#if CUDART_VERSION >= 12000
  HOCKNEY_CUDA(cudaGraphInstantiate(&graphExec_, graph_, 0));
#else
  HOCKNEY_CUDA(cudaGraphInstantiate(&graphExec_, graph_, nullptr, nullptr, 0));
#endif
}

void CudaDevice::replay() {
  HOCKNEY_CHECK(graphExec_ != nullptr, "replay() before capture()");
  HOCKNEY_CUDA(cudaGraphLaunch(graphExec_, stream_));
}

std::vector<std::pair<std::string, std::string>> CudaDevice::facts() const {
  cudaDeviceProp prop{};
  HOCKNEY_CUDA(cudaGetDeviceProperties(&prop, ordinal_));
  char busId[32] = {};
  HOCKNEY_CUDA(cudaDeviceGetPCIBusId(busId, sizeof busId, ordinal_));
  int runtime = 0, driver = 0;
  HOCKNEY_CUDA(cudaRuntimeGetVersion(&runtime));
  HOCKNEY_CUDA(cudaDriverGetVersion(&driver));
  auto cudaVersion = [](int v) { return fmt::format("{}.{}", v / 1000, v % 1000 / 10); };
  return {{"device", std::to_string(ordinal_)},
          {"gpu", prop.name},
          {"pci_bus_id", busId},
          {"compute_capability", fmt::format("{}.{}", prop.major, prop.minor)},
          {"memory_bytes", std::to_string(prop.totalGlobalMem)},
          {"cuda_runtime", cudaVersion(runtime)},
          {"cuda_driver", cudaVersion(driver)},
          {"nccl", ncclVersionString()}};
}

}  // namespace hockney
