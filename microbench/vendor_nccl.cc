// Vendor cases of the NCCL backend: NCCL's own collectives on the same device buffers, timed and
// validated exactly as our algorithms on the NCCL transport are. Built only with the backend.
#include <typeinfo>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/nccl_transport.h"
#include "microbench/cases.h"

namespace hockney {
namespace {

// On the timed path: an exact type check, as vendor_mpi.cc does.
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

}  // namespace

VendorCollective ncclVendorFor(std::string_view pattern) {
  if (pattern == "allreduce") return {allreduce, "ncclAllReduce of the NCCL library"};
  if (pattern == "reduce_scatter") return {reduceScatter, "ncclReduceScatter of the NCCL library"};
  if (pattern == "allgather") return {allgather, "ncclAllGather of the NCCL library"};
  if (pattern == "bcast") return {bcast, "ncclBroadcast of the NCCL library"};
  if (pattern == "reduce") return {reduce, "ncclReduce of the NCCL library"};
  if (pattern == "alltoall")
    return {alltoallv, "NCCL grouped ncclSend/ncclRecv, one pair per peer (as nccl-tests)"};
  return {};
}

}  // namespace hockney
