// The MPI backend: host buffers over MpiTransport, and the MPI library's own collectives as the
// vendor cases, on the same buffers, timed and validated exactly as our algorithms are. The
// only MPI calls outside collectives/transport/.
#include <array>
#include <utility>

#include "collectives/alltoall/alltoall.h"
#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/backend.h"
#include "microbench/backend_mpi_tuned.h"
#include "microbench/cases.h"

#include <typeinfo>

namespace hockney {
namespace {

// On the timed path: an exact type check (a typeinfo comparison) instead of a dynamic_cast,
// which cost a measurable share of a 0.3 us call (scripts/bench-overhead.sh).
MPI_Comm commOf(Transport& t, const char* what) {
  HOCKNEY_CHECK(typeid(t) == typeid(MpiTransport), "{} needs the MPI transport, not '{}'", what,
                t.backend());
  return static_cast<MpiTransport&>(t).comm();
}

void vendorAllreduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  HOCKNEY_MPI(MPI_Allreduce(b.input, b.output, mpiCount(s.count, "MPI_Allreduce"),
                            mpiDatatype(s.type), mpiOp(s.op, s.type), commOf(t, "MPI_Allreduce")));
}

void vendorReduceScatter(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_MPI(MPI_Reduce_scatter_block(
      b.input, b.output, mpiCount(block, "MPI_Reduce_scatter_block"), mpiDatatype(s.type),
      mpiOp(s.op, s.type), commOf(t, "MPI_Reduce_scatter_block")));
}

void vendorAllgather(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_MPI(MPI_Allgather(b.input, mpiCount(block, "MPI_Allgather"), mpiDatatype(s.type),
                            b.output, mpiCount(block, "MPI_Allgather"), mpiDatatype(s.type),
                            commOf(t, "MPI_Allgather")));
}

void vendorBcast(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  if (t.rank() == s.opts->root) t.copy(b.output, b.input, s.bytes);
  HOCKNEY_MPI(MPI_Bcast(b.output, mpiCount(s.count, "MPI_Bcast"), mpiDatatype(s.type), s.opts->root,
                        commOf(t, "MPI_Bcast")));
}

void vendorReduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  HOCKNEY_MPI(MPI_Reduce(b.input, b.output, mpiCount(s.count, "MPI_Reduce"), mpiDatatype(s.type),
                         mpiOp(s.op, s.type), s.opts->root, commOf(t, "MPI_Reduce")));
}

void vendorAlltoallv(Transport& t, const CaseShape&, const CaseBuffers& b) {
  // The state's first member is the routing; its layout follows (cases/alltoall.cc).
  const auto& layout = alltoallLayoutOf(b.state);
  // int counts for MPI: checked here, at the MPI boundary (a few small vectors per call).
  thread_local std::vector<int> sc, sd, rc, rd;
  auto fill = [](std::vector<int>& out, const std::vector<size_t>& in) {
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = mpiCount(in[i], "MPI_Alltoallv");
  };
  fill(sc, layout.sendBytes);
  fill(sd, layout.sendOffset);
  fill(rc, layout.recvBytes);
  fill(rd, layout.recvOffset);
  HOCKNEY_MPI(MPI_Alltoallv(b.input, sc.data(), sd.data(), MPI_BYTE, b.output, rc.data(), rd.data(),
                            MPI_BYTE, commOf(t, "MPI_Alltoallv")));
}

// The registry's names of the calls (VendorCall::call) and the functions that make them.
constexpr std::array<std::pair<std::string_view, VendorRun>, 6> kCalls{{
    {"MPI_Allreduce", vendorAllreduce},
    {"MPI_Reduce_scatter_block", vendorReduceScatter},
    {"MPI_Allgather", vendorAllgather},
    {"MPI_Bcast", vendorBcast},
    {"MPI_Reduce", vendorReduce},
    {"MPI_Alltoallv", vendorAlltoallv},
}};

VendorRun bind(std::string_view call) {
  return findCall(kCalls, call);
}

}  // namespace

const Backend& mpiBackend() {
  static const Backend kBackend{.name = "mpi",
                                .summary =
                                    "host buffers over MPI, vendor = the MPI library's "
                                    "collective",
                                .device = false,
                                .timer =
                                    "steady_clock; barrier, then calls_per_sample calls per "
                                    "sample; max over ranks",
                                .absence = nullptr,
                                .bind = bind,
                                .open = nullptr,
                                .prepareVariants = prepareMpiVariants,
                                .variants = mpiVariants,
                                .forceVariant = forceMpiVariant,
                                .tuning = mpiTuningState};
  return kBackend;
}

}  // namespace hockney
