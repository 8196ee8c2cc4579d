#pragma once
// The NCCL transport: a step is ncclGroupStart, an ncclRecv/ncclSend per transfer (in peer,
// then tag order on both sides: NCCL matches a pair's messages in the order they are posted),
// ncclGroupEnd, all on the communicator's stream. Steps, reductions (reduce_kernels.cu) and
// copies are enqueued in order on that one stream, so wait() has nothing to wait for: the next
// operation on the stream starts after the last. Control traffic (kControlTag, host memory)
// goes over the host transport the communicator was bootstrapped on.
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <memory>
#include <string>
#include <vector>

#include "collectives/transport/nccl/backend.h"
#include "collectives/transport/transport.h"

namespace hockney {

// One CUDA device and its stream: buffers, copies across, event timing and graph capture.
class CudaDevice : public Device {
 public:
  explicit CudaDevice(int ordinal);  // cudaSetDevice(ordinal), a non-blocking stream, events
  ~CudaDevice() override;
  CudaDevice(const CudaDevice&) = delete;
  CudaDevice& operator=(const CudaDevice&) = delete;

  void* allocate(size_t bytes) override;
  void release(void* p) noexcept override;
  void upload(void* dst, const void* src, size_t bytes) override;
  void download(void* dst, const void* src, size_t bytes) override;
  size_t freeBytes() override;
  // Device to device on the stream (enqueued, not waited for).
  void copy(void* dst, const void* src, size_t bytes);
  void timerStart() override;
  double timerStop() override;
  void capture(const std::function<void()>& calls) override;
  void replay() override;
  std::vector<std::pair<std::string, std::string>> facts() const override;

  cudaStream_t stream() const { return stream_; }
  int ordinal() const { return ordinal_; }
  // Waits for the stream; `comm`'s asynchronous errors (a peer gone) end the wait with Error.
  void synchronize(ncclComm_t comm = nullptr);
  void setComm(ncclComm_t comm) { comm_ = comm; }

 private:
  void waitFor(cudaEvent_t event);
  int ordinal_;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t graphExec_ = nullptr;
  ncclComm_t comm_ = nullptr;
};

class NcclTransport : public Transport {
 public:
  // Use openNcclTransport (backend.h): it checks every rank can start before any enters NCCL.
  NcclTransport(Transport& control, std::unique_ptr<CudaDevice> device, ncclComm_t comm);
  ~NcclTransport() override;
  NcclTransport(const NcclTransport&) = delete;
  NcclTransport& operator=(const NcclTransport&) = delete;

  int rank() const override { return control_.rank(); }
  int size() const override { return control_.size(); }
  std::string_view backend() const override { return "nccl"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override;
  void copy(void* dst, const void* src, size_t bytes) override;
  // The stream drained, then the control transport's barrier.
  void barrier() override;
  Device* device() override { return device_.get(); }

  ncclComm_t comm() const { return comm_; }
  cudaStream_t stream() const { return device_->stream(); }

 private:
  Transport& control_;
  std::unique_ptr<CudaDevice> device_;
  ncclComm_t comm_;
  std::vector<Send> sends_;
  std::vector<Recv> recvs_;
};

// NCCL's element type for ours (bf16 needs NCCL >= 2.10).
ncclDataType_t ncclType(DataType type);
ncclRedOp_t ncclOp(ReduceOp op);
std::string ncclVersionString();
// Why no CUDA device can be used here ("no CUDA device: ..."), or "" and the count in *count.
std::string noCudaDevice(int* count = nullptr);

}  // namespace hockney
