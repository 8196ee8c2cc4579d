#include "collectives/transport/nccl/nccl_transport.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/reduce_kernels.h"

namespace hockney {
namespace {

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "?";
  return name;
}

// Every rank learns the first problem any rank had ("" when none).
std::string agreeOnProblem(Transport& t, std::string problem) {
  const int p = t.size();
  if (t.rank() == 0) {
    for (int r = 1; r < p; ++r) {
      uint64_t length = 0;
      controlRecv(t, r, &length, sizeof length);
      std::string theirs(length, '\0');
      controlRecv(t, r, theirs.data(), length);
      if (problem.empty()) problem = std::move(theirs);
    }
    for (int r = 1; r < p; ++r) {
      uint64_t length = problem.size();
      controlSend(t, r, &length, sizeof length);
      controlSend(t, r, problem.data(), length);
    }
    return problem;
  }
  uint64_t length = problem.size();
  controlSend(t, 0, &length, sizeof length);
  controlSend(t, 0, problem.data(), length);
  controlRecv(t, 0, &length, sizeof length);
  std::string agreed(length, '\0');
  controlRecv(t, 0, agreed.data(), length);
  return agreed;
}

// Why this rank cannot use a GPU, or "".
std::string deviceProblem(int localRank, int localRanks) {
  int count = 0;
  if (std::string none = noCudaDevice(&count); !none.empty()) return none;
  if (localRank >= count)
    return fmt::format(
        "{} ranks on this host but {} CUDA device(s): the NCCL backend runs one "
        "rank per GPU",
        localRanks, count);
  return "";
}

}  // namespace

std::string noCudaDevice(int* count) {
  int n = 0;  // left untouched when the call fails
  const cudaError_t rc = cudaGetDeviceCount(&n);
  if (count) *count = n;
  if (rc != cudaSuccess) {
    cudaGetLastError();
    return fmt::format(
        "no CUDA device: cudaGetDeviceCount failed with {} ({}); is a GPU "
        "present and the NVIDIA driver loaded?",
        cudaGetErrorString(rc), cudaGetErrorName(rc));
  }
  if (n == 0) {
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    return fmt::format("no CUDA device: the driver sees none{}",
                       visible ? fmt::format(" (CUDA_VISIBLE_DEVICES={})", visible) : "");
  }
  return "";
}

std::string ncclVersionString() {
  int v = 0;
  if (ncclGetVersion(&v) != ncclSuccess) return "unknown";
  // Codes from 2.9 on are major*10000 + minor*100 + patch; before, major*1000 + minor*100 + patch.
  if (v >= 10000) return fmt::format("{}.{}.{}", v / 10000, v % 10000 / 100, v % 100);
  return fmt::format("{}.{}.{}", v / 1000, v % 1000 / 100, v % 100);
}

ncclDataType_t ncclType(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
    case DataType::kFloat16:
      return ncclFloat16;
    case DataType::kBfloat16:
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 10, 0)
      return ncclBfloat16;
#else
      throw UsageError("bfloat16 needs NCCL 2.10 or later");
#endif
    case DataType::kInt32:
      return ncclInt32;
    case DataType::kInt64:
      return ncclInt64;
  }
  HOCKNEY_THROW("no NCCL type for {}", static_cast<int>(type));
}

ncclRedOp_t ncclOp(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return ncclSum;
    case ReduceOp::kProd:
      return ncclProd;
    case ReduceOp::kMin:
      return ncclMin;
    case ReduceOp::kMax:
      return ncclMax;
  }
  HOCKNEY_THROW("no NCCL op for {}", static_cast<int>(op));
}

