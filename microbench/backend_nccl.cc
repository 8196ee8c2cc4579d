// The NCCL backend: device buffers over NcclTransport (one GPU per rank), and NCCL's own
// collectives as the vendor cases, on the same device buffers, timed and validated exactly as
// our algorithms on the NCCL transport are. Built only with the backend (else
// backend_nccl_absent.cc).
#include <array>
#include <typeinfo>
#include <utility>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/backend.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/nccl_transport.h"
#include "microbench/backend.h"
#include "microbench/cases.h"

namespace hockney {
namespace {

// On the timed path: an exact type check, as backend_mpi.cc does.
NcclTransport& ncclOf(Transport& t, const char* what) {
  HOCKNEY_CHECK(typeid(t) == typeid(NcclTransport), "{} needs the NCCL transport, not '{}'", what,
                t.backend());
  return static_cast<NcclTransport&>(t);
}

void allreduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclAllReduce");
  HOCKNEY_NCCL_CALL(n.comm(), ncclAllReduce(b.input, b.output, s.count, ncclType(s.type),
                                            ncclOp(s.op), n.comm(), n.stream()));
}

void reduceScatter(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclReduceScatter");
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_NCCL_CALL(n.comm(), ncclReduceScatter(b.input, b.output, block, ncclType(s.type),
                                                ncclOp(s.op), n.comm(), n.stream()));
}

void allgather(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclAllGather");
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_NCCL_CALL(
      n.comm(), ncclAllGather(b.input, b.output, block, ncclType(s.type), n.comm(), n.stream()));
}

void bcast(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclBroadcast");
  HOCKNEY_NCCL_CALL(n.comm(), ncclBroadcast(b.input, b.output, s.count, ncclType(s.type),
                                            s.opts->root, n.comm(), n.stream()));
}

void reduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclReduce");
  HOCKNEY_NCCL_CALL(n.comm(), ncclReduce(b.input, b.output, s.count, ncclType(s.type), ncclOp(s.op),
                                         s.opts->root, n.comm(), n.stream()));
}

// NCCL has no all-to-all(v) call: grouped sends and receives, as nccl-tests' alltoall does.
void alltoallv(Transport& t, const CaseShape&, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "grouped ncclSend/ncclRecv");
  const AlltoallvLayout& layout = alltoallLayoutOf(b.state);
  const auto* in = static_cast<const std::byte*>(b.input);
  auto* out = static_cast<std::byte*>(b.output);
  HOCKNEY_NCCL_CALL(n.comm(), ncclGroupStart());
  for (size_t peer = 0; peer < layout.sendBytes.size(); ++peer) {
    if (layout.sendBytes[peer] > 0)
      HOCKNEY_NCCL_CALL(n.comm(),
                        ncclSend(in + layout.sendOffset[peer], layout.sendBytes[peer], ncclUint8,
                                 static_cast<int>(peer), n.comm(), n.stream()));
    if (layout.recvBytes[peer] > 0)
      HOCKNEY_NCCL_CALL(n.comm(),
                        ncclRecv(out + layout.recvOffset[peer], layout.recvBytes[peer], ncclUint8,
                                 static_cast<int>(peer), n.comm(), n.stream()));
  }
  HOCKNEY_NCCL_CALL(n.comm(), ncclGroupEnd());
}

// The registry's names of the calls (VendorCall::call) and the functions that make them.
constexpr std::array<std::pair<std::string_view, VendorRun>, 6> kCalls{{
    {"ncclAllReduce", allreduce},
    {"ncclReduceScatter", reduceScatter},
    {"ncclAllGather", allgather},
    {"ncclBroadcast", bcast},
    {"ncclReduce", reduce},
    {"ncclSend/ncclRecv", alltoallv},
}};

VendorRun bind(std::string_view call) {
  return findCall(kCalls, call);
}

}  // namespace

const Backend& ncclBackend() {
  static const Backend kBackend{.name = "nccl",
                                .summary =
                                    "device buffers over NCCL, one GPU per rank, vendor = "
                                    "NCCL's collective",
                                .device = true,
                                .timer =
                                    "CUDA events on the stream; stream drained and barrier, "
                                    "then calls_per_sample calls per sample; max over ranks",
                                .absence = nullptr,
                                .bind = bind,
                                .open = openNcclTransport};
  return kBackend;
}

}  // namespace hockney
