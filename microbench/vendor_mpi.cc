// Vendor cases: the MPI library's own collectives on the same buffers, timed and validated
// exactly as our algorithms are. The only MPI calls outside collectives/transport/.
#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/cases.h"

namespace hockney {
namespace {

MpiTransport& needMpi(Transport& t, const char* what) {
  auto* mpi = dynamic_cast<MpiTransport*>(&t);
  HOCKNEY_CHECK(mpi != nullptr, "{} needs the MPI transport, not '{}'", what, t.backend());
  return *mpi;
}

}  // namespace

BenchCase vendorAllreduceCase() {
  BenchCase c;
  c.run = [](Transport& t, const CaseShape& s, const CaseBuffers& b) {
    MpiTransport& mpi = needMpi(t, "vendor MPI_Allreduce");
    HOCKNEY_MPI(MPI_Allreduce(b.input, b.output, mpiCount(s.count, "MPI_Allreduce"),
                              mpiDatatype(s.type), mpiOp(s.op, s.type), mpi.comm()));
  };
  return c;
}

}  // namespace hockney