std::unique_ptr<Transport> openNcclTransport(Transport& control, int localRank, int localRanks) {
  const std::string where = fmt::format("rank {} on host {}", control.rank(), hostName());
  // First every rank checks its own GPU; only when all can does any enter NCCL's collective
  // initialisation (a rank missing from it would leave the others waiting).
  std::unique_ptr<CudaDevice> device;
  std::string problem = deviceProblem(localRank, localRanks);
  if (problem.empty()) {
    try {
      device = std::make_unique<CudaDevice>(localRank);
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  if (!problem.empty()) problem = fmt::format("--backend nccl: {}: {}", where, problem);
  problem = agreeOnProblem(control, problem);
  if (!problem.empty()) throw UsageError(problem);

  ncclUniqueId id{};
  if (control.rank() == 0) HOCKNEY_NCCL_CALL(nullptr, ncclGetUniqueId(&id));
  if (control.rank() == 0)
    for (int r = 1; r < control.size(); ++r) controlSend(control, r, &id, sizeof id);
  else
    controlRecv(control, 0, &id, sizeof id);
  ncclComm_t comm = nullptr;
  const ncclResult_t rc = ncclCommInitRank(&comm, control.size(), id, control.rank());
  problem = rc == ncclSuccess ? ""
                              : fmt::format("--backend nccl: {}: ncclCommInitRank failed: {}",
                                            where, ncclGetErrorString(rc));
  problem = agreeOnProblem(control, problem);
  if (!problem.empty()) {
    if (comm) ncclCommDestroy(comm);
    throw UsageError(problem);
  }
  device->setComm(comm);
  return std::make_unique<NcclTransport>(control, std::move(device), comm);
}

NcclTransport::NcclTransport(Transport& control, std::unique_ptr<CudaDevice> device,
                             ncclComm_t comm)
    : control_(control), device_(std::move(device)), comm_(comm) {}

NcclTransport::~NcclTransport() {
  if (comm_) ncclCommDestroy(comm_);
}

namespace {

// A control step in flight on the host transport; device steps need no handle.
struct ControlStep : PendingStep {
  StepHandle inner;
};

template <typename T>
bool byPeerThenTag(const T& a, const T& b) {
  return a.peer != b.peer ? a.peer < b.peer : a.tag < b.tag;
}

}  // namespace

StepHandle NcclTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  const auto isControl = [](const auto& m) { return m.tag == kControlTag; };
  const size_t control = static_cast<size_t>(std::count_if(sends.begin(), sends.end(), isControl) +
                                             std::count_if(recvs.begin(), recvs.end(), isControl));
  if (control > 0) {
    HOCKNEY_CHECK(control == sends.size() + recvs.size(),
                  "a step mixes control traffic (host memory) with device transfers");
    auto step = std::make_unique<ControlStep>();
    step->inner = control_.start(sends, recvs);
    return step;
  }
  progress_.record(sends, recvs);
  // NCCL has no tags: both sides post a pair's messages in (tag, post) order, so they match.
  sends_.assign(sends.begin(), sends.end());
  recvs_.assign(recvs.begin(), recvs.end());
  std::stable_sort(sends_.begin(), sends_.end(), byPeerThenTag<Send>);
  std::stable_sort(recvs_.begin(), recvs_.end(), byPeerThenTag<Recv>);
  HOCKNEY_NCCL_CALL(comm_, ncclGroupStart());
  for (const Recv& r : recvs_)
    if (r.bytes > 0)
      HOCKNEY_NCCL_CALL(comm_, ncclRecv(r.data, r.bytes, ncclUint8, r.peer, comm_, stream()));
  for (const Send& s : sends_)
    if (s.bytes > 0)
      HOCKNEY_NCCL_CALL(comm_, ncclSend(s.data, s.bytes, ncclUint8, s.peer, comm_, stream()));
  HOCKNEY_NCCL_CALL(comm_, ncclGroupEnd());
  return nullptr;
}

void NcclTransport::wait(StepHandle& step) {
  // Device steps are ordered on the stream; only control steps wait on the host.
  if (step) control_.wait(static_cast<ControlStep&>(*step).inner);
  step.reset();
}

void NcclTransport::reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) {
  deviceReduce(dst, src, count, type, op, stream());
}

void NcclTransport::copy(void* dst, const void* src, size_t bytes) {
  device_->copy(dst, src, bytes);
}

void NcclTransport::barrier() {
  device_->synchronize(comm_);
  control_.barrier();
}

}  // namespace hockney
